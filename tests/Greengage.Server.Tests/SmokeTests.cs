using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests;

public sealed class SmokeTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    [Fact]
    public async Task StartTrackExport_JsShapedMulti_CountsTheEvent()
    {
        var http = factory.CreateClient();
        var user = "smoke-" + Guid.NewGuid().ToString("N");
        var reply = await ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey,
            new { action = "start", userId = user, deviceId = user, appId = factory.AppId, clientKey = factory.ProductionKey },
            new { action = "track", userId = user, deviceId = user, @event = "Level", value = 2 });
        Assert.Equal(System.Net.HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Response.Count);
        Assert.True((bool)reply[0]["success"]!);
        Assert.True((bool)reply[1]["success"]!);

        var export = await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        });
        Assert.Equal(1L, (long)export[0]["events"]!["Level"]!["count"]!);
    }
}
