using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>resumeSession</c>: the app came back to the foreground.</summary>
public sealed class ResumeSession : IUserAction
{
    public string Name => "resumeSession";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        if (context.State.Sessions.Open is { } open && (open.Paused || open.Background))
            context.Emit(new SessionResumed { TimeMs = Math.Max(context.TimeMs, open.LastActivityMs), SessionId = open.Id });
        return ActionResult.Ok();
    }
}
