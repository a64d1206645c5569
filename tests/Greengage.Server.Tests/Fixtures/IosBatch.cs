using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// An iOS SDK 6.x batch, spec 1.6 row A (form field <c>data</c> = JSON text of <c>{"data":[...]}</c>) with the top-level
/// fields of spec 1.2 (<c>client=ios</c>). Items carry the spec 1.6 "iOS" fields: <c>action, deviceId, userId,
/// sdkVersion, client, devMode, time, reqId, token?, uuid, ct?</c>; <c>devMode</c> is a JSON boolean, <c>time</c> is
/// <c>"%f"</c> text, and <c>setUserAttributes</c> always carries <c>newUserId:""</c> (spec 1.4).
/// </summary>
public sealed class IosBatch(string userId, bool devMode)
{
    public const string SdkVersion = "6.4.2";

    public string UserId { get; } = userId;

    public string DeviceId { get; } = "A1B2C3D4-" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    public string Uuid { get; } = Guid.NewGuid().ToString().ToUpperInvariant();

    public List<string> ReqIds { get; } = [];

    public JsonObject Item(string action, JsonObject? extra = null)
    {
        var reqId = Guid.NewGuid().ToString().ToUpperInvariant();
        ReqIds.Add(reqId);
        var item = new JsonObject
        {
            ["action"] = action,
            ["deviceId"] = DeviceId,
            ["userId"] = UserId,
            ["sdkVersion"] = SdkVersion,
            ["client"] = "ios",
            ["devMode"] = devMode,
            ["time"] = WireTime.PercentF(WireTime.NowMs()),
            ["reqId"] = reqId,
            ["uuid"] = Uuid,
            ["ct"] = true,
        };
        foreach (var (name, value) in extra ?? [])
            item[name] = value?.DeepClone();
        return item;
    }

    /// <summary>A <c>start</c> as the iOS SDK sends it: <c>trafficSource</c> as a real object, <c>deviceName</c> only in dev mode.</summary>
    public JsonObject Start()
    {
        var extra = new JsonObject
        {
            ["versionName"] = "2.8.0",
            ["systemName"] = "iOS",
            ["systemVersion"] = "17.2",
            ["deviceModel"] = "iPhone15,2",
            ["locale"] = "en_US",
            ["timezone"] = "America/Los_Angeles",
            ["timezoneOffsetSeconds"] = -28800,
            ["country"] = "(detect)",
            ["region"] = "(detect)",
            ["city"] = "(detect)",
            ["location"] = "(detect)",
            ["includeDefaults"] = false,
            ["richPushEnabled"] = true,
            ["background"] = false,
            ["userAttributes"] = "{}",
            ["trafficSource"] = new JsonObject { ["publisherName"] = "Organic" },
            ["newsfeedMessages"] = new JsonArray(),
        };
        if (devMode)
            extra["deviceName"] = "QA iPhone";
        return Item("start", extra);
    }

    public JsonObject Track(string eventName, string value = "0.000000") =>
        Item("track", new JsonObject { ["event"] = eventName, ["value"] = value, ["params"] = "{}" });

    /// <summary>iOS sends <c>newUserId:""</c> when not switching users.</summary>
    public JsonObject SetUserAttributes(string attributesJson) =>
        Item("setUserAttributes", new JsonObject { ["userAttributes"] = attributesJson, ["newUserId"] = "" });

    public static Dictionary<string, string> Form(string appId, string clientKey, IEnumerable<JsonObject> items) => new()
    {
        ["appId"] = appId,
        ["clientKey"] = clientKey,
        ["client"] = "ios",
        ["sdkVersion"] = SdkVersion,
        ["action"] = "multi",
        ["time"] = WireTime.PercentF(WireTime.NowMs()),
        ["data"] = new JsonObject { ["data"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) }.ToJsonString(),
    };
}
