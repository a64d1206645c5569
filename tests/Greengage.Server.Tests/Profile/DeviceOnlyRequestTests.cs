using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Profile;

/// <summary>Spec 6.1: a request with only a deviceId acts on the user the device belongs to.</summary>
public sealed class DeviceOnlyRequestTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private Task<System.Text.Json.Nodes.JsonObject> Export(HttpClient http, string user) =>
        ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }).ContinueWith(t => t.Result[0]);

    [Fact]
    public async Task Track_DeviceOnly_CountsForTheUserTheDeviceBelongsTo()
    {
        var user = "owner-" + Guid.NewGuid().ToString("N");
        var device = "device-" + Guid.NewGuid().ToString("N");
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "start", userId = user, deviceId = device });

        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "track", deviceId = device, @event = "FromDeviceOnly" });

        Assert.True((bool)reply[0]["success"]!);
        Assert.Equal(1L, (long)(await Export(http, user))["events"]!["FromDeviceOnly"]!["count"]!);
        Assert.Equal("User not found; request skipped.", (string?)(await Export(http, device))["warning"]!["message"]);
    }

    [Fact]
    public async Task Track_DeviceOnly_FollowsTheDeviceToItsLatestUser()
    {
        var first = "first-" + Guid.NewGuid().ToString("N");
        var second = "second-" + Guid.NewGuid().ToString("N");
        var device = "shared-" + Guid.NewGuid().ToString("N");
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "start", userId = first, deviceId = device });
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "start", userId = second, deviceId = device });

        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "track", deviceId = device, @event = "Later" });

        Assert.Equal(1L, (long)(await Export(http, second))["events"]!["Later"]!["count"]!);
        Assert.False((await Export(http, first))["events"]!.AsObject().ContainsKey("Later"));
    }

    [Fact]
    public async Task Track_UnknownDeviceOnly_IsItsOwnAnonymousUser()
    {
        var device = "fresh-" + Guid.NewGuid().ToString("N");
        var http = factory.CreateClient();
        await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, new { action = "track", deviceId = device, @event = "Anon" });
        Assert.Equal(1L, (long)(await Export(http, device))["events"]!["Anon"]!["count"]!);
    }
}
