namespace Greengage.Delivery;

/// <summary>
/// The providers Greengage delivers through, by the names the admin API (<c>/delivery/{kind}</c>), the configuration
/// (<c>Greengage:Delivery:{Kind}</c>) and the logs use.
/// </summary>
public static class DeliveryKinds
{
    /// <summary>Firebase Cloud Messaging, HTTP v1 (Android, and iOS apps that register through Firebase).</summary>
    public const string Fcm = "fcm";

    /// <summary>Apple Push Notification service over HTTP/2 with token authentication.</summary>
    public const string Apns = "apns";

    /// <summary>Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm encryption (RFC 8291).</summary>
    public const string WebPush = "webpush";

    /// <summary>An HTTP call to a templated URL.</summary>
    public const string Webhook = "webhook";

    /// <summary>Email over SMTP.</summary>
    public const string Smtp = "smtp";

    public static readonly IReadOnlyList<string> All = [Fcm, Apns, WebPush, Webhook, Smtp];

    public static bool IsKnown(string kind) => All.Contains(kind, StringComparer.Ordinal);
}
