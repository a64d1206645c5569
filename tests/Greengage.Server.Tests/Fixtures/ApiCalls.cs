using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>Helpers shared by the envelope and admin tests: unique ids, export reads, element accessors, gzip.</summary>
public static class ApiCalls
{
    /// <summary>A user id no other test uses.</summary>
    public static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    public static string? ErrorOf(JsonObject element) => (string?)element["error"]?["message"];

    public static string? ReqIdOf(JsonObject element) => (string?)element["reqId"];

    public static bool SuccessOf(JsonObject element) => (bool)element["success"]!;

    /// <summary>A single action as an urlencoded form POST.</summary>
    public static Task<ApiClient.Reply> FormAsync(HttpClient http, Dictionary<string, string> fields) =>
        ApiClient.FormAsync(http, fields);

    /// <summary>A single action as a GET with everything in the query.</summary>
    public static Task<ApiClient.Reply> GetAsync(HttpClient http, Dictionary<string, string> query) =>
        ApiClient.SendAsync(http, new HttpRequestMessage(HttpMethod.Get, "/api?" + QueryString(query)));

    public static string QueryString(Dictionary<string, string> query) =>
        string.Join('&', query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));

    /// <summary><c>exportUser</c> with the data-export key; asserts the call itself worked and returns its element.</summary>
    public static async Task<JsonObject> ExportUserAsync(HttpClient http, GreengageFactory factory, string userId)
    {
        var reply = await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId,
            ["clientKey"] = factory.DataExportKey,
            ["action"] = "exportUser",
            ["userId"] = userId,
        });
        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Single(reply.Response);
        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        return reply[0];
    }

    /// <summary>The exported aggregate of one event; fails the test when the event is missing.</summary>
    public static async Task<JsonObject> ExportedEventAsync(HttpClient http, GreengageFactory factory, string userId, string eventName)
    {
        var export = await ExportUserAsync(http, factory, userId);
        var events = export["events"]?.AsObject();
        Assert.NotNull(events);
        Assert.True(events.ContainsKey(eventName), $"'{eventName}' missing from {events.ToJsonString()}");
        return events[eventName]!.AsObject();
    }

    public static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(text));
        return buffer.ToArray();
    }

    public static string Gunzip(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>A form body encoded the way <see cref="FormUrlEncodedContent"/> does, as text.</summary>
    public static async Task<string> FormText(Dictionary<string, string> fields) =>
        await new FormUrlEncodedContent(fields).ReadAsStringAsync();
}
