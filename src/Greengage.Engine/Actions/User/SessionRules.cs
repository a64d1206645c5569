using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Actions.User;

/// <summary>Session lifecycle rules shared by the session actions (full timeouts come with the tracking issue).</summary>
internal static class SessionRules
{
    /// <summary>Ends the open session, if any, at its last activity.</summary>
    public static void CloseOpen(UserActionContext context)
    {
        if (context.State.Sessions.Open is not { } open)
            return;
        context.Emit(new SessionEnded { TimeMs = open.LastActivityMs, SessionId = open.Id, DurationSeconds = open.ActiveMs / 1000.0 });
    }

    /// <summary>Ends the open session now (an explicit <c>stop</c>).</summary>
    public static void Stop(UserActionContext context)
    {
        if (context.State.Sessions.Open is not { } open)
            return;
        var end = Math.Max(open.LastActivityMs, context.TimeMs);
        var activeMs = open.ActiveMs + (open.Paused ? 0 : end - open.LastActivityMs);
        context.Emit(new SessionEnded { TimeMs = end, SessionId = open.Id, DurationSeconds = activeMs / 1000.0 });
    }
}
