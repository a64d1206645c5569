using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>startCampaign</c> (spec 4.4, development key; docs/messages-inbox.md): fires each active message of an active
/// campaign for the user, by the rules of <c>sendMessage</c> (inbox: an item; in-app: queued for the next start).
/// Answers <c>result</c>, <c>messagesSent</c> (devices reached, summed over the messages) and <c>sends</c> (each active
/// message's own status text, by id).
/// </summary>
public sealed class StartCampaign(ContentDirectory? content = null, MessagesOptions? options = null) : IUserAction
{
    public const string ActionName = "startCampaign";

    private readonly MessagesOptions _options = options ?? new MessagesOptions();

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var campaignId = p.Long("campaignId") ?? throw new InvalidParameterException("'campaignId' must be provided");
        var values = SendParameters.Values(p);
        var force = SendParameters.Force(p);

        var set = (content?.For(context.Batch.AppId) ?? AppContent.Empty).Messages;
        if (set.Campaigns.FirstOrDefault(c => c.Id == campaignId) is not { } campaign)
            return ActionResult.Fail(404, MessageSends.CampaignNotFound);
        if (campaign.State != MessageStates.Active)
            return ActionResult.Fail(400, $"Campaign {campaignId} is not active ({campaign.State}).");
        if (SendParameters.Devices(context) is not { } devices)
            return ActionResult.Fail(400, SendParameters.UnknownDevice(context.DeviceId!));

        var sends = new JsonObject();
        int fired = 0, sent = 0, reached = 0;
        string? only = null;
        var subject = SendParameters.Subject(context);
        // In the order they were written; each message sees the state after the one before it (a full inbox evicts
        // once per item).
        foreach (var message in set.Messages.Where(m => m.CampaignId == campaignId && m.State == MessageStates.Active).OrderBy(m => m.CreatedMs).ThenBy(m => m.Id))
        {
            fired++;
            var id = message.Id.ToString(CultureInfo.InvariantCulture);
            if (MessageSends.Unsendable(set, message, context.NowMs, out var live) is { } reason)
            {
                sends[id] = only = "not sent: " + reason;
                continue;
            }
            var outcome = MessageSends.Send(context.Batch.AppId, live!, subject, values, force, devices, _options.InboxMaxItems, context.NowMs, settings: set.Settings);
            foreach (var record in outcome.Records)
                context.Emit(record);
            foreach (var send in outcome.Sends ?? [])
                context.Enqueue(send);
            sends[id] = only = outcome.Result;
            if (outcome.IsSent)
            {
                sent++;
                reached += outcome.MessagesSent;
            }
        }
        var result = fired == 0 ? "not sent: the campaign has no active message"
            : sent == fired ? MessageSends.Sent
            : sent == 0 ? (fired == 1 ? only! : "not sent: no message of the campaign could be sent")
            : $"sent {sent} of {fired} messages";
        return ActionResult.Ok(new JsonObject { ["result"] = result, ["messagesSent"] = reached, ["sends"] = sends });
    }
}
