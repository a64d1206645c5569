using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>An answer read byte for byte, so that a non-JSON or non-envelope answer is reported rather than thrown.</summary>
public sealed record RawReply(HttpStatusCode Status, string? MediaType, string Text, JsonObject? Json)
{
    public int Code => (int)Status;

    /// <summary>The <c>response</c> array, or null when the answer is not the envelope.</summary>
    public JsonArray? Response => Json?["response"] as JsonArray;

    public JsonObject Element(int i) => Response![i]!.AsObject();

    public override string ToString() => $"HTTP {Code} ({MediaType ?? "no content type"}): {Shorten(Text)}";

    private static string Shorten(string text) => text.Length > 600 ? text[..600] + " ..." : text;
}

/// <summary>Sends hand-built requests to <c>/api</c> and checks the envelope rules.</summary>
public static class RawApi
{
    /// <summary>A request that takes longer than this is a hang.</summary>
    public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(30);

    public static HttpClient Client(GreengageFactory factory)
    {
        var http = factory.CreateClient();
        http.Timeout = HangTimeout;
        return http;
    }

    public static async Task<RawReply> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        JsonObject? json = null;
        try
        {
            json = JsonNode.Parse(bytes) as JsonObject;
        }
        catch (JsonException)
        {
        }
        return new RawReply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, json);
    }

    /// <summary>Raw bytes with an exact Content-Type header (or none), optionally a Content-Encoding.</summary>
    public static HttpContent Bytes(byte[] body, string? contentType, string? contentEncoding = null)
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (contentEncoding is not null)
            content.Headers.TryAddWithoutValidation("Content-Encoding", contentEncoding);
        return content;
    }

    public static HttpContent Text(string body, string? contentType) => Bytes(Encoding.UTF8.GetBytes(body), contentType);

    public static HttpRequestMessage Post(string pathAndQuery, HttpContent? content) =>
        new(HttpMethod.Post, pathAndQuery) { Content = content };

    public static string Query(params (string Name, string Value)[] pairs) =>
        string.Join('&', pairs.Select(p => Uri.EscapeDataString(p.Name) + "=" + Uri.EscapeDataString(p.Value)));

    /// <summary>A form body (application/x-www-form-urlencoded) from pairs; values are encoded as clients do.</summary>
    public static HttpContent Form(params (string Name, string Value)[] pairs) =>
        Bytes(Encoding.ASCII.GetBytes(Query(pairs)), "application/x-www-form-urlencoded");

    /// <summary>
    /// The answer is the Leanplum envelope: JSON content, an object with a non-empty <c>response</c> array whose
    /// every element is an object with a boolean <c>success</c>; never a 5xx.
    /// </summary>
    public static void AssertEnvelope(RawReply reply)
    {
        Assert.True(reply.Code < 500, $"5xx for client input: {reply}");
        Assert.True(reply.MediaType == "application/json", $"Content-Type is not application/json: {reply}");
        Assert.True(reply.Response is { Count: > 0 }, $"Not the envelope, or an empty response array: {reply}");
        foreach (var element in reply.Response!)
        {
            Assert.True(element is JsonObject, $"A response element is not an object: {reply}");
            Assert.True(element!["success"] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
                $"A response element has no boolean 'success': {reply}");
        }
    }

    /// <summary>A failed element: <c>success:false</c> with a non-empty <c>error.message</c>.</summary>
    public static void AssertFailedElement(RawReply reply, int index)
    {
        var element = reply.Element(index);
        Assert.True(element["success"]!.GetValue<bool>() == false, $"Element {index} succeeded: {reply}");
        var message = (element["error"] as JsonObject)?["message"];
        Assert.True(message is JsonValue m && m.GetValueKind() == JsonValueKind.String && m.GetValue<string>().Trim().Length > 0,
            $"Element {index} has no error.message: {reply}");
    }

    /// <summary>The whole request was refused: 4xx, the envelope, every element failed with a message.</summary>
    public static void AssertRejected(RawReply reply, int? elements = null)
    {
        AssertEnvelope(reply);
        Assert.True(reply.Code is >= 400 and < 500, $"Expected a 4xx: {reply}");
        if (elements is { } n)
            Assert.True(reply.Response!.Count == n, $"Expected {n} response elements: {reply}");
        for (var i = 0; i < reply.Response!.Count; i++)
            AssertFailedElement(reply, i);
    }

    /// <summary>A form POST of <c>exportUser</c> with the data export key; returns the one element.</summary>
    public static async Task<JsonObject> ExportUserAsync(HttpClient http, GreengageFactory factory, string userId)
    {
        var reply = await SendAsync(http, Post("/api", Form(
            ("appId", factory.AppId), ("clientKey", factory.DataExportKey), ("action", "exportUser"), ("userId", userId))));
        AssertEnvelope(reply);
        return reply.Element(0);
    }

    /// <summary>Nothing was stored for the user: <c>exportUser</c> answers the not-found warning.</summary>
    public static async Task AssertUserNotStoredAsync(HttpClient http, GreengageFactory factory, string userId)
    {
        var element = await ExportUserAsync(http, factory, userId);
        Assert.True(element["warning"]?["message"]?.GetValue<string>() == Greengage.Protocol.Responses.KnownErrors.UserNotFound,
            $"User '{Shorten(userId)}' was stored: {element.ToJsonString()}");
    }

    /// <summary>The user exists; returns the export element.</summary>
    public static async Task<JsonObject> AssertUserStoredAsync(HttpClient http, GreengageFactory factory, string userId)
    {
        var element = await ExportUserAsync(http, factory, userId);
        Assert.True(element["success"]!.GetValue<bool>() && element["warning"] is null,
            $"User '{Shorten(userId)}' is missing: {element.ToJsonString()}");
        return element;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "..." : s;
}
