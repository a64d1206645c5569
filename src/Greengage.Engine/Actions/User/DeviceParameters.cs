using System.Globalization;
using System.Text.Json;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>Reads the device and locale fields that <c>start</c> and the device actions carry.</summary>
internal static class DeviceParameters
{
    private const string Detect = "(detect)";

    /// <summary>The device fields a client may send (spec 4.2 <c>setDeviceAttributes</c>); <c>client</c> and <c>sdkVersion</c> are not among them.</summary>
    public static readonly string[] FieldNames =
    [
        "versionName", "appVersion", "systemName", "systemVersion", "browserName", "browserVersion", "deviceName",
        "deviceModel", "iosPushToken", "iosPushTypes", "iosPushCategories", "gcmRegistrationId", "huaweiPushRegId",
        "webPushSubscription",
    ];

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

    /// <summary>
    /// Everything a device action says about device <paramref name="deviceId"/>: <see cref="Read"/> plus the iOS
    /// notification settings (<c>iosPushTypes</c>, a bit mask; <c>iosPushCategories</c>, an array or its JSON text).
    /// </summary>
    public static DeviceUpdate ReadUpdate(ParameterSet p, string deviceId)
    {
        var info = Read(p);
        var types = p.Long("iosPushTypes");
        List<string>? categories = null;
        if (p.Json("iosPushCategories") is { } json)
        {
            if (json.ValueKind != JsonValueKind.Array)
                throw new InvalidParameterException("Invalid value for 'iosPushCategories': expected a JSON array");
            categories = json.EnumerateArray().Select(AttributeParameters.ItemText).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        }
        return new DeviceUpdate { Id = deviceId, Info = info, IosPushTypes = types, IosPushCategories = categories };
    }

    /// <summary>The parameters of a JSON object (a device of <c>devices</c>, a nested <c>deviceAttributes</c>).</summary>
    public static ParameterSet ParametersOf(JsonElement obj, int maxJsonDepth) =>
        new(obj.EnumerateObject().GroupBy(f => f.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value.Clone(), StringComparer.Ordinal))
        {
            MaxJsonDepth = maxJsonDepth,
        };

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

    /// <summary>True when <paramref name="location"/> is <c>lat,lon</c> in degrees (latitude -90..90, longitude -180..180).</summary>
    public static bool IsLocation(string location)
    {
        var parts = location.Split(',');
        return parts.Length == 2
            && double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat)
            && double.TryParse(parts[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon)
            && lat is >= -90 and <= 90
            && lon is >= -180 and <= 180;
    }

    /// <summary><c>(detect)</c> asks for geo-IP; without a provider the value stays unknown.</summary>
    private static string? Known(string? value) =>
        value is null || string.Equals(value, Detect, StringComparison.Ordinal) ? null : value;
}
