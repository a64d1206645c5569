using System.Text.Json.Nodes;
using Greengage.Engine.Messages;

namespace Greengage.Delivery;

/// <summary>
/// One send: a message to one address. The provider renders <see cref="Values"/> with
/// <see cref="Personalization"/> (Personalization.cs) and builds its own payload from them (docs/delivery.md lists the
/// value names each provider reads).
/// </summary>
/// <param name="AppId">The app whose credentials are used.</param>
/// <param name="MessageId">The message (the <c>_lpm</c> family of push keys, the email's tag).</param>
/// <param name="OccurrenceId">Unique per send and stable across its retries: <c>lp_occurrence_id</c>, the APNs
/// <c>apns-id</c> when it is a UUID, the email's Message-ID. A provider that deduplicates sees a retry as the same send.</param>
/// <param name="Address">Where it goes; its kind must be the provider's.</param>
/// <param name="Values">The message's template values (defaults merged), before personalisation.</param>
/// <param name="Personalization">The user, device and send values that placeholders name.</param>
public sealed record DeliveryRequest(
    string AppId,
    long MessageId,
    string OccurrenceId,
    DeliveryAddress Address,
    JsonObject Values,
    PersonalizationContext Personalization)
{
    /// <summary>When the send was decided (<c>lp_sent_time</c>); null: when the provider sends it.</summary>
    public DateTimeOffset? SentAt { get; init; }
}
