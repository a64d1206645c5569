using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Greengage.Engine.Storage;
using Greengage.Engine.Users.Components;

namespace Greengage.Engine.Messages;

/// <summary>
/// One server send waiting in the outbox (ARCHITECTURE decision 7): a message to one address of one user, with what the
/// provider needs to build and personalise it, written by the user's grain in the same commit as its cause. The
/// dispatcher (Greengage.Delivery) sends it and reports the outcome back to the user (<c>__deliveryOutcome</c>).
/// Persisted as the work item's payload: never rename a field.
/// </summary>
/// <param name="Kind">The provider kind of the address: <c>fcm</c>, <c>apns</c>, <c>webpush</c>, <c>smtp</c>, <c>webhook</c>.</param>
/// <param name="Address">The push token, the web push subscription JSON, the email address; empty for a webhook.</param>
/// <param name="Values">The message's template values (variant applied), before personalisation.</param>
/// <param name="SendValues">The send's <c>values</c> (<c>{{Value "key"}}</c>).</param>
/// <param name="Attributes">The user's attributes at the send, for <c>{{userAttribute['x']}}</c>.</param>
public sealed record DeliverySend(
    [property: JsonPropertyName("app")] string AppId,
    [property: JsonPropertyName("user")] string UserId,
    [property: JsonPropertyName("device")] string? DeviceId,
    [property: JsonPropertyName("message")] long MessageId,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("occurrence")] string OccurrenceId,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("values")] JsonObject Values,
    [property: JsonPropertyName("send")] JsonObject? SendValues,
    [property: JsonPropertyName("attrs")] Dictionary<string, JsonElement>? Attributes,
    [property: JsonPropertyName("at")] long SentAtMs)
{
    /// <summary>The work queue of server sends.</summary>
    public const string Queue = "delivery";

    public NewWorkItem ToWorkItem(DateTimeOffset notBefore) =>
        new(Queue, JsonSerializer.Serialize(this, DeliverySendJson.Default.DeliverySend), notBefore, AppId);

    public static DeliverySend FromPayload(string payload) =>
        JsonSerializer.Deserialize(payload, DeliverySendJson.Default.DeliverySend) ?? throw new JsonException("Empty delivery payload.");

    public PersonalizationContext Personalization() => new(UserId, DeviceId, Attributes, SendValues);
}

/// <summary>The payload's serialiser, generated: one send is written and read per address of every campaign.</summary>
[JsonSerializable(typeof(DeliverySend))]
internal sealed partial class DeliverySendJson : JsonSerializerContext;

/// <summary>The addresses a server send reaches, by channel.</summary>
public static class DeliveryTargets
{
    public const string Fcm = "fcm";
    public const string Apns = "apns";
    public const string WebPush = "webpush";
    public const string Smtp = "smtp";
    public const string Webhook = "webhook";

    /// <summary>The user attribute that holds their email address (Leanplum's <c>email</c>).</summary>
    public const string EmailAttribute = "email";

    /// <summary>
    /// (device, kind, address) for each address of <paramref name="channel"/>: every push token of the chosen devices
    /// (FCM, APNs, Web Push), the user's email attribute, or one webhook call per user.
    /// </summary>
    public static IEnumerable<(string? Device, string Kind, string Address)> For(string channel, IEnumerable<KeyValuePair<string, DeviceEntry>> devices,
        IReadOnlyDictionary<string, JsonElement> attributes)
    {
        switch (channel)
        {
            case MessageChannels.Push:
                foreach (var (id, device) in devices)
                {
                    if (!string.IsNullOrWhiteSpace(device.GcmRegistrationId))
                        yield return (id, Fcm, device.GcmRegistrationId);
                    if (!string.IsNullOrWhiteSpace(device.IosPushToken))
                        yield return (id, Apns, device.IosPushToken);
                    if (!string.IsNullOrWhiteSpace(device.WebPushSubscription))
                        yield return (id, WebPush, device.WebPushSubscription);
                }
                break;
            case MessageChannels.Email:
                if (attributes.TryGetValue(EmailAttribute, out var email) && email.ValueKind == JsonValueKind.String && email.GetString() is { Length: > 0 } address)
                    yield return (null, Smtp, address);
                break;
            case MessageChannels.Webhook:
                yield return (null, Webhook, "");
                break;
        }
    }
}
