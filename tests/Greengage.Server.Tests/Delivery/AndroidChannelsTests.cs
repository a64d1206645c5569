using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// Android notification channels (spec 4.4): added, updated and deleted with the development key, listed with the
/// production key, and carried by <c>start</c> under the names the Android SDK reads; nothing is sent when the app has
/// no channel (a device deletes the Leanplum channels missing from a list it receives).
/// </summary>
public sealed class AndroidChannelsTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private async Task<(HttpStatusCode Status, JsonObject Element)> Api(Engine.Storage.StoredApp app, JsonObject item, string key)
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item);
        return (reply.Status, reply[0]);
    }

    [Fact]
    public async Task Channels_AddUpdateListDelete_AndStartCarriesThemOnlyWhenThereAreSome()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Channels " + Guid.NewGuid().ToString("N")[..6], default);
        var start = new JsonObject { ["action"] = "start", ["userId"] = "u1", ["deviceId"] = "d1" };
        Assert.False((await Api(app, start, "production")).Element.ContainsKey("notificationChannels"));

        var add = new JsonObject
        {
            ["action"] = "addAndroidNotificationChannel", ["id"] = "offers", ["name"] = "Offers", ["importance"] = 4,
            ["description"] = "Deals", ["enableVibration"] = true, ["vibrationPattern"] = new JsonArray(100, 200, 100), ["default"] = true,
        };
        var (refusedStatus, _) = await Api(app, add, "production");
        Assert.NotEqual(HttpStatusCode.OK, refusedStatus);
        var (_, created) = await Api(app, add, "development");
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"success":true,"channelCreated":true,"channelId":"offers","channelUpdated":false,"name":"Offers","importance":4}"""), created), created.ToJsonString());
        add["name"] = "Special offers";
        var (_, updated) = await Api(app, add, "development");
        Assert.Equal((false, true), ((bool)updated["channelCreated"]!, (bool)updated["channelUpdated"]!));
        var (badStatus, bad) = await Api(app, new JsonObject { ["action"] = "addAndroidNotificationChannel", ["id"] = "x", ["name"] = "X", ["importance"] = 9 }, "development");
        Assert.Equal((HttpStatusCode.BadRequest, "'importance' is 0 to 5 (3: default)."), (badStatus, (string?)bad["error"]!["message"]));

        var (_, listed) = await Api(app, new JsonObject { ["action"] = "getAndroidNotificationChannels" }, "production");
        var channel = Assert.Single(listed["notificationChannels"]!.AsArray())!;
        Assert.Equal(("offers", "Special offers", 4, "Deals", true), ((string?)channel["id"], (string?)channel["name"], (int)channel["importance"]!, (string?)channel["description"], (bool)channel["enable_vibration"]!));
        Assert.Equal([100L, 200L, 100L], channel["vibration_pattern"]!.AsArray().Select(v => (long)v!));

        var (_, started) = await Api(app, start, "production");
        Assert.True(JsonNode.DeepEquals(listed["notificationChannels"], started["notificationChannels"]));
        Assert.Equal("offers", (string?)started["defaultNotificationChannel"]);
        Assert.Empty(started["notificationChannelGroups"]!.AsArray());

        var (_, deleted) = await Api(app, new JsonObject { ["action"] = "deleteAndroidNotificationChannel", ["channelId"] = "offers" }, "development");
        Assert.Equal((true, "offers"), ((bool)deleted["channelDeleted"]!, (string?)deleted["channelId"]));
        var (_, again) = await Api(app, new JsonObject { ["action"] = "deleteAndroidNotificationChannel", ["channelId"] = "offers" }, "development");
        Assert.False((bool)again["channelDeleted"]!);
        Assert.False((await Api(app, start, "production")).Element.ContainsKey("notificationChannels"));
    }
}
