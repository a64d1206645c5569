using System.Collections.Concurrent;
using System.Globalization;
using Greengage.Engine.Users;

namespace Greengage.Engine.Messages;

/// <summary>
/// The clock of scheduled sends (<see cref="MessageSchedule"/>). Occurrence <c>k</c> of a schedule is its local date
/// and time plus <c>k</c> days (daily) or weeks (weekly); <c>once</c> has only occurrence 0. In a fixed zone an
/// occurrence is one instant; in users' own zones (<c>user</c>) it spans the day's zones, from UTC+14 (the first to
/// reach a local time) to UTC-12 (the last), and each user's instant is the local time in their zone. A local time that
/// does not exist in a zone (skipped when the clocks go forward) is shifted by the length of the skip, and one that
/// happens twice (the clocks go back) is the first (<see cref="InstantIn"/>).
/// </summary>
public static class ScheduleRules
{
    public const string UserTimeZone = "user";
    public const string Once = "once";
    public const string Daily = "daily";
    public const string Weekly = "weekly";

    /// <summary>
    /// How late a send may still go out: a user's time that passed at most this long before the message went live, or
    /// was activated again after a pause, is still sent (a schedule set for "now" that took a minute to activate, a
    /// pause of a few minutes); one that passed earlier is skipped for that occurrence (<see cref="Missed"/>).
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(15);

    /// <summary>How far ahead of UTC the first zone is (Kiribati, UTC+14) and behind it the last (UTC-12).</summary>
    private static readonly TimeSpan EarliestOffset = TimeSpan.FromHours(14);
    private static readonly TimeSpan LatestOffset = TimeSpan.FromHours(-12);

    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"];

    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<long, TimeZoneInfo> Offsets = new();

    /// <summary>Why <paramref name="schedule"/> is not a schedule, or null.</summary>
    public static string? Problem(MessageSchedule schedule)
    {
        if (!TryParseLocal(schedule.At, out _))
            return "schedule.at is a local date and time without an offset, such as 2026-12-02T09:00 (the time zone says where).";
        if (schedule.TimeZone != UserTimeZone && Zone(schedule.TimeZone) is null)
            return $"schedule.timeZone is 'user' or an IANA time zone such as 'UTC' or 'Europe/Berlin', not '{schedule.TimeZone}'.";
        if (schedule.FallbackTimeZone is { } fallback && (schedule.TimeZone != UserTimeZone || Zone(fallback) is null))
            return "schedule.fallbackTimeZone is an IANA time zone, for a schedule in the users' time zones.";
        if (schedule.Repeat is not (Once or Daily or Weekly))
            return $"schedule.repeat is once, daily or weekly, not '{schedule.Repeat}'.";
        return null;
    }

