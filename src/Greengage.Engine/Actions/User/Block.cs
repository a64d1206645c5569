using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>block</c> (development key): stops data collection for the user and erases their attributes. From then on every
/// write for the user answers HTTP 451 and records nothing (checked before handlers run, <see cref="Users.UserAccess"/>);
/// reads still answer. The open session ends. Blocking a blocked user changes nothing.
/// </summary>
public sealed class Block : IUserAction
{
    public string Name => "block";

    public ActionResult Handle(UserActionContext context)
    {
        if (context.State.Block.Blocked)
            return ActionResult.Ok();
        // Collection stops now: the open session, if any, ends here as with a stop.
        SessionRules.Stop(context);
        context.Emit(new UserBlocked { TimeMs = context.TimeMs });
        return ActionResult.Ok();
    }
}
