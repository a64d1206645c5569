using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>deleteUser</c> (development key, spec 4.2): removes the user's profile from the live state; afterwards the user
/// does not exist (a later write creates a new profile). A block stays in force. With <c>fullErasure</c> the user's
/// stored activity goes too, in the same commit: <see cref="Users.UserProcessor"/> gives that batch's write set
/// <see cref="Storage.UserWriteSet.EraseThroughSeq"/> = the sequence number of this <c>user.delete</c> record and a
/// fresh snapshot of the state after the batch (retry marks and block included), so the store deletes every log record
/// up to and including this one and the old snapshot, and a reload gives the same, non-existing user.
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
