using System.Net;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Profile;

/// <summary>Profile actions end to end: HTTP, the grain, the store, and back through <c>exportUser</c>.</summary>
public sealed class ProfileRoundTripTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string NotFound = "User not found; request skipped.";

    private static string NewUser() => "profile-" + Guid.NewGuid().ToString("N");

    private Task<ApiClient.Reply> Prod(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);

    private Task<ApiClient.Reply> Dev(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.DevelopmentKey, items);

    private async Task<JsonObject> Export(HttpClient http, string user) =>
        (await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }))[0];

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(n => (string)n!).ToArray();

    [Fact]
    public async Task SetUserAttributes_ListAddAndRemove_ExportShowsASet()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Prod(http,
            new { action = "setUserAttributes", userId = user, userAttributes = "{\"interests\":[\"Hiking\",\"Chess\"]}" },
            new { action = "setUserAttributes", userId = user, userAttributeValuesToAdd = "{\"interests\":[\"Books\",\"Chess\"],\"colors\":\"red\"}" },
            new { action = "setUserAttributes", userId = user, userAttributeValuesToRemove = new { interests = "Hiking" } });

        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));
        var attributes = (await Export(http, user))["userAttributes"]!;
        Assert.Equal(["Chess", "Books"], Strings(attributes["interests"]));
        Assert.Equal(["red"], Strings(attributes["colors"]));
    }

    [Fact]
    public async Task SetUserAttributes_IncrementsWithASkip_AnswerAWarningAndExportTheRest()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Prod(http, new { action = "setUserAttributes", userId = user, userAttributes = new { score = 10, plan = "gold" } });
        var reply = await Prod(http, new { action = "setUserAttributes", userId = user, userAttributeValuesToIncrement = "{\"score\":5,\"visits\":1,\"plan\":1}" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal("Increment of 'plan' skipped: its value is not an integer.", (string?)reply[0]["warning"]!["message"]);
        var attributes = (await Export(http, user))["userAttributes"]!;
        Assert.Equal(15, (long)attributes["score"]!);
        Assert.Equal(1, (long)attributes["visits"]!);
        Assert.Equal("gold", (string?)attributes["plan"]);
    }

    [Fact]
    public async Task Track_BlockedUser_Answers451AndUnblockResumes()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Prod(http, new { action = "setUserAttributes", userId = user, userAttributes = new { plan = "gold" } },
            new { action = "track", userId = user, @event = "Opened" });
        Assert.True((bool)(await Dev(http, new { action = "block", userId = user }))[0]["success"]!);

        var refused = await Prod(http, new { action = "track", userId = user, @event = "Opened" });
        Assert.Equal((HttpStatusCode)451, refused.Status);
        Assert.False((bool)refused[0]["success"]!);
        Assert.Equal("User is blocked; request refused.", (string?)refused[0]["error"]!["message"]);

        var blocked = await Export(http, user);
        Assert.Equal(1L, (long)blocked["events"]!["Opened"]!["count"]!);
        Assert.Empty(blocked["userAttributes"]!.AsObject());

        await Dev(http, new { action = "unblock", userId = user });
        Assert.Equal(HttpStatusCode.OK, (await Prod(http, new { action = "track", userId = user, @event = "Opened" })).Status);
        Assert.Equal(2L, (long)(await Export(http, user))["events"]!["Opened"]!["count"]!);
    }

    [Fact]
    public async Task Block_WithAProductionKey_IsRefused()
    {
        var reply = await Prod(factory.CreateClient(), new { action = "block", userId = NewUser() });
        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
    }

    [Fact]
    public async Task Track_CreateNeverForANewUser_WarnsAndCreatesNobody()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Prod(http, new { action = "track", userId = user, @event = "E", createDisposition = "CreateNever" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal(NotFound, (string?)reply[0]["warning"]!["message"]);
        Assert.Equal(NotFound, (string?)(await Export(http, user))["warning"]!["message"]);
    }

    [Fact]
    public async Task SetDeviceAttributes_OverTheDefaultCap_DropsTheLeastRecentlySeenDevice()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var minuteAgo = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 60).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        await Prod(http, new { action = "setDeviceAttributes", userId = user, deviceId = "zz-oldest", systemName = "iOS", time = minuteAgo });
        var others = Enumerable.Range(0, 99).Select(i => new { deviceId = $"d-{i:000}", systemName = "Android" }).ToArray();
        await Prod(http, new { action = "setUserAttributes", userId = user, devices = others });
        Assert.Equal(100, (await Export(http, user))["devices"]!.AsArray().Count);

        var reply = await Prod(http, new { action = "setDeviceAttributes", userId = user, deviceId = "newest", gcmRegistrationId = "fcm" });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        var ids = (await Export(http, user))["devices"]!.AsArray().Select(d => (string)d!["deviceId"]!).ToList();
        Assert.Equal(100, ids.Count);
        Assert.Contains("newest", ids);
        Assert.DoesNotContain("zz-oldest", ids);
    }

    [Fact]
    public async Task DeviceSourceAndProfileFields_RoundTripThroughExportUser()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        var reply = await Prod(http,
            new { action = "setDeviceAttributes", userId = user, deviceId = "d1", deviceAttributes = new { versionName = "2.0", deviceModel = "Pixel 9" }, huaweiPushRegId = "hms" },
            new { action = "setTrafficSourceInfo", userId = user, trafficSource = "{\"publisherId\":\"77\",\"publisherName\":\"Ads\",\"publisherSubCampaign\":\"spring\"}" },
            new { action = "setUserAttributes", userId = user, unsubscribeChannelsToAdd = "Email", unsubscribeCategoriesToAdd = "[5]", city = "Oslo", locationAccuracyType = "gps", totalSessions = 7, created = 1_500_000_000 });
        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));

        var e = await Export(http, user);
        var device = e["devices"]!.AsArray().Single()!;
        Assert.Equal(("d1", "2.0", "Pixel 9", "hms"), ((string?)device["deviceId"], (string?)device["appVersion"], (string?)device["deviceModel"], (string?)device["huaweiPushRegId"]));
        Assert.Equal(("77", "Ads", "spring"), ((string?)e["sourcePublisherId"], (string?)e["sourcePublisher"], (string?)e["sourceCampaign"]));
        Assert.Equal(["Email"], Strings(e["unsubscribeChannels"]));
        Assert.Equal(5, (long)e["unsubscribeCategories"]![0]!["id"]!);
        Assert.Equal(("Oslo", "GPS", 7L, 1_500_000_000.0), ((string?)e["city"], (string?)e["locationAccuracyType"], (long)e["totalSessions"]!, (double)e["created"]!));
    }

    [Fact]
    public async Task SetDeviceAttributes_NoField_Answers400()
    {
        var reply = await Prod(factory.CreateClient(), new { action = "setDeviceAttributes", userId = NewUser(), deviceId = "d1" });
        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.StartsWith("At least one device attribute must be provided", (string?)reply[0]["error"]!["message"]);
    }

    [Fact]
    public async Task DeleteUser_KnownUser_ExportFindsNobody()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Prod(http, new { action = "track", userId = user, @event = "E" });
        var reply = await Dev(http, new { action = "deleteUser", userId = user, fullErasure = true });

        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal(NotFound, (string?)(await Export(http, user))["warning"]!["message"]);
    }

    [Fact]
    public async Task SetUserAttributes_DevMode_AppliesAttributesButKeepsEventsOutOfAggregates()
    {
        var user = NewUser();
        var http = factory.CreateClient();
        await Dev(http, new { action = "setUserAttributes", userId = user, devMode = true, userAttributes = new { plan = "dev" }, events = new { Buy = new { count = 9 } } });

        var e = await Export(http, user);
        Assert.Equal("dev", (string?)e["userAttributes"]!["plan"]);
        Assert.False(e["events"]!.AsObject().ContainsKey("Buy"));
    }
}
