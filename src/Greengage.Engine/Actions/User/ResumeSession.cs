using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>resumeSession</c>: the app came back to the foreground. It activates a session started in the background; after
/// the paused session timed out (closed lazily just before), the app's return begins a new session.
/// </summary>
public sealed class ResumeSession : IUserAction
{
    public string Name => "resumeSession";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        var device = DeviceParameters.Read(context.Parameters);
        if (context.State.Sessions.Open is { } open)
        {
            if (open.Paused || open.Background)
                context.Emit(new SessionResumed { TimeMs = Math.Max(context.TimeMs, open.LastActivityMs), SessionId = open.Id, Activates = open.Background });
            return ActionResult.Ok();
        }
        context.Emit(new SessionStarted
        {
            TimeMs = context.TimeMs,
            SessionId = Guid.NewGuid().ToString("N"),
            Device = device,
            Prior = Start.PriorOf(context),
        });
        return ActionResult.Ok();
    }
}
