using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// Session lifecycle (spec 6.1): a session ends at <c>stop</c>, at the next <c>start</c>, or after
/// <see cref="Users.SessionTimeouts.Timeout"/> without activity (<see cref="Users.SessionTimeouts.PausedTimeout"/> after a
/// pause, or for a background start never resumed). A timed-out session is closed lazily, at its last activity, on the
/// user's next contact (and by the idle-session sweep). Durations count foreground time only.
/// </summary>
public static class SessionRules
{
    public const string ReasonStop = "stop";
    public const string ReasonTimeout = "timeout";
    public const string ReasonRestart = "restart";
    public const string ReasonSwitch = "switch";
    public const string ReasonMerge = "merge";

    /// <summary>True when <paramref name="open"/> has timed out at <paramref name="atMs"/>.</summary>
    public static bool IsIdle(OpenSession open, long atMs, Users.SessionTimeouts options)
    {
        var timeout = open.Paused || open.Background ? options.PausedTimeout : options.Timeout;
        return atMs - open.LastActivityMs > timeout.TotalMilliseconds;
    }

    /// <summary>Closes the open session at its last activity if it timed out before this item's time.</summary>
    public static void CloseIfIdle(UserActionContext context)
    {
        if (context.State.Sessions.Open is { } open && IsIdle(open, context.TimeMs, context.Sessions))
            End(context, open, open.LastActivityMs, ReasonTimeout);
    }

    /// <summary>Ends the open session, if any, at its last activity (a new <c>start</c> replaces it).</summary>
    public static void CloseOpen(UserActionContext context)
    {
        if (context.State.Sessions.Open is { } open)
            End(context, open, open.LastActivityMs, ReasonRestart);
    }

    /// <summary>Ends the open session at this item's time (an explicit <c>stop</c>).</summary>
    public static void Stop(UserActionContext context)
    {
        if (context.State.Sessions.Open is { } open)
            End(context, open, Math.Max(open.LastActivityMs, context.TimeMs), ReasonStop);
    }

    /// <summary>Ends the open session at this item's time: the device goes on as another user (a switch).</summary>
    public static void EndAtSwitch(UserActionContext context)
    {
        if (context.State.Sessions.Open is { } open)
            End(context, open, Math.Max(open.LastActivityMs, context.TimeMs), ReasonSwitch);
    }

    /// <summary>
    /// The first item a device sends as the user it switched to: the session it had open under the old id goes on as
    /// a new session of this user, replacing any this user had open.
    /// </summary>
    public static void StartSwitched(UserActionContext context, Users.SwitchedSession switched)
    {
        CloseOpen(context);
        context.Emit(new SessionStarted
        {
            TimeMs = context.TimeMs,
            SessionId = Guid.NewGuid().ToString("N"),
            Background = switched.Background,
            Device = switched.Device,
            Prior = Start.PriorOf(context),
        });
    }

    /// <summary>The record that ends <paramref name="open"/> at <paramref name="endMs"/>, with its foreground duration.</summary>
    public static SessionEnded EndRecord(OpenSession open, long endMs, string reason)
    {
        var activeMs = open.ActiveMs + (open.Paused || open.Background ? 0 : Math.Max(0, endMs - open.LastActivityMs));
        return new SessionEnded { TimeMs = endMs, SessionId = open.Id, DurationSeconds = activeMs / 1000.0, Reason = reason, DeviceId = open.DeviceId };
    }

    private static void End(UserActionContext context, OpenSession open, long endMs, string reason) =>
        context.Emit(EndRecord(open, endMs, reason) with { DeviceId = null });
}
