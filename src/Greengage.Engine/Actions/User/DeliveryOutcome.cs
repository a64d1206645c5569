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
        var messageId = p.Long("message") ?? throw new InvalidParameterException("'message' must be provided");
        var kind = p.String("kind") ?? throw new InvalidParameterException("'kind' must be provided");
        var occurrenceId = p.String("occurrence") ?? "";
        var outcome = p.String("outcome") ?? throw new InvalidParameterException("'outcome' must be provided");
        var reason = p.String("reason");
        var name = outcome switch
        {
            Sent => $".m{messageId}",
            Bounced => $".m{messageId} Bounce",
            _ => $".m{messageId} Failed",
        };
        var parameters = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["provider"] = JsonSerializer.SerializeToElement(kind),
            ["occurrenceId"] = JsonSerializer.SerializeToElement(occurrenceId),
        };
        if (reason is not null)
            parameters["reason"] = JsonSerializer.SerializeToElement(reason.Length > 500 ? reason[..500] : reason);
        context.Emit(new EventTracked
        {
            TimeMs = context.NowMs,
            Name = name,
            MessageId = messageId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Params = parameters,
            IsOffline = true,
        });
        if (outcome == Bounced && p.String("device") is { } device && p.String("address") is { } address
            && kind is DeliveryTargets.Fcm or DeliveryTargets.Apns or DeliveryTargets.WebPush)
            context.Emit(new PushTokenRemoved { TimeMs = context.NowMs, Device = device, TokenKind = kind, Token = address });
        return ActionResult.Ok();
    }

    /// <summary>The item's parameters for a report of <paramref name="send"/> (only what the outcome records).</summary>
    public static ParameterSet Parameters(DeliverySend send, string outcome, string? reason, long? workItem = null)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["message"] = JsonSerializer.SerializeToElement(send.MessageId),
            ["kind"] = JsonSerializer.SerializeToElement(send.Kind),
            ["occurrence"] = JsonSerializer.SerializeToElement(send.OccurrenceId),
            ["outcome"] = JsonSerializer.SerializeToElement(outcome),
        };
        if (outcome == Bounced)
        {
            // Only a dead address needs it: the device forgets that token.
            values["address"] = JsonSerializer.SerializeToElement(send.Address);
            if (send.DeviceId is { } device)
                values["device"] = JsonSerializer.SerializeToElement(device);
        }
        if (workItem is { } id)
            values["workItem"] = JsonSerializer.SerializeToElement(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (reason is not null)
            values["reason"] = JsonSerializer.SerializeToElement(reason);
        return new ParameterSet(values);
    }
}
