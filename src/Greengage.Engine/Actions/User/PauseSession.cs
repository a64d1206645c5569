using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>pauseSession</c>: the app went to the background.</summary>
public sealed class PauseSession : IUserAction
{
    public string Name => "pauseSession";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        if (context.State.Sessions.Open is { Paused: false } open)
            context.Emit(new SessionPaused { TimeMs = Math.Max(context.TimeMs, open.LastActivityMs), SessionId = open.Id });
        return ActionResult.Ok();
    }
}
