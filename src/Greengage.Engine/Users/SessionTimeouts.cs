namespace Greengage.Engine.Users;

/// <summary>Session lifecycle settings (configuration section <c>Greengage:Sessions</c>; spec 6.1).</summary>
public sealed class SessionTimeouts
{
    /// <summary>A session with no activity for this long has ended, at its last activity.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A paused (or background-started, never resumed) session ends this long after its last activity.</summary>
    public TimeSpan PausedTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the idle-session sweep looks for sessions that timed out while their users were silent.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);
}
