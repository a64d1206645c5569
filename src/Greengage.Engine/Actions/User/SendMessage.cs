using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>sendMessage</c> (spec 4.4; docs/messages-inbox.md): sends an inbox or in-app message to the user, to the device
/// <c>deviceId</c> names or to all of theirs. The message must exist (404 <c>Message not found.</c>), be active, and
/// with a production key (which ships inside apps) be marked for API sends (403). Answers <c>result</c> (<c>sent</c>, or
/// <c>not sent: ...</c> when the user is unsubscribed or outside the audience) and <c>messagesSent</c> (the devices it
/// reaches). Channels this server does not send yet answer 400.
/// </summary>
public sealed class SendMessage(ContentDirectory? content = null, MessagesOptions? options = null) : IUserAction
{
    public const string ActionName = "sendMessage";

    private readonly MessagesOptions _options = options ?? new MessagesOptions();

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var messageId = p.Long("messageId") ?? throw new InvalidParameterException("'messageId' must be provided");
        var values = SendParameters.Values(p);
        var force = SendParameters.Force(p);

        var set = (content?.For(context.Batch.AppId) ?? AppContent.Empty).Messages;
        if (!set.ById.TryGetValue(messageId, out var message))
            return ActionResult.Fail(404, MessageSends.MessageNotFound);
        if (context.KeyClass != KeyClasses.Development && !message.ApiSends)
            return ActionResult.Fail(403, $"Message {messageId} is not marked for API sends: send it with the development key, or set apiSends on the message.");
        if (MessageSends.Unsendable(set, message, context.NowMs, out var live) is { } reason)
            return ActionResult.Fail(400, reason);
        if (SendParameters.Devices(context) is not { } devices)
            return ActionResult.Fail(400, SendParameters.UnknownDevice(context.DeviceId!));

        var outcome = MessageSends.Send(context.Batch.AppId, live!, SendParameters.Subject(context), values, force, devices, _options.InboxMaxItems, context.NowMs, settings: set.Settings);
        foreach (var record in outcome.Records)
            context.Emit(record);
        foreach (var send in outcome.Sends ?? [])
            context.Enqueue(send);
        return ActionResult.Ok(new JsonObject { ["result"] = outcome.Result, ["messagesSent"] = outcome.MessagesSent });
    }
}
