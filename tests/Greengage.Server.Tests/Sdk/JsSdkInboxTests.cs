using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// The inbox through the real Leanplum JS SDK 1.9.0 (tests/js-sdk, <c>--scenario inbox</c> then
/// <c>--scenario inbox-again</c>; see tests/js-sdk/scenario-inbox.mjs) against the real server process: two inbox
/// messages written through the admin API are sent to a user with <c>sendMessage</c>; the SDK's start sees
/// <c>syncNewsfeed</c>, downloads the inbox, and <c>Leanplum.inbox()</c> shows both items as rendered for the user; the
/// oldest is read (its open action runs, its Open event is tracked) and the newest removed. A second process (a new
/// device) starts the same user and sees just the read item, still read.
/// </summary>
public sealed class JsSdkInboxTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    [Fact]
    public async Task Inbox_SentByTheServer_IsDownloadedReadAndRemovedByTheSdk_AndStaysSoForTheNextStart()
    {
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK inbox");
        var user = "js-inbox-" + Guid.NewGuid().ToString("N");
        var welcome = await InboxMessageAsync(app, new JsonObject
        {
            ["Title"] = "Welcome {{userAttribute['name']}}",
            ["Subtitle"] = "Your code: {{Value \"code\"}}",
            ["Image"] = "https://cdn.example.com/welcome.png",
            ["Data"] = new JsonObject { ["level"] = 3 },
            ["Open action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/welcome" },
        });
        var sale = await InboxMessageAsync(app, new JsonObject
        {
            ["Title"] = "Sale",
            ["Open action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/sale" },
        });
        await ApiAsync(app, new() { ["action"] = "setUserAttributes", ["userId"] = user, ["userAttributes"] = """{"name":"Ada"}""" });
        var sent = await ApiAsync(app, new() { ["action"] = "sendMessage", ["userId"] = user, ["messageId"] = welcome.ToString(System.Globalization.CultureInfo.InvariantCulture), ["values"] = """{"code":"JS-1"}""" });
        Assert.Equal("sent", (string?)sent["result"]);
        await ApiAsync(app, new() { ["action"] = "sendMessage", ["userId"] = user, ["messageId"] = sale.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        var first = await RunAsync(user, app, "inbox");

        Assert.True((bool)first["syncRequested"]!, "the start answer did not make the SDK download the inbox");
        var items = first["inbox"]!.AsArray().Select(i => i!.AsObject()).ToDictionary(i => (string)i["id"]!);
        Assert.Equal(new[] { $"{welcome}##1", $"{sale}##1" }.Order(StringComparer.Ordinal), items.Keys.Order(StringComparer.Ordinal));
        var shown = items[$"{welcome}##1"];
        Assert.Equal("Welcome Ada", (string?)shown["title"]);
        Assert.Equal("Your code: JS-1", (string?)shown["subtitle"]);
        Assert.Equal("https://cdn.example.com/welcome.png", (string?)shown["imageUrl"]);
        Assert.Equal(3, (int)shown["data"]!["level"]!);
        Assert.Equal("Open URL", (string?)shown["openAction"]!["__name__"]);
        Assert.Equal("https://example.com/welcome", (string?)shown["openAction"]!["URL"]);
        Assert.False((bool)shown["isRead"]!);
        // deliveryTimestamp is milliseconds: within a minute of now.
        Assert.InRange((long)shown["timestamp"]!, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var read = (string)first["read"]!;
        var removed = (string)first["removed"]!;
        Assert.NotEqual(read, removed);
        Assert.Equal([(string?)items[read]["openAction"]!["URL"]], first["navigations"]!.AsArray().Select(n => (string?)n));
        Assert.Equal(1, (int)first["after"]!["count"]!);
        Assert.Equal(0, (int)first["after"]!["unreadCount"]!);

        // The server kept what the SDK did.
        var download = await ApiAsync(app, new() { ["action"] = "getNewsfeedMessages", ["userId"] = user });
        var kept = Assert.Single(download["newsfeedMessages"]!.AsObject());
        Assert.Equal(read, kept.Key);
        Assert.True((bool)kept.Value!["isRead"]!);
        var exported = await fixture.Server.ExportUserAsync(app, user);
        Assert.NotNull(exported["events"]?[$".m{read.Split("##")[0]} Open"]);

        var second = await RunAsync(user, app, "inbox-again");

        Assert.NotEqual((string?)first["deviceId"], (string?)second["deviceId"]);
        Assert.True((bool)second["syncRequested"]!, "a new device holding nothing was not told to download the inbox");
        var again = Assert.Single(second["inbox"]!.AsArray())!;
        Assert.Equal(read, (string?)again["id"]);
        Assert.True((bool)again["isRead"]!);
        Assert.Equal((string?)items[read]["title"], (string?)again["title"]);
    }

    private async Task<HarnessRun> RunAndCheckAsync(string user, AppCredentials app, string scenario)
    {
        var run = await fixture.RunHarnessAsync(user, app, ["--scenario", scenario]);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, $"The harness ({scenario}) failed.\n{run}\n{fixture.Server.Describe()}");
        return run;
    }

    private async Task<JsonObject> RunAsync(string user, AppCredentials app, string scenario) =>
        (await RunAndCheckAsync(user, app, scenario)).Result ?? throw new Xunit.Sdk.XunitException($"The harness ({scenario}) printed no JSON line.");

    /// <summary>An active inbox message that a production key may send, written through the admin API.</summary>
    private async Task<long> InboxMessageAsync(AppCredentials app, JsonObject values)
    {
        var created = await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new { name = "Inbox " + Guid.NewGuid().ToString("N")[..6], channel = "inbox", values, apiSends = true });
        var id = (long)created["id"]!;
        await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate", null);
        return id;
    }

    /// <summary>One action with the production key, as a form; it must succeed.</summary>
    private async Task<JsonObject> ApiAsync(AppCredentials app, Dictionary<string, string> fields)
    {
        fields["appId"] = app.AppId;
        fields["clientKey"] = app.ProductionKey;
        var (status, element) = await fixture.Server.CallAsync(fields);
        Assert.True(status == HttpStatusCode.OK && (bool?)element["success"] == true, $"{fields["action"]} answered {(int)status}: {element.ToJsonString()}");
        return element;
    }
}
