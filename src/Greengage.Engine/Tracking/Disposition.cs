using Greengage.Protocol.Values;

namespace Greengage.Engine.Tracking;

/// <summary>How an event relates to the session (spec 6.1).</summary>
public enum Disposition
{
    /// <summary>The default: belongs in the session and marks the user active.</summary>
    Active,

    /// <summary>Recorded outside the session without marking the user active (old spelling: <c>allowOffline=true</c>).</summary>
    Passive,

    /// <summary>Recorded only when a session is open; otherwise ignored with a warning and <c>ignored: true</c>.</summary>
    RequireActive,
}

public static class Dispositions
{
    public const string IgnoredWarning = "No active session; event ignored.";

    /// <summary>
    /// Reads <c>disposition</c> (any case) and its deprecated alias <c>allowOffline</c> (true = passive). An explicit
    /// <c>disposition</c> wins. Both are read whatever their values, so a malformed one is always refused.
    /// </summary>
    public static Disposition Read(ParameterSet p)
    {
        var allowOffline = p.Flag("allowOffline");
        var text = p.String("disposition");
        if (text is null)
            return allowOffline ? Disposition.Passive : Disposition.Active;
        return text.Trim().ToLowerInvariant() switch
        {
            "active" => Disposition.Active,
            "passive" => Disposition.Passive,
            "requireactive" => Disposition.RequireActive,
            _ => throw new InvalidParameterException($"Invalid value for 'disposition': expected active, passive or requireActive, got '{text}'."),
        };
    }
}
