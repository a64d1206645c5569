using Greengage.Engine.Messages;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>deleteNewsfeedMessage</c> (spec 4.4 "Inbox"): removes the live item <c>newsfeedMessageId</c> from the user's inbox.
/// An id the inbox does not hold (unknown, already deleted or expired) is skipped with a warning, never an error.
/// </summary>
public sealed class DeleteNewsfeedMessage : IUserAction
{
    public const string ActionName = "deleteNewsfeedMessage";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var id = context.Parameters.RequiredString(MarkNewsfeedMessageAsRead.NewsfeedMessageId);
        if (InboxDelivery.FindLive(context.State.Inbox, id, context.NowMs) is null)
            return ActionResult.Warn(MarkNewsfeedMessageAsRead.ItemNotFound(id));
        context.Emit(new InboxItemDeleted { ItemId = id });
        return ActionResult.Ok();
    }
}
