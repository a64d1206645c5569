namespace Greengage.Engine.Tracking;

/// <summary>
/// The past-event rule (ARCHITECTURE, "Decisions where the spec only guesses"): an item dated more than
/// <see cref="TrackingOptions.PastEventDays"/> days before arrival is rewritten to arrival, with a warning, and counts
/// as offline; within the window the (skew-corrected) client time stands, so an offline backlog keeps its real times.
/// </summary>
public static class PastEvents
{
    public const long DayMs = 86_400_000;

    /// <summary>The time to record, and how many whole days old the item was when it was rewritten (else null).</summary>
    public static (long TimeMs, long? RewrittenDaysAgo) Resolve(long timeMs, long nowMs, int pastEventDays)
    {
        var ageMs = nowMs - timeMs;
        if (pastEventDays <= 0 || ageMs <= pastEventDays * DayMs)
            return (timeMs, null);
        return (nowMs, ageMs / DayMs);
    }

    public static string Warning(long daysAgo) => $"Past event detected ({daysAgo} days ago). Rewriting timestamp.";
}
