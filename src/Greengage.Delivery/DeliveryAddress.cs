using System.Text.Json;
using Greengage.Engine.Users.Components;

namespace Greengage.Delivery;

/// <summary>Where one send goes: a device's push token or subscription, an email address, or (for a webhook) nowhere
/// in particular. Its <see cref="Kind"/> names the provider that can deliver it.</summary>
public abstract record DeliveryAddress
{
    public abstract string Kind { get; }
}

/// <summary>An FCM registration token (the device's <c>gcmRegistrationId</c>).</summary>
public sealed record FcmAddress(string RegistrationToken) : DeliveryAddress
{
    public override string Kind => DeliveryKinds.Fcm;
}

/// <summary>An APNs device token, hex (the device's <c>iosPushToken</c>).</summary>
public sealed record ApnsAddress(string DeviceToken) : DeliveryAddress
{
    public override string Kind => DeliveryKinds.Apns;
}

/// <summary>A browser's push subscription as the JS SDK sends it in <c>webPushSubscription</c>:
/// <c>{"endpoint": "...", "keys": {"p256dh": "...", "auth": "..."}}</c>.</summary>
public sealed record WebPushAddress(string Subscription) : DeliveryAddress
{
    public override string Kind => DeliveryKinds.WebPush;
}

/// <summary>An email recipient.</summary>
public sealed record EmailAddress(string Address, string? Name = null) : DeliveryAddress
{
    public override string Kind => DeliveryKinds.Smtp;
}

/// <summary>A webhook: the message's URL template says where it goes.</summary>
public sealed record WebhookAddress : DeliveryAddress
{
    public static WebhookAddress Instance { get; } = new();

    public override string Kind => DeliveryKinds.Webhook;
}

/// <summary>The push addresses a device has.</summary>
public static class DeliveryAddresses
{
    /// <summary>
    /// Each push address <paramref name="device"/> registered: FCM (<c>gcmRegistrationId</c>), APNs
    /// (<c>iosPushToken</c>) and Web Push (<c>webPushSubscription</c>), in that order. A device usually has one.
    /// </summary>
    public static IEnumerable<DeliveryAddress> ForDevice(DeviceEntry device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!string.IsNullOrWhiteSpace(device.GcmRegistrationId))
            yield return new FcmAddress(device.GcmRegistrationId);
        if (!string.IsNullOrWhiteSpace(device.IosPushToken))
            yield return new ApnsAddress(device.IosPushToken);
        if (!string.IsNullOrWhiteSpace(device.WebPushSubscription) && IsJsonObject(device.WebPushSubscription))
            yield return new WebPushAddress(device.WebPushSubscription);
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
