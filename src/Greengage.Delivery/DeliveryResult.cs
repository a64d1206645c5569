namespace Greengage.Delivery;

/// <summary>How a send ended. Persisted by the outbox: never rename a member.</summary>
public enum DeliveryOutcome
{
    /// <summary>The provider accepted it (<see cref="DeliveryResult.ProviderMessageId"/> names it there).</summary>
    Sent,

    /// <summary>Try again later: a timeout, a connection failure, 429, 5xx, an expired provider token. Honour
    /// <see cref="DeliveryResult.RetryAfter"/> when set.</summary>
    Transient,

    /// <summary>Trying again will not help: bad payload, refused credentials, provider not configured for the app.</summary>
    Permanent,

    /// <summary>The address is gone for good (FCM <c>UNREGISTERED</c>, APNs 410 or <c>BadDeviceToken</c>, Web Push
    /// 404/410): remove it from the device.</summary>
    DeadToken,
}

/// <summary>
/// The result of <see cref="IDeliveryProvider.SendAsync"/>. Providers never throw for a provider's error; they answer
/// one of these.
/// </summary>
/// <param name="ProviderMessageId">For <see cref="DeliveryOutcome.Sent"/>: the provider's id (FCM message name, APNs
/// <c>apns-id</c>, Web Push <c>Location</c>, SMTP Message-ID), when it gave one.</param>
/// <param name="Reason">Why it was not sent, in words an operator can act on (never a secret).</param>
/// <param name="RetryAfter">For <see cref="DeliveryOutcome.Transient"/>: how long the provider asked to wait.</param>
/// <param name="StatusCode">The provider's HTTP status (or SMTP reply code), when there was one.</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string? ProviderMessageId, string? Reason, TimeSpan? RetryAfter, int? StatusCode)
{
    public static DeliveryResult Sent(string? providerMessageId, int? statusCode = null) =>
        new(DeliveryOutcome.Sent, providerMessageId, null, null, statusCode);

    public static DeliveryResult Transient(string reason, TimeSpan? retryAfter = null, int? statusCode = null) =>
        new(DeliveryOutcome.Transient, null, reason, retryAfter, statusCode);

    public static DeliveryResult Permanent(string reason, int? statusCode = null) =>
        new(DeliveryOutcome.Permanent, null, reason, null, statusCode);

    public static DeliveryResult DeadToken(string reason, int? statusCode = null) =>
        new(DeliveryOutcome.DeadToken, null, reason, null, statusCode);

    public static DeliveryResult NotConfigured(string kind, string appId) =>
        Permanent($"No {kind} credentials are set for app '{appId}' (PUT /admin/v1/apps/{appId}/delivery/{kind}).");
}
