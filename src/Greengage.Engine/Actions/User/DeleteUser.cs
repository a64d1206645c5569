using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>deleteUser</c> (development key, spec 4.2): removes the user's profile from the live state; afterwards the user
/// does not exist (a later write creates a new profile). A block stays in force. With <c>fullErasure</c> the record also
/// asks for the user's stored activity to be erased; that erasure is a storage job, not done here.
/// </summary>
public sealed class DeleteUser : IUserAction
{
    public string Name => "deleteUser";

    public ActionResult Handle(UserActionContext context)
    {
        var full = context.Parameters.Flag("fullErasure");
        context.Emit(new UserDeleted { TimeMs = context.TimeMs, FullErasure = full });
        return ActionResult.Ok();
    }
}
