using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>stop</c>: ends the open session.</summary>
public sealed class Stop : IUserAction
{
    public string Name => "stop";

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists)
            return ActionResult.Warn(KnownErrors.UserNotFound);
        SessionRules.Stop(context);
        return ActionResult.Ok();
    }
}
