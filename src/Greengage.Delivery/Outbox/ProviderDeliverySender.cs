using Greengage.Engine.Delivery;
using Greengage.Engine.Messages;

namespace Greengage.Delivery.Outbox;

/// <summary>The outbox dispatcher's sends, through the real providers: an outbox item becomes a <see cref="DeliveryRequest"/>.</summary>
public sealed class ProviderDeliverySender(DeliveryProviders providers) : IDeliverySender
{
    public async Task<SendReport> SendAsync(DeliverySend send, CancellationToken cancellationToken)
    {
        DeliveryAddress address = send.Kind switch
        {
            DeliveryTargets.Fcm => new FcmAddress(send.Address),
            DeliveryTargets.Apns => new ApnsAddress(send.Address),
            DeliveryTargets.WebPush => new WebPushAddress(send.Address),
            DeliveryTargets.Smtp => new EmailAddress(send.Address),
            DeliveryTargets.Webhook => WebhookAddress.Instance,
            _ => throw new InvalidOperationException($"No provider for '{send.Kind}'."),
        };
        var request = new DeliveryRequest(send.AppId, send.MessageId, send.OccurrenceId, address, send.Values, send.Personalization())
        {
            SentAt = DateTimeOffset.FromUnixTimeMilliseconds(send.SentAtMs),
        };
        var result = await providers.SendAsync(request, cancellationToken);
        return result.Outcome switch
        {
            DeliveryOutcome.Sent => new SendReport(SendVerdict.Sent),
            DeliveryOutcome.Transient => new SendReport(SendVerdict.Transient, result.Reason, result.RetryAfter),
            DeliveryOutcome.DeadToken => new SendReport(SendVerdict.DeadToken, result.Reason),
            _ => new SendReport(SendVerdict.Permanent, result.Reason),
        };
    }
}
