using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Tracking;

/// <summary>Events and states end to end: <c>/api</c>, the user grain, the store, and <c>exportUser</c>.</summary>
public sealed class TrackingApiTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private static string NewUser() => "trk-" + Guid.NewGuid().ToString("N");

    private static string SecondsAgo(TimeSpan age) =>
        ((DateTimeOffset.UtcNow - age).ToUnixTimeMilliseconds() / 1000.0).ToString("F3", CultureInfo.InvariantCulture);

    private Task<ApiClient.Reply> Multi(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);

    private async Task<JsonObject> Export(HttpClient http, string user) =>
        (await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }))[0];

    [Fact]
    public async Task TrackAndAdvance_InASession_ExportUserShowsEventsAndStates()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Multi(http,
            new { action = "start", userId = user, deviceId = user },
            new { action = "advance", userId = user, deviceId = user, state = "Menu" },
            new { action = "track", userId = user, deviceId = user, @event = "Purchase", value = 4.5, @params = new { item = "sword" } },
            new { action = "track", userId = user, deviceId = user, @event = "Purchase", value = 0.5 },
            new { action = "pauseState", userId = user, deviceId = user },
            new { action = "resumeState", userId = user, deviceId = user },
            new { action = "advance", userId = user, deviceId = user, state = "Level 1", info = "easy" },
            new { action = "advance", userId = user, deviceId = user, state = "Menu" },
            new { action = "advance", userId = user, deviceId = user, state = "" });

        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!, r!.ToJsonString()));
        Assert.All(reply.Response, r => Assert.Null(r!["isOffline"]));
        var export = await Export(http, user);
        var purchase = export["events"]!["Purchase"]!;
        Assert.Equal(2L, (long)purchase["count"]!);
        Assert.Equal(5.0, (double)purchase["value"]!);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, purchase["firstTime"]!.GetValueKind());
        Assert.InRange((double)purchase["lastTime"]!, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        var states = export["states"]!.AsObject();
        Assert.Equal(2L, (long)states["Menu"]!["count"]!);
        Assert.Equal(1L, (long)states["Level 1"]!["count"]!);
        Assert.True((double)states["Menu"]!["lastTime"]! >= (double)states["Menu"]!["firstTime"]!);
        Assert.False(states["Menu"]!.AsObject().ContainsKey("value"));
    }

    [Fact]
    public async Task Track_RequireActiveWithoutSession_AnswersIgnoredAndExportsNothing()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Multi(http, new { action = "setUserAttributes", userId = user, userAttributes = new { plan = "free" } });
        var reply = await Multi(http, new { action = "track", userId = user, @event = "Gated", disposition = "requireActive", reqId = "q1" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.True((bool)reply[0]["ignored"]!);
        Assert.False(string.IsNullOrEmpty((string?)reply[0]["warning"]!["message"]));
        Assert.Equal("q1", (string?)reply[0]["reqId"]);
        Assert.False((await Export(http, user))["events"]!.AsObject().ContainsKey("Gated"));
    }

    [Fact]
    public async Task Track_RequireActiveInASession_IsRecorded()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Multi(http,
            new { action = "start", userId = user, deviceId = user },
            new { action = "track", userId = user, deviceId = user, @event = "Gated", disposition = "requireActive" });

        Assert.Null(reply[1]["ignored"]);
        Assert.Equal(1L, (long)(await Export(http, user))["events"]!["Gated"]!["count"]!);
    }

    [Fact]
    public async Task Track_FortyDaysOld_AnswersPastEventWarningAndIsOffline()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Multi(http, new { action = "track", userId = user, @event = "Old", time = SecondsAgo(TimeSpan.FromDays(40)) });

        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal("Past event detected (40 days ago). Rewriting timestamp.", (string?)reply[0]["warning"]!["message"]);
        Assert.True((bool)reply[0]["isOffline"]!);
        var lastTime = (double)(await Export(http, user))["events"]!["Old"]!["lastTime"]!;
        Assert.True(lastTime > DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), "rewritten to arrival");
    }

    [Fact]
    public async Task Track_TwentyDaysOld_KeepsItsClientTime()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Multi(http, new { action = "track", userId = user, @event = "Backlog", time = SecondsAgo(TimeSpan.FromDays(20)) });

        Assert.Null(reply[0]["warning"]);
        var lastTime = (double)(await Export(http, user))["events"]!["Backlog"]!["lastTime"]!;
        Assert.InRange(lastTime, DateTimeOffset.UtcNow.AddDays(-20).AddHours(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddDays(-20).AddHours(1).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Track_InvalidEventName_Answers400NamingTheRule()
    {
        var reply = await Multi(factory.CreateClient(), new { action = "track", userId = NewUser(), @event = "a|b" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.False((bool)reply[0]["success"]!);
        Assert.Equal("Invalid event name 'a|b': names must not contain ',', '|', '\"', '{', tabs or newlines.", (string?)reply[0]["error"]!["message"]);
    }

    [Fact]
    public async Task Track_CurrencyWithoutRate_IsKeptWithItsLocalPriceAndWarned()
    {
        var reply = await Multi(factory.CreateClient(), new { action = "track", userId = NewUser(), @event = "Purchase", value = 3, currencyCode = "XYZ" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal("No exchange rate from XYZ to USD is configured; value recorded as 0, localPrice kept.", (string?)reply[0]["warning"]!["message"]);
    }

    [Fact]
    public async Task Track_MalformedCurrency_Answers400()
    {
        var reply = await Multi(factory.CreateClient(), new { action = "track", userId = NewUser(), @event = "Purchase", value = 3, currencyCode = "EURO" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
    }

    [Fact]
    public async Task TrackGeofence_EnterRegion_IsExportedAsAnEvent()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Multi(http,
            new { action = "start", userId = user, deviceId = user },
            new { action = "trackGeofence", userId = user, deviceId = user, @event = "enter_region", @params = new { region = "Home" } });

        Assert.True((bool)reply[1]["success"]!);
        Assert.Equal(1L, (long)(await Export(http, user))["events"]!["enter_region"]!["count"]!);
    }

    [Fact]
    public async Task Track_MessageImpression_IsExportedAsMessageView()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Multi(http, new { action = "start", userId = user, deviceId = user }, new { action = "track", userId = user, deviceId = user, messageId = "5001" });

        Assert.Equal(1L, (long)(await Export(http, user))["events"]![".m5001 View"]!["count"]!);
    }

    [Fact]
    public async Task Advance_NoState_Answers400()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Multi(http, new { action = "start", userId = user, deviceId = user });
        var reply = await Multi(http, new { action = "advance", userId = user, deviceId = user, info = "x" });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("'state' must be provided", (string?)reply[0]["error"]!["message"]);
    }

    [Fact]
    public async Task Advance_EmptyStateAsAFormField_LeavesTheState()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Multi(http, new { action = "start", userId = user, deviceId = user }, new { action = "advance", userId = user, deviceId = user, state = "Menu" });
        var reply = await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "advance", ["userId"] = user, ["deviceId"] = user, ["state"] = "",
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal(1L, (long)(await Export(http, user))["states"]!["Menu"]!["count"]!);
    }

    [Fact]
    public async Task Advance_UnknownUser_WarnsUserNotFound()
    {
        var reply = await Multi(factory.CreateClient(), new { action = "advance", userId = NewUser(), state = "Menu" });

        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal("User not found; request skipped.", (string?)reply[0]["warning"]!["message"]);
    }
}
