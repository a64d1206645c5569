using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>Reads the device and locale fields that <c>start</c> and device actions carry.</summary>
internal static class DeviceParameters
{
    private const string Detect = "(detect)";

    public static DeviceInfo Read(ParameterSet p)
    {
        var web = p.Json("webPushSubscription");
        return new DeviceInfo
        {
            AppVersion = p.String("versionName") ?? p.String("appVersion"),
            Client = p.String(WireNames.Client),
            SdkVersion = p.String(WireNames.SdkVersion),
            SystemName = p.String("systemName"),
            SystemVersion = p.String("systemVersion"),
            BrowserName = p.String("browserName"),
            BrowserVersion = p.String("browserVersion"),
            DeviceName = p.String("deviceName"),
            DeviceModel = p.String("deviceModel"),
            IosPushToken = p.String("iosPushToken"),
            GcmRegistrationId = p.String("gcmRegistrationId"),
            HuaweiPushRegId = p.String("huaweiPushRegId"),
            WebPushSubscription = web?.GetRawText(),
        };
    }

    public static LocaleInfo? ReadLocale(ParameterSet p)
    {
        var info = new LocaleInfo
        {
            Locale = Known(p.String("locale")),
            Country = Known(p.String("country")),
            Region = Known(p.String("region")),
            City = Known(p.String("city")),
            Location = Known(p.String("location")),
            Timezone = p.String("timezone"),
            TimezoneOffsetSeconds = p.Long("timezoneOffsetSeconds"),
        };
        return info == new LocaleInfo() ? null : info;
    }

    /// <summary><c>(detect)</c> asks for geo-IP; without a provider the value stays unknown.</summary>
    private static string? Known(string? value) =>
        value is null || string.Equals(value, Detect, StringComparison.Ordinal) ? null : value;
}
