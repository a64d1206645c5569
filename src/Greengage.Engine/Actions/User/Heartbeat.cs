using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>heartbeat</c>: keeps the session alive.</summary>
public sealed class Heartbeat : IUserAction
{
    public string Name => "heartbeat";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        context.Emit(new Users.Records.Heartbeat { TimeMs = context.TimeMs });
        return ActionResult.Ok();
    }
}
