using System.Text.Json;
using Greengage.Engine.Messages;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// The delivery dispatcher's report of how a server send ended (not an API action: the catalogue does not list it),
/// recorded as the message's events (spec 6.6): <c>.m&lt;id&gt;</c> (sent) when the provider accepted it,
/// <c>.m&lt;id&gt; Bounce</c> when the address is gone (and the device forgets it), <c>.m&lt;id&gt; Failed</c> with the
/// reason otherwise. Each carries the provider kind and the occurrence id as parameters. A user deleted since the
/// send records nothing.
/// </summary>
public sealed class DeliveryOutcome : IUserAction
{
    public const string ActionName = "__deliveryOutcome";

    public const string Sent = "sent";
    public const string Bounced = "bounced";
    public const string Failed = "failed";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        // A send that went out ends its outbox item in the same commit as its event (a failure is kept, with its reason,
        // by the dispatcher).
        if (p.Long("workItem") is { } workItem && p.String("outcome") == Sent)
            context.Complete(workItem);
        if (!context.State.Exists || context.State.Identity.MovedTo is not null)
            return ActionResult.Ok();
        var send = DeliverySend.FromPayload(p.String("send") ?? throw new InvalidParameterException("'send' must be provided"));
        var outcome = p.String("outcome") ?? throw new InvalidParameterException("'outcome' must be provided");
        var reason = p.String("reason");
        var name = outcome switch
        {
            Sent => $".m{send.MessageId}",
            Bounced => $".m{send.MessageId} Bounce",
            _ => $".m{send.MessageId} Failed",
        };
        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["provider"] = JsonSerializer.SerializeToElement(send.Kind),
            ["occurrenceId"] = JsonSerializer.SerializeToElement(send.OccurrenceId),
        };
        if (reason is not null)
            parameters["reason"] = JsonSerializer.SerializeToElement(reason.Length > 500 ? reason[..500] : reason);
        context.Emit(new EventTracked
        {
            TimeMs = context.NowMs,
            Name = name,
            MessageId = send.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Params = parameters,
            IsOffline = true,
        });
        if (outcome == Bounced && send.DeviceId is { } device && send.Kind is DeliveryTargets.Fcm or DeliveryTargets.Apns or DeliveryTargets.WebPush)
            context.Emit(new PushTokenRemoved { TimeMs = context.NowMs, Device = device, TokenKind = send.Kind, Token = send.Address });
        return ActionResult.Ok();
    }

    /// <summary>The item's parameters for a report.</summary>
    public static ParameterSet Parameters(string sendPayload, string outcome, string? reason, long? workItem = null)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["send"] = JsonSerializer.SerializeToElement(sendPayload),
            ["outcome"] = JsonSerializer.SerializeToElement(outcome),
        };
        if (workItem is { } id)
            values["workItem"] = JsonSerializer.SerializeToElement(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (reason is not null)
            values["reason"] = JsonSerializer.SerializeToElement(reason);
        return new ParameterSet(values);
    }
}
