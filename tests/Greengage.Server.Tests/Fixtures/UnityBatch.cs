using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// A Unity (native C#) batch, spec 1.6 row A sent as Unity <c>WWWForm</c> fields (spec 1.2: form-urlencoded or
/// multipart). <c>client</c> is <c>unity-&lt;platform&gt;</c> (spec 1.3), <c>devMode</c> is C# <c>bool.ToString()</c>
/// (<c>"False"</c>/<c>"True"</c>, spec 1.4) and <c>newsfeedMessages</c> is JSON text (spec 1.4).
/// </summary>
public sealed class UnityBatch(string userId, bool devMode)
{
    public const string SdkVersion = "4.1.0";
    public const string Client = "unity-android";

    public string UserId { get; } = userId;

    public string DeviceId { get; } = "unity-" + Guid.NewGuid().ToString("N")[..16];

    public string Uuid { get; } = Guid.NewGuid().ToString();

    public List<string> ReqIds { get; } = [];

    public JsonObject Item(string action, JsonObject? extra = null)
    {
        var reqId = Guid.NewGuid().ToString();
        ReqIds.Add(reqId);
        var item = new JsonObject
        {
            ["action"] = action,
            ["deviceId"] = DeviceId,
            ["userId"] = UserId,
            ["sdkVersion"] = SdkVersion,
            ["client"] = Client,
            ["devMode"] = devMode ? "True" : "False",
            ["time"] = WireTime.Js(WireTime.NowMs()),
            ["reqId"] = reqId,
            ["uuid"] = Uuid,
        };
        foreach (var (name, value) in extra ?? [])
            item[name] = value?.DeepClone();
        return item;
    }

    public JsonObject Start() => Item("start", new JsonObject
    {
        ["versionName"] = "1.0.7",
        ["systemName"] = "Android OS",
        ["systemVersion"] = "Android OS 13 / API-33",
        ["deviceModel"] = "samsung SM-G991B",
        ["locale"] = "fr_FR",
        ["timezone"] = "Europe/Paris",
        ["includeDefaults"] = "False",
        ["background"] = "False",
        ["newsfeedMessages"] = "[]",
    });

    public JsonObject Track(string eventName, string value = "0") =>
        Item("track", new JsonObject { ["event"] = eventName, ["value"] = value, ["params"] = "{\"map\":\"forest\"}" });

    public static Dictionary<string, string> Fields(string appId, string clientKey, IEnumerable<JsonObject> items) => new()
    {
        ["appId"] = appId,
        ["clientKey"] = clientKey,
        ["client"] = Client,
        ["sdkVersion"] = SdkVersion,
        ["action"] = "multi",
        ["time"] = WireTime.Js(WireTime.NowMs()),
        ["data"] = new JsonObject { ["data"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) }.ToJsonString(),
    };
}