    public static bool TryParseLocal(string text, out DateTime local) =>
        DateTime.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out local);

    /// <summary>An IANA (or Windows) zone by id, or null when this machine does not know it. Only zones found are
    /// remembered (ids come from devices: unknown ones must not grow the cache).</summary>
    public static TimeZoneInfo? Zone(string id)
    {
        if (Zones.TryGetValue(id, out var known))
            return known;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone))
            return null;
        Zones.TryAdd(id, zone);
        return zone;
    }

    /// <summary>The local date and time of occurrence <paramref name="k"/>.</summary>
    public static DateTime LocalAt(MessageSchedule schedule, long k)
    {
        TryParseLocal(schedule.At, out var first);
        return schedule.Repeat switch
        {
            Daily => first.AddDays(k),
            Weekly => first.AddDays(7 * k),
            _ => first,
        };
    }

    /// <summary>
    /// When <paramref name="local"/> happens in <paramref name="zone"/>. A local time the clocks skip (they go forward
    /// over it) is read at the offset in effect before the skip, so it lands as far past the skip as it was into it:
    /// 02:30 on the day New York goes from 02:00 to 03:00 is 03:30, 02:15 on the day Lord Howe goes from 02:00 to 02:30
    /// is 02:45, whatever the length of the skip. A local time that happens twice (the clocks go back over it) is its
    /// first occurrence, at the offset before the change.
    /// </summary>
    public static DateTimeOffset InstantIn(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
            offset = zone.GetUtcOffset(local.AddDays(-1)); // before the skip: clocks do not change twice within a day
        else if (zone.IsAmbiguousTime(local))
            offset = zone.GetAmbiguousTimeOffsets(local).Max(); // the clocks go back: the earlier offset is the larger
        else
            offset = zone.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }

    /// <summary>The first instant of occurrence <paramref name="k"/> anywhere.</summary>
    public static DateTimeOffset FirstInstant(MessageSchedule schedule, long k) => schedule.TimeZone == UserTimeZone
        ? new DateTimeOffset(LocalAt(schedule, k), EarliestOffset)
        : InstantIn(LocalAt(schedule, k), Zone(schedule.TimeZone)!);

    /// <summary>The last instant of occurrence <paramref name="k"/> anywhere.</summary>
    public static DateTimeOffset LastInstant(MessageSchedule schedule, long k) => schedule.TimeZone == UserTimeZone
        ? new DateTimeOffset(LocalAt(schedule, k), LatestOffset)
        : FirstInstant(schedule, k);

    /// <summary>
    /// The occurrence due at <paramref name="now"/>: the latest one whose first instant has come, provided its last
    /// instant is not more than <see cref="Grace"/> before <paramref name="since"/> (the message went live after it was
    /// over). Null when none is.
    /// </summary>
    public static long? Due(MessageSchedule schedule, DateTimeOffset since, DateTimeOffset now)
    {
        if (FirstInstant(schedule, 0) > now)
            return null;
        long k = 0;
        if (schedule.Repeat != Once)
        {
            var period = schedule.Repeat == Daily ? TimeSpan.FromDays(1) : TimeSpan.FromDays(7);
            k = Math.Max(0, (long)((now - FirstInstant(schedule, 0)) / period));
            // Clock changes move a fixed zone's instants by an hour: step to the exact latest occurrence begun.
            while (k > 0 && FirstInstant(schedule, k) > now)
                k--;
            while (FirstInstant(schedule, k + 1) <= now)
                k++;
        }
        return LastInstant(schedule, k) < since - Grace ? null : k;
    }

    /// <summary>
    /// Since when <paramref name="live"/> has been sending without a break: when it went live, or when it or its
    /// campaign was last activated again after a pause.
    /// </summary>
    public static DateTimeOffset LiveSince(LiveMessage live)
    {
        var since = Math.Max(live.Document.ResumedMs ?? live.Document.PublishedMs ?? live.Document.CreatedMs, live.Campaign?.ResumedMs ?? long.MinValue);
        return DateTimeOffset.FromUnixTimeMilliseconds(since);
    }

    /// <summary>
    /// Whether a user whose time is <paramref name="at"/> missed the occurrence: their time passed more than
    /// <see cref="Grace"/> before the message was live (<paramref name="since"/>, <see cref="LiveSince"/>), because it
    /// went live late or was paused over it. Lateness of the server's own (a run that takes long, a process that was
    /// down) misses nobody: their send goes out when it can.
    /// </summary>
    public static bool Missed(DateTimeOffset at, DateTimeOffset since) => at < since - Grace;

    /// <summary>
    /// Whether occurrence <paramref name="k"/> of a repeating schedule is superseded for <paramref name="user"/> at
    /// <paramref name="now"/>: their next occurrence's time has come, so a late send of this one (a run cut short and
    /// taken up after the next day began, as in users' own zones, whose days overlap) would arrive alongside it. The
    /// user gets the next one only.
    /// </summary>
    public static bool Superseded(MessageSchedule schedule, long k, UserState user, DateTimeOffset now) =>
        schedule.Repeat != Once && InstantFor(schedule, k + 1, user) <= now;

    /// <summary>Whether occurrence <paramref name="k"/> is superseded for every user (<see cref="Superseded"/>).</summary>
    public static bool SupersededEverywhere(MessageSchedule schedule, long k, DateTimeOffset now) =>
        schedule.Repeat != Once && LastInstant(schedule, k + 1) <= now;

    /// <summary>When occurrence <paramref name="k"/> reaches <paramref name="user"/>.</summary>
    public static DateTimeOffset InstantFor(MessageSchedule schedule, long k, UserState user)
    {
        if (schedule.TimeZone != UserTimeZone)
            return FirstInstant(schedule, k);
        return InstantIn(LocalAt(schedule, k), UserZone(user, schedule.FallbackTimeZone));
    }

    /// <summary>The user's zone: the IANA id their device reported, else its offset from UTC, else the fallback (UTC).</summary>
    public static TimeZoneInfo UserZone(UserState user, string? fallback)
    {
        var locale = user.Profile.Locale;
        if (locale?.Timezone is { Length: > 0 } id && Zone(id) is { } zone)
            return zone;
        if (locale?.TimezoneOffsetSeconds is { } seconds && Math.Abs(seconds) <= 14 * 3600)
        {
            // A zone's offset is whole minutes.
            return Offsets.GetOrAdd(seconds / 60 * 60, static s =>
                TimeZoneInfo.CreateCustomTimeZone($"UTC{(s < 0 ? "-" : "+")}{TimeSpan.FromSeconds(Math.Abs(s)):hh\\:mm}", TimeSpan.FromSeconds(s), null, null));
        }
        return fallback is not null && Zone(fallback) is { } z ? z : TimeZoneInfo.Utc;
    }
}
