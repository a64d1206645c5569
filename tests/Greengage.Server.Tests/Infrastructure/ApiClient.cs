using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Server.Tests.Infrastructure;

/// <summary>Small helpers to call <c>/api</c> and read the envelope.</summary>
public static class ApiClient
{
    public sealed record Reply(HttpStatusCode Status, JsonArray Response, HttpResponseMessage Message)
    {
        public JsonObject this[int i] => Response[i]!.AsObject();
    }

    /// <summary>POSTs a JS-SDK-shaped multi: auth in the query, <c>{"data":[...]}</c> as a text/plain body.</summary>
    public static Task<Reply> MultiAsync(HttpClient http, string appId, string key, params object[] items) =>
        SendAsync(http, new HttpRequestMessage(HttpMethod.Post,
            $"/api?appId={appId}&client=js&clientKey={Uri.EscapeDataString(key)}&sdkVersion=1.9.0&action=multi&time={Now()}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { data = items }), Encoding.UTF8, "text/plain"),
        });

    /// <summary>POSTs a single action as a form.</summary>
    public static Task<Reply> FormAsync(HttpClient http, IDictionary<string, string> fields) =>
        SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "/api") { Content = new FormUrlEncodedContent(fields) });

    public static async Task<Reply> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(text)!.AsObject();
        return new Reply(response.StatusCode, json["response"]!.AsArray(), response);
    }

    public static string Now() => (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
}
