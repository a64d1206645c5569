using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace Greengage.Protocol.Requests;

/// <summary>
/// The parameter names SDKs send on every item, kept as one string each: a batch of 20 items names the same dozen
/// parameters 20 times, and reading each name from the document would make a new string every time.
/// </summary>
internal static class ParameterNames
{
    private static readonly string[] Known =
    [
        WireNames.Action, WireNames.AppId, WireNames.ClientKey, WireNames.DevMode, WireNames.Data, WireNames.ReqId,
        WireNames.Uuid, WireNames.Time, WireNames.UserId, WireNames.DeviceId, WireNames.Client, WireNames.SdkVersion,
        "versionName", "event", "value", "params", "info", "state", "messageId", "currencyCode", "disposition",
        "allowOffline", "createDisposition", "userAttributes", "newUserId", "locale", "timezone", "timezoneOffsetSeconds",
        "country", "region", "city", "location", "locationAccuracyType", "deviceName", "deviceModel", "systemName",
        "systemVersion", "background", "includeDefaults", "includeVariantDebugInfo", "gcmRegistrationId",
        "iosPushToken", "webPushSubscription",
    ];

    // By length in UTF-8 bytes: a lookup compares a handful of candidates at most.
    private static readonly (byte[] Utf8, string Name)[][] ByLength = Index();

    /// <summary>The property's name: the kept string when it is a known one, else read from the document.</summary>
    public static string Of(JsonProperty property)
    {
        // Raw as written: a name with escapes never matches, and is read (unescaped) from the document.
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (raw.Length < ByLength.Length)
        {
            foreach (var (utf8, name) in ByLength[raw.Length])
            {
                if (raw.SequenceEqual(utf8))
                    return name;
            }
        }
        return property.Name;
    }

    private static (byte[], string)[][] Index()
    {
        var byLength = new List<(byte[], string)>[Known.Max(n => n.Length) + 1];
        for (var i = 0; i < byLength.Length; i++)
            byLength[i] = [];
        foreach (var name in Known)
            byLength[name.Length].Add((Encoding.UTF8.GetBytes(name), name));
        return [.. byLength.Select(l => l.ToArray())];
    }
}
