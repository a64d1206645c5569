using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// An Android SDK 7.x batch, spec 1.6 row A ("form field <c>data</c> = JSON text of an object <c>{"data":[...]}</c>"),
/// sent as in spec 1.2 (POST, <c>application/x-www-form-urlencoded</c>, top-level <c>appId, clientKey,
/// client=android, data, sdkVersion, action=multi, time</c>). Items carry the spec 1.6 "Android" fields:
/// <c>deviceId, userId, action, sdkVersion, devMode, time, reqId, ct, token?, uuid</c>, with <c>devMode</c> as
/// the text <c>"false"</c>, <c>time</c> as Java double text and <c>params</c>/<c>userAttributes</c> as JSON text.
/// </summary>
public sealed class AndroidBatch(string userId, string? deviceId = null)
{
    public const string SdkVersion = "7.2.1";

    public string UserId { get; } = userId;

    public string DeviceId { get; } = deviceId ?? userId;

    /// <summary>The batch id: the same for every request queued together (spec 1.3 <c>uuid</c>).</summary>
    public string Uuid { get; } = Guid.NewGuid().ToString();

    /// <summary>The <c>reqId</c> of every item built so far, in order.</summary>
    public List<string> ReqIds { get; } = [];

    /// <summary>An item with the Android common fields and <paramref name="extra"/> action parameters.</summary>
    public JsonObject Item(string action, JsonObject? extra = null)
    {
        var reqId = Guid.NewGuid().ToString();
        ReqIds.Add(reqId);
        var item = new JsonObject
        {
            ["deviceId"] = DeviceId,
            ["userId"] = UserId,
            ["action"] = action,
            ["sdkVersion"] = SdkVersion,
            ["devMode"] = "false",
            ["time"] = WireTime.Java(WireTime.NowMs()),
            ["reqId"] = reqId,
            ["ct"] = false,
            ["uuid"] = Uuid,
        };
        foreach (var (name, value) in extra ?? [])
            item[name] = value?.DeepClone();
        return item;
    }

    /// <summary>A first <c>start</c> as the Android SDK sends it.</summary>
    public JsonObject Start() => Item("start", new JsonObject
    {
        ["versionName"] = "3.4.1",
        ["systemName"] = "Android OS",
        ["systemVersion"] = "14",
        ["deviceName"] = "Google Pixel 8",
        ["deviceModel"] = "Pixel 8",
        ["locale"] = "de_DE",
        ["timezone"] = "Europe/Berlin",
        ["timezoneOffsetSeconds"] = "3600",
        ["country"] = "(detect)",
        ["region"] = "(detect)",
        ["city"] = "(detect)",
        ["location"] = "(detect)",
        ["includeDefaults"] = "false",
        ["background"] = "false",
        ["installDate"] = "1701000000",
        ["updateDate"] = "1701000000",
        ["limitTracking"] = "false",
        ["newsfeedMessages"] = new JsonArray(),
        ["gcmRegistrationId"] = "fMqY3nQ7Rk2:APA91bH-example-token",
    });

    /// <summary>A <c>track</c>: <c>value</c> always sent (Android's default <c>"0.0"</c>), <c>params</c> as JSON text.</summary>
    public JsonObject Track(string eventName, string value = "0.0", string? paramsJson = null)
    {
        var extra = new JsonObject { ["event"] = eventName, ["value"] = value };
        if (paramsJson is not null)
            extra["params"] = paramsJson;
        return Item("track", extra);
    }

    /// <summary>A <c>setUserAttributes</c> with the attributes as JSON text.</summary>
    public JsonObject SetUserAttributes(string attributesJson) =>
        Item("setUserAttributes", new JsonObject { ["userAttributes"] = attributesJson });

    /// <summary>The form fields of the whole request: <c>data</c> holds <c>{"data":[...]}</c> as text.</summary>
    public static Dictionary<string, string> Form(string appId, string clientKey, IEnumerable<JsonObject> items) => new()
    {
        ["appId"] = appId,
        ["clientKey"] = clientKey,
        ["client"] = "android",
        ["data"] = new JsonObject { ["data"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) }.ToJsonString(),
        ["sdkVersion"] = SdkVersion,
        ["action"] = "multi",
        ["time"] = WireTime.Java(WireTime.NowMs()),
    };
}
