using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// In-app messages end to end (spec 5.2, 6.6): written through the admin API, activated, and carried by <c>start</c> and
/// <c>getVars</c> to the users their audience holds, as the message config the SDKs read; hold-outs decided once; A/B
/// variants change a message for their users; message events named as Leanplum named them.
/// </summary>
public sealed class InAppMessagesTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("IAM " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    private async Task<JsonNode> Created(StoredApp app, string what, object body)
    {
        var (status, created) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return created!;
    }

    private async Task<long> ActiveMessage(StoredApp app, object body)
    {
        var message = await Created(app, "messages", body);
        var (status, activated) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{message["id"]}/activate");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {activated?.ToJsonString()}");
        Assert.Equal("active", (string?)activated!["state"]);
        return (long)message["id"]!;
    }

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = "production") =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item))[0];

    private Task<JsonObject> Start(StoredApp app, string user, JsonObject? attributes = null) =>
        Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = "dev-" + user, ["userAttributes"] = attributes ?? [] });

    [Fact]
    public async Task Start_CarriesAnActiveInAppMessage_AsTheConfigOfSpec66()
    {
        var app = NewApp();
        var id = await ActiveMessage(app, new
        {
            name = "Welcome",
            channel = "in-app",
            template = "Confirm",
            values = new JsonObject { ["Title"] = "Hi", ["Message"] = "Welcome aboard" },
            priority = 5,
            whenTriggers = new object[] { new { subject = "event", noun = "Level up", verb = "triggersWithParameter", objects = new[] { "level", "2" } } },
            unlessTriggers = new object[] { new { subject = "userAttribute", noun = "plan", verb = "changesTo", objects = new[] { "gold", "silver" } } },
            limits = new object[] { new { subject = "times", noun = "2", verb = "limitUser" }, new { subject = "times", noun = "1", verb = "limitDay", objects = new[] { "3" } } },
            startTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000),
            endTime = DateTimeOffset.FromUnixTimeMilliseconds(4_000_000_000_000),
        });

        var start = await Start(app, "u1");
        var message = start["messages"]![id.ToString()]!;
        Assert.Equal("Confirm", (string?)message["action"]);
        Assert.Equal("Confirm", (string?)message["vars"]!["__name__"]);
        Assert.Equal("Welcome aboard", (string?)message["vars"]!["Message"]);
        Assert.Equal("Yes", (string?)message["vars"]!["Accept text"]);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"OR","children":[{"subject":"event","noun":"Level up","verb":"triggersWithParameter","objects":["level","2"]}]}"""), message["whenTriggers"]), message["whenTriggers"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"OR","children":[{"subject":"userAttribute","noun":"plan","verb":"changesTo","objects":["gold","silver"]}]}"""), message["unlessTriggers"]), message["unlessTriggers"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"verb":"AND","children":[{"subject":"times","noun":"2","verb":"limitUser"},{"subject":"times","noun":"1","verb":"limitDay","objects":["3"]}]}"""), message["whenLimits"]), message["whenLimits"]!.ToJsonString());
        Assert.Equal(5, (int)message["priority"]!);
        Assert.Equal(1_700_000_000_000, (long)message["startTime"]!);
        Assert.Equal(4_000_000_000_000, (long)message["endTime"]!);
        Assert.Null(message["parentCampaignId"]);
        Assert.True(message.AsObject().ContainsKey("parentCampaignId"));
        Assert.True((bool)message["hasImpressionCriteria"]!);

        var refresh = await Api(app, new JsonObject { ["action"] = "getVars", ["userId"] = "u1", ["deviceId"] = "dev-u1" });
        Assert.True(JsonNode.DeepEquals(message, refresh["messages"]![id.ToString()]));
    }

    private async Task<JsonNode> Events(StoredApp app, string user)
    {
        var export = await Api(app, new JsonObject { ["action"] = "exportUser", ["userId"] = user }, "dataExport");
        Assert.True((bool)export["success"]!, export.ToJsonString());
        return export["events"]!;
    }

    [Fact]
    public async Task MessageEvents_AreNamedByChannel_AndAudiencesSeeThem()
    {
        var app = NewApp();
        var inApp = await ActiveMessage(app, new { name = "Tip", channel = "in-app", template = "Alert", whenTriggers = new object[] { new { subject = "start" } } });
        var push = await ActiveMessage(app, new { name = "News", channel = "push", values = new JsonObject { ["Message"] = "Hello" } });
        await Start(app, "u2");
        foreach (var (message, @event) in new[] { (inApp, (string?)null), (inApp, "Accept"), (push, null), (push, "Open"), (inApp, "Held Back") })
        {
            var item = new JsonObject { ["action"] = "track", ["userId"] = "u2", ["deviceId"] = "dev-u2", ["messageId"] = message.ToString() };
            if (@event is not null)
                item["event"] = @event;
            var tracked = await Api(app, item);
            Assert.True((bool)tracked["success"]!, tracked.ToJsonString());
        }

        var events = await Events(app, "u2");
        Assert.Equal(1, (int)events[$".m{inApp} View"]!["count"]!);
        Assert.Equal(1, (int)events[$".m{inApp} Accept"]!["count"]!);
        Assert.Equal(1, (int)events[$".m{inApp} Held Back"]!["count"]!);
        Assert.Equal(1, (int)events[$".m{push}"]!["count"]!);
        Assert.Null(events[$".m{push} View"]);
        Assert.Equal(1, (int)events[$".m{push} Open"]!["count"]!);

        // An audience of those who saw the tip: a message aimed at it reaches u2 and not a newcomer.
        var saw = await Created(app, "audiences", new { name = "Saw the tip", rule = new { subject = "event", name = $".m{inApp} View", measure = "count", op = "atLeast", value = 1 } });
        var followUp = await ActiveMessage(app, new { name = "Follow-up", channel = "in-app", template = "Alert", audienceId = (long)saw["id"]!, whenTriggers = new object[] { new { subject = "start" } } });
        Assert.NotNull((await Start(app, "u2"))["messages"]![followUp.ToString()]);
        Assert.Null((await Start(app, "u3"))["messages"]![followUp.ToString()]);
    }

    [Fact]
    public async Task PausedAndFinishedMessages_LeaveStart_AndAPushWithInAppTriggers_IsALocalNotification()
    {
        var app = NewApp();
        var tip = await ActiveMessage(app, new { name = "Tip", channel = "in-app", template = "Alert", whenTriggers = new object[] { new { subject = "start" } } });
        var local = await ActiveMessage(app, new
        {
            name = "Come back",
            channel = "push",
            values = new JsonObject { ["Message"] = "We miss you" },
            countdown = 3600,
            whenTriggers = new object[] { new { subject = "event", noun = "Left" } },
        });
        var start = await Start(app, "u4");
        var notification = start["messages"]![local.ToString()]!;
        Assert.Equal("__Push Notification", (string?)notification["action"]);
        Assert.Equal(3600, (int)notification["countdown"]!);
        Assert.Equal("We miss you", (string?)notification["vars"]!["Message"]);
        Assert.Equal("triggers", (string?)notification["whenTriggers"]!["children"]![0]!["verb"]);

        var (paused, _) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{tip}/pause");
        Assert.Equal(HttpStatusCode.OK, paused);
        Assert.Null((await Start(app, "u4"))["messages"]![tip.ToString()]);
        var (finished, _) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{local}/finish");
        Assert.Equal(HttpStatusCode.OK, finished);
        Assert.Empty((await Start(app, "u4"))["messages"]!.AsObject());
    }

    [Fact]
    public async Task ABVariant_ChangesAMessage_ThroughTheAdminApi()
    {
        var app = NewApp();
        var offer = await ActiveMessage(app, new { name = "Offer", channel = "in-app", template = "Alert", values = new JsonObject { ["Message"] = "10% off" }, whenTriggers = new object[] { new { subject = "start" } } });
        var test = await Created(app, "ab-tests", new
        {
            name = "Offer copy",
            variants = new object[]
            {
                new { name = "Control", percent = 0 },
                new { name = "Bigger", percent = 100, messages = new JsonObject { [offer.ToString()] = new JsonObject { ["Message"] = "20% off" } } },
            },
        });
        Assert.Equal("20% off", (string?)test["variants"]![1]!["messages"]![offer.ToString()]!["Message"]);
        var (started, _) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start");
        Assert.Equal(HttpStatusCode.OK, started);
        Assert.Equal("20% off", (string?)(await Start(app, "u5"))["messages"]![offer.ToString()]!["vars"]!["Message"]);

        var (refused, problem) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests", new
        {
            name = "Dangling",
            variants = new object[] { new { name = "A", percent = 50 }, new { name = "B", percent = 50, messages = new JsonObject { ["12345"] = new JsonObject { ["Message"] = "x" } } } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, refused);
        Assert.Contains("no message 12345", (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetVars_IncludeMessageId_AddsAPushTheDeviceDoesNotKnow()
    {
        var app = NewApp();
        var push = await ActiveMessage(app, new
        {
            name = "Sale",
            channel = "push",
            values = new JsonObject { ["Message"] = "Sale today", ["Open action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/sale" } },
        });
        await Start(app, "u6");
        var plain = await Api(app, new JsonObject { ["action"] = "getVars", ["userId"] = "u6", ["deviceId"] = "dev-u6" });
        Assert.Null(plain["messages"]![push.ToString()]);

        var asked = await Api(app, new JsonObject { ["action"] = "getVars", ["userId"] = "u6", ["deviceId"] = "dev-u6", ["includeMessageId"] = push.ToString() });
        var config = asked["messages"]![push.ToString()]!;
        Assert.Equal("__Push Notification", (string?)config["action"]);
        Assert.Equal("https://example.com/sale", (string?)config["vars"]!["Open action"]!["URL"]);
    }

    [Fact]
    public async Task Start_CarriesTheInAppCapsAsLocalCaps_AndTheRegions_AndACampaignsTriggerAndEnd()
    {
        var app = NewApp();
        var (status, settings) = await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", new
        {
            inAppCaps = new object[] { new { type = "SESSION", limit = 2 }, new { type = "DAY", limit = 5 } },
            regions = new object[] { new { name = "Store", lat = 52.52, lon = 13.405, radius = 150.0, version = 1 } },
            categories = Array.Empty<object>(),
        });
        Assert.True(status == HttpStatusCode.OK, settings?.ToJsonString());
        var campaign = await Created(app, "campaigns", new { name = "Onboarding", entryTrigger = new { subject = "event", noun = "Signed up" }, endTime = DateTimeOffset.FromUnixTimeMilliseconds(4_100_000_000_000) });
        var (activated, _) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/{campaign["id"]}/activate");
        Assert.Equal(HttpStatusCode.OK, activated);
        var step = await ActiveMessage(app, new { name = "Step 1", channel = "in-app", template = "Alert", campaignId = (long)campaign["id"]! });
        var nearby = await ActiveMessage(app, new { name = "Nearby", channel = "in-app", template = "Alert", whenTriggers = new object[] { new { subject = "enterRegion", noun = "Store" } } });

        var start = await Start(app, "u7");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""[{"channel":"IN_APP","type":"SESSION","limit":2},{"channel":"IN_APP","type":"DAY","limit":5}]"""), start["localCaps"]), start["localCaps"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"Store":{"lat":52.52,"lon":13.405,"radius":150,"version":1,"name":"Store"}}"""), start["regions"]), start["regions"]!.ToJsonString());
        var first = start["messages"]![step.ToString()]!;
        Assert.Equal((long)campaign["id"]!, (long)first["parentCampaignId"]!);
        Assert.Equal("Signed up", (string?)first["whenTriggers"]!["children"]![0]!["noun"]);
        Assert.Equal(4_100_000_000_000, (long)first["endTime"]!);
        Assert.Equal("enterRegion", (string?)start["messages"]![nearby.ToString()]!["whenTriggers"]!["children"]![0]!["subject"]);

        // A paused campaign takes its messages out of start.
        var (paused, _) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/{campaign["id"]}/pause");
        Assert.Equal(HttpStatusCode.OK, paused);
        Assert.Null((await Start(app, "u7"))["messages"]![step.ToString()]);
    }
}
