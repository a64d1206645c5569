using System.Text.Json.Nodes;
using Greengage.Delivery.Email;
using Greengage.Delivery.Push;
using Greengage.Engine.Delivery;
using Greengage.Engine.Messages;

namespace Greengage.Delivery.Outbox;

/// <summary>The outbox dispatcher's sends, through the real providers: an outbox item becomes a <see cref="DeliveryRequest"/>.</summary>
public sealed class ProviderDeliverySender(DeliveryProviders providers) : IDeliverySender
{
    /// <summary>
    /// The template arguments (docs/messages.md: the names the admin API accepts) that the providers read under other
    /// names (docs/delivery.md): (group, argument) to the provider's name.
    /// </summary>
    private static readonly (string Group, string Argument, string Provider)[] PushNames =
    [
        ("", "Image URL", PushValues.Image),
        ("Advanced options", "Data", PushValues.Data),
        ("Advanced options", "Mute inside app", PushValues.MuteInsideApp),
        ("Android options", "Collapse key", PushValues.CollapseKey),
        ("Android options", "Notification channel", PushValues.AndroidChannel),
        ("iOS options", "Sound", PushValues.Sound),
        ("iOS options", "Badge", PushValues.Badge),
    ];

    private static readonly (string Group, string Argument, string Provider)[] EmailNames =
    [
        ("", "HTML body", EmailValues.Html),
        ("", "Text body", EmailValues.Text),
        ("", "Reply-to address", EmailValues.ReplyTo),
    ];

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
        var request = new DeliveryRequest(send.AppId, send.MessageId, send.OccurrenceId, address, ProviderValues(send.Channel, send.Values), send.Personalization())
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

    /// <summary>
    /// A message's values with its template's arguments also under the names the providers read (<c>Image URL</c> is
    /// <c>Image</c>, <c>iOS options.Badge</c> is <c>Badge</c>, <c>HTML body</c> is <c>HTML</c>, ...); a value already
    /// under the provider's name wins. The message's values are not changed.
    /// </summary>
    internal static JsonObject ProviderValues(string channel, JsonObject values)
    {
        var names = channel switch
        {
            MessageChannels.Push => PushNames,
            MessageChannels.Email => EmailNames,
            _ => [],
        };
        // Copied on the first name to map: most messages have none, and then the values go as they are.
        JsonObject? mapped = null;
        foreach (var (group, argument, provider) in names)
        {
            var source = group.Length == 0 ? values : values[group] as JsonObject;
            if (source?[argument] is { } value && !(mapped ?? values).ContainsKey(provider))
                (mapped ??= (JsonObject)values.DeepClone())[provider] = value.DeepClone();
        }
        return mapped ?? values;
    }
}
