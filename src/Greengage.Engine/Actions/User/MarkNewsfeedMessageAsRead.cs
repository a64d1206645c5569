using Greengage.Engine.Messages;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>markNewsfeedMessageAsRead</c> (spec 4.4 "Inbox"): marks the live item <c>newsfeedMessageId</c> read (once: marking
/// a read item again records nothing). An id the user's inbox does not hold (unknown, deleted or expired) is skipped
/// with a warning, never an error: the SDKs send these calls in the background and a failure would drop the batch.
/// </summary>
public sealed class MarkNewsfeedMessageAsRead : IUserAction
{
    public const string ActionName = "markNewsfeedMessageAsRead";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var id = context.Parameters.RequiredString(NewsfeedMessageId);
        if (InboxDelivery.FindLive(context.State.Inbox, id, context.NowMs) is not { } item)
            return ActionResult.Warn(ItemNotFound(id));
        if (!item.IsRead)
            context.Emit(new InboxItemRead { ItemId = id });
        return ActionResult.Ok();
    }

    public const string NewsfeedMessageId = "newsfeedMessageId";

    public static string ItemNotFound(string id) => $"Inbox message '{id}' not found; request skipped.";
}
