using Greengage.Engine.Messages;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>getNewsfeedMessages</c> (spec 4.4 "Inbox"): the user's live inbox items as <c>newsfeedMessages</c>, the first
/// field of the element (the JS SDK reads the first element of the reply). A user the server does not know has an
/// empty inbox: answered with the usual warning, and <c>newsfeedMessages: {}</c> so that a device clears what it held.
/// </summary>
public sealed class GetNewsfeedMessages : IUserAction
{
    public const string ActionName = "getNewsfeedMessages";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var fields = new System.Text.Json.Nodes.JsonObject { ["newsfeedMessages"] = InboxDelivery.Answer(context.State.Inbox, context.NowMs) };
        return context.State.Exists ? ActionResult.Ok(fields) : ActionResult.Warn(KnownErrors.UserNotFound, fields);
    }
}
