using System.Text;
using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// A JS SDK 1.9 batch, spec 1.6 row B: auth and <c>action=multi</c> in the query (spec 1.2 row "JS SDK batched
/// calls"), the raw <c>text/plain</c> body <c>{"data":[...]}</c>. Items follow the spec 1.6 "JS" bullet: every
/// item repeats <c>appId, client, clientKey, sdkVersion, deviceId, userId, action, versionName, devMode, time</c>;
/// numbers stay numbers, <c>params</c>/<c>userAttributes</c> are JSON text; no <c>reqId</c>.
/// </summary>
public sealed class JsBatch(string appId, string clientKey, string userId)
{
    public const string SdkVersion = "1.9.0";

    public string UserId { get; } = userId;

    public string DeviceId { get; } = Guid.NewGuid().ToString("N")[..16];

    public JsonObject Item(string action, JsonObject? extra = null)
    {
        var item = new JsonObject
        {
            ["appId"] = appId,
            ["client"] = "js",
            ["clientKey"] = clientKey,
            ["sdkVersion"] = SdkVersion,
            ["deviceId"] = DeviceId,
            ["userId"] = UserId,
            ["action"] = action,
            ["versionName"] = "web-2024.1",
            ["devMode"] = false,
            ["time"] = WireTime.Js(WireTime.NowMs()),
        };
        foreach (var (name, value) in extra ?? [])
            item[name] = value?.DeepClone();
        return item;
    }

    public JsonObject Start() => Item("start", new JsonObject
    {
        ["userAttributes"] = "{}",
        ["browserName"] = "Chrome",
        ["browserVersion"] = "120.0",
        ["systemName"] = "Mac OS",
        ["locale"] = "(detect)",
        ["country"] = "(detect)",
        ["region"] = "(detect)",
        ["city"] = "(detect)",
        ["location"] = "(detect)",
        ["includeDefaults"] = false,
    });

    public JsonObject Track(string eventName, double value, string? paramsJson = null)
    {
        var extra = new JsonObject { ["event"] = eventName, ["value"] = value };
        if (paramsJson is not null)
            extra["params"] = paramsJson;
        return Item("track", extra);
    }

    /// <summary>The URL of the batch: everything but the items in the query.</summary>
    public string Url() =>
        $"/api?appId={Uri.EscapeDataString(appId)}&client=js&clientKey={Uri.EscapeDataString(clientKey)}&sdkVersion={SdkVersion}&action=multi&time={WireTime.Js(WireTime.NowMs())}";

    /// <summary>The body text <c>{"data":[...]}</c>.</summary>
    public static string Body(IEnumerable<JsonObject> items) =>
        new JsonObject { ["data"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray()) }.ToJsonString();

    public HttpRequestMessage Request(params JsonObject[] items) => new(HttpMethod.Post, Url())
    {
        Content = new StringContent(Body(items), Encoding.UTF8, "text/plain"),
    };
}
