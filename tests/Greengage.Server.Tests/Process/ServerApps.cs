using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Greengage.Server.Admin;

namespace Greengage.Server.Tests.Processes;

/// <summary>An app's id and its four keys, as a real server handed them out.</summary>
public sealed record AppCredentials(string AppId, string ProductionKey, string DevelopmentKey, string DataExportKey, string ContentReadOnlyKey);

/// <summary>
/// Getting an app out of a running <see cref="ServerProcess"/>: the demo app (and admin token) a first start prints,
/// or a new app through <c>POST /admin/v1/apps</c>; and plain <c>/api</c> calls for checks.
/// </summary>
public static partial class ServerApps
{
    public static readonly TimeSpan OutputTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The value of "Admin token (kept in …): &lt;token&gt;", written on a start that generated the token.</summary>
    public static async Task<string> ReadPrintedAdminTokenAsync(this ServerProcess server)
    {
        var line = await server.WaitForLineAsync(l => AdminTokenLine().IsMatch(l), OutputTimeout);
        return AdminTokenLine().Match(line).Groups["token"].Value;
    }

    /// <summary>
    /// The demo app a first start prints: "Demo app created. appId: …" followed by one "  &lt;class&gt; key: …" line per key
    /// class (production, development, dataExport, contentReadOnly) in any order.
    /// </summary>
    public static async Task<AppCredentials> ReadPrintedDemoAppAsync(this ServerProcess server)
    {
        var created = await server.WaitForLineAsync(l => DemoAppLine().IsMatch(l), OutputTimeout);
        var appId = DemoAppLine().Match(created).Groups["appId"].Value;
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyClass in new[] { "production", "development", "dataExport", "contentReadOnly" })
        {
            var line = await server.WaitForLineAsync(l => KeyLine().Match(l) is { Success: true } m && m.Groups["class"].Value == keyClass, OutputTimeout);
            keys[keyClass] = KeyLine().Match(line).Groups["key"].Value;
        }
        return new AppCredentials(appId, keys["production"], keys["development"], keys["dataExport"], keys["contentReadOnly"]);
    }

    /// <summary>Creates an app through the admin API (the server must run with that admin token).</summary>
    public static async Task<AppCredentials> CreateAppAsync(this ServerProcess server, string adminToken, string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/v1/apps") { Content = JsonContent.Create(new { name }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await server.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST /admin/v1/apps answered {(int)response.StatusCode}: {body}\n{server.Describe()}");
        var app = JsonSerializer.Deserialize<AppResponse>(body, JsonSerializerOptions.Web)!;
        return new AppCredentials(app.AppId, app.Keys.Production, app.Keys.Development, app.Keys.DataExport, app.Keys.ContentReadOnly);
    }

    /// <summary>POSTs one action as a form to <c>/api</c> and returns the HTTP status and the first response element.</summary>
    public static async Task<(HttpStatusCode Status, JsonObject Element)> CallAsync(this ServerProcess server, IDictionary<string, string> fields)
    {
        using var response = await server.Http.PostAsync("/api", new FormUrlEncodedContent(fields));
        var text = await response.Content.ReadAsStringAsync();
        var element = JsonNode.Parse(text)?["response"]?[0]?.AsObject()
            ?? throw new InvalidOperationException($"/api answered {(int)response.StatusCode} without a response element: {text}");
        return (response.StatusCode, element);
    }

    /// <summary><c>exportUser</c> with the data export key.</summary>
    public static async Task<JsonObject> ExportUserAsync(this ServerProcess server, AppCredentials app, string userId)
    {
        var (status, element) = await server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId,
            ["clientKey"] = app.DataExportKey,
            ["action"] = "exportUser",
            ["userId"] = userId,
        });
        if (status != HttpStatusCode.OK)
            throw new InvalidOperationException($"exportUser answered {(int)status}: {element.ToJsonString()}");
        return element;
    }

    [GeneratedRegex(@"^Admin token \(kept in .+\): (?<token>\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex AdminTokenLine();

    [GeneratedRegex(@"^Demo app created\. appId: (?<appId>\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex DemoAppLine();

    [GeneratedRegex(@"^\s+(?<class>\w+) key: (?<key>\S+)$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyLine();
}
