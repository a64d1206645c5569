using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>unblock</c> (development key): data collection for the user resumes. Unblocking a user who is not blocked changes nothing.</summary>
public sealed class Unblock : IUserAction
{
    public string Name => "unblock";

    public ActionResult Handle(UserActionContext context)
    {
        if (context.State.Block.Blocked)
            context.Emit(new UserUnblocked { TimeMs = context.TimeMs });
        return ActionResult.Ok();
    }
}
