using System.Text.Json.Serialization;

namespace Greengage.Engine.Users.Records;

/// <summary>What a client says about its device (spec section 4.1 start parameters).</summary>
public sealed record DeviceInfo
{
    [JsonPropertyName("appVersion")] public string? AppVersion { get; init; }
    [JsonPropertyName("client")] public string? Client { get; init; }
    [JsonPropertyName("sdkVersion")] public string? SdkVersion { get; init; }
    [JsonPropertyName("systemName")] public string? SystemName { get; init; }
    [JsonPropertyName("systemVersion")] public string? SystemVersion { get; init; }
    [JsonPropertyName("browserName")] public string? BrowserName { get; init; }
    [JsonPropertyName("browserVersion")] public string? BrowserVersion { get; init; }
    [JsonPropertyName("deviceName")] public string? DeviceName { get; init; }
    [JsonPropertyName("deviceModel")] public string? DeviceModel { get; init; }
    [JsonPropertyName("iosPushToken")] public string? IosPushToken { get; init; }
    [JsonPropertyName("gcmRegistrationId")] public string? GcmRegistrationId { get; init; }
    [JsonPropertyName("huaweiPushRegId")] public string? HuaweiPushRegId { get; init; }
    [JsonPropertyName("webPushSubscription")] public string? WebPushSubscription { get; init; }
}

/// <summary>Locale and location, as sent (<c>(detect)</c> is kept out: unknown until geo-IP is configured).</summary>
public sealed record LocaleInfo
{
    [JsonPropertyName("locale")] public string? Locale { get; init; }
    [JsonPropertyName("country")] public string? Country { get; init; }
    [JsonPropertyName("region")] public string? Region { get; init; }
    [JsonPropertyName("city")] public string? City { get; init; }
    [JsonPropertyName("location")] public string? Location { get; init; }
    [JsonPropertyName("timezone")] public string? Timezone { get; init; }
    [JsonPropertyName("timezoneOffsetSeconds")] public long? TimezoneOffsetSeconds { get; init; }
}
