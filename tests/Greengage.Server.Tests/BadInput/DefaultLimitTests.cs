using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>The default limits accept the largest batch an SDK sends (Android and iOS queue up to 10,000 requests).</summary>
public sealed class DefaultLimitTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const int Items = 10_000;
    private const int Users = 20;

    [Fact]
    public async Task Multi_TenThousandItemAndroidBatch_AnswersEveryItemInOrder()
    {
        var http = RawApi.Client(factory);
        http.Timeout = TimeSpan.FromMinutes(5);
        var prefix = "big-" + Guid.NewGuid().ToString("N")[..8] + "-";
        var uuid = Guid.NewGuid().ToString();
        var time = ApiClient.Now();
        var items = new JsonArray();
        for (var i = 0; i < Items; i++)
        {
            var user = prefix + (i % Users);
            items.Add(new JsonObject
            {
                // Android's per-item fields (spec 1.6), params as JSON text and the value as Java double text.
                ["deviceId"] = user, ["userId"] = user, ["action"] = "track", ["sdkVersion"] = "7.2.0", ["devMode"] = "false",
                ["time"] = time, ["reqId"] = "req-" + i, ["ct"] = false, ["uuid"] = uuid, ["event"] = "Level",
                ["value"] = "1.0", ["params"] = "{\"index\":\"" + i + "\"}",
            });
        }
        var data = new JsonObject { ["data"] = items }.ToJsonString();
        var body = RawApi.Query(("appId", factory.AppId), ("clientKey", factory.ProductionKey), ("client", "android"),
            ("data", data), ("sdkVersion", "7.2.0"), ("action", "multi"), ("time", time));

        var reply = await RawApi.SendAsync(http, RawApi.Post("/api", RawApi.Bytes(Encoding.ASCII.GetBytes(body), "application/x-www-form-urlencoded")));

        RawApi.AssertEnvelope(reply);
        Assert.Equal(200, reply.Code);
        Assert.Equal(Items, reply.Response!.Count);
        for (var i = 0; i < Items; i++)
        {
            var element = reply.Element(i);
            Assert.True((bool)element["success"]!, $"Item {i}: {element.ToJsonString()}");
            Assert.Equal("req-" + i, (string?)element["reqId"]);
        }
        for (var u = 0; u < Users; u++)
        {
            var export = await RawApi.AssertUserStoredAsync(http, factory, prefix + u);
            Assert.Equal(Items / Users, (long)export["events"]!["Level"]!["count"]!);
        }
    }
}
