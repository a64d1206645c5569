using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Tracking;

/// <summary>
/// Spec 6.2 limits per app (event, state, attribute and parameter names; no name both an event and a state), with small
/// configured limits: an item that needs a name the app may not take fails with a clear error and records nothing;
/// names the app has keep working.
/// </summary>
public sealed class AppNameLimitTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "greengage-names-" + Guid.NewGuid().ToString("N"));
    private GreengageFactory _factory;
    private readonly StoredApp _app;

    public AppNameLimitTests()
    {
        _factory = NewFactory();
        _app = _factory.Services.GetRequiredService<AppService>().CreateAsync("Names", CancellationToken.None).GetAwaiter().GetResult();
    }

    private GreengageFactory NewFactory()
    {
        var factory = new GreengageFactory();
        factory.Settings["Greengage:DataDirectory"] = _data;
        factory.Settings["Greengage:Limits:MaxEventNamesPerApp"] = "3";
        factory.Settings["Greengage:Limits:MaxStateNamesPerApp"] = "2";
        factory.Settings["Greengage:Limits:MaxAttributeNamesPerApp"] = "2";
        factory.Settings["Greengage:Limits:MaxParameterNamesPerApp"] = "2";
        return factory;
    }

    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task<ApiClient.Reply> Send(params object[] items) =>
        ApiClient.MultiAsync(_factory.CreateClient(), _app.AppId, _app.Keys["production"], items);

    private async Task<JsonObject> Export(string user) =>
        (await ApiClient.FormAsync(_factory.CreateClient(), new Dictionary<string, string>
        {
            ["appId"] = _app.AppId, ["clientKey"] = _app.Keys["dataExport"], ["action"] = "exportUser", ["userId"] = user,
        }))[0];

    private static void AssertFails(JsonObject element, string message)
    {
        Assert.False((bool)element["success"]!);
        Assert.Equal(message, (string?)element["error"]!["message"]);
    }

    [Fact]
    public async Task EventNames_OverTheLimit_FailTheItem_KnownNamesKeepWorking()
    {
        var reply = await Send(
            new { action = "track", userId = "u1", @event = "E1" },
            new { action = "track", userId = "u1", @event = "E2" },
            new { action = "track", userId = "u2", @event = "E3" },
            new { action = "track", userId = "u2", @event = "E4" },
            new { action = "track", userId = "u2", @event = "E1" });

        Assert.All(new[] { 0, 1, 2, 4 }, i => Assert.True((bool)reply[i]["success"]!));
        AssertFails(reply[3], "This app already has 3 event names (the limit); 'E4' is not recorded.");
        var u2 = (await Export("u2"))["events"]!.AsObject();
        Assert.Equal(["E1", "E3"], u2.Select(e => e.Key).Order());
        // Message events are the server's own names and do not count.
        Assert.True((bool)(await Send(new { action = "track", userId = "u1", messageId = "77", @event = "Open" }))[0]["success"]!);
    }

    [Fact]
    public async Task EventAndState_MustNotShareAName()
    {
        await Send(new { action = "track", userId = "u1", @event = "Home" });

        var reply = await Send(new { action = "advance", userId = "u1", state = "Home" });

        AssertFails(reply[0], "'Home' is already an event name of this app; an event and a state must not share a name.");
        Assert.Empty((await Export("u1"))["states"]!.AsObject());
    }

    [Fact]
    public async Task AttributeAndParameterNames_AreLimitedPerApp()
    {
        Assert.True((bool)(await Send(new { action = "setUserAttributes", userId = "u1", userAttributes = new { a = 1, b = 2 } }))[0]["success"]!);
        var attributes = await Send(new { action = "setUserAttributes", userId = "u2", userAttributes = new { a = 5, c = 3 } });
        AssertFails(attributes[0], "This app already has 2 attribute names (the limit); 'c' is not recorded.");
        Assert.Equal("User not found; request skipped.", (string?)(await Export("u2"))["warning"]!["message"]);

        Assert.True((bool)(await Send(new { action = "track", userId = "u1", @event = "P", @params = new { p1 = 1, p2 = "x" } }))[0]["success"]!);
        var parameters = await Send(new { action = "advance", userId = "u1", state = "S", @params = new { p3 = 1 } });
        AssertFails(parameters[0], "This app already has 2 parameter names (the limit); 'p3' is not recorded.");
    }

    [Fact]
    public async Task Limits_HoldAfterARestart()
    {
        await Send(new { action = "advance", userId = "u1", state = "S1" }, new { action = "advance", userId = "u1", state = "S2" });
        _factory.Dispose();
        _factory = NewFactory();

        var reply = await Send(
            new { action = "advance", userId = "u1", state = "S3" },
            new { action = "advance", userId = "u1", state = "S1" });

        AssertFails(reply[0], "This app already has 2 state names (the limit); 'S3' is not recorded.");
        Assert.True((bool)reply[1]["success"]!);
    }
}
