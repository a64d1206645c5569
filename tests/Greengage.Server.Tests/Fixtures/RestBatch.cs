using System.Text;
using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// A server-side REST caller's batch, spec 1.6 row C: POST <c>/api</c> with the <c>application/json</c> body
/// <c>{"action":"multi","appId":...,"clientKey":...,"apiVersion":"1.0.6","time":...,"data":[...]}</c>
/// (spec 1.6 "Documented request"); items hold nested JSON (REST docs show nested objects, spec 1.4).
/// </summary>
public static class RestBatch
{
    public static JsonObject Envelope(string? appId, string? clientKey, IEnumerable<JsonObject> items, string? time = null)
    {
        var body = new JsonObject { ["action"] = "multi" };
        if (appId is not null)
            body["appId"] = appId;
        if (clientKey is not null)
            body["clientKey"] = clientKey;
        body["apiVersion"] = "1.0.6";
        body["time"] = time ?? WireTime.Js(WireTime.NowMs());
        body["data"] = new JsonArray(items.Select(i => (JsonNode?)i.DeepClone()).ToArray());
        return body;
    }

    public static HttpRequestMessage Request(JsonObject body) => new(HttpMethod.Post, "/api")
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    /// <summary>A single REST call (not a multi) as a JSON body.</summary>
    public static HttpRequestMessage Single(JsonObject body) => Request(body);
}
