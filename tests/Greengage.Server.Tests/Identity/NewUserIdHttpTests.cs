using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Identity;

/// <summary><c>newUserId</c> through <c>/api</c> and the grains: login, register, switch, aliases (spec 6.3).</summary>
public sealed class NewUserIdHttpTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private static string Id(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N");

    private async Task<JsonObject> Export(HttpClient http, string user) =>
        (await ApiClient.FormAsync(http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user,
        }))[0];

    private Task<ApiClient.Reply> Send(HttpClient http, params object[] items) =>
        ApiClient.MultiAsync(http, factory.AppId, factory.ProductionKey, items);

    [Fact]
    public async Task Login_MergesTheAnonymousUser_AndTheOldIdAnswersAsTheNewOne()
    {
        var http = factory.CreateClient();
        var alice = Id("alice");
        var device = Id("device");
        await Send(http, new { action = "setUserAttributes", userId = alice, deviceId = Id("phone"), userAttributes = new { plan = "pro" } });
        await Send(http,
            new { action = "start", userId = device, deviceId = device },
            new { action = "track", userId = device, deviceId = device, @event = "Buy", value = 3 },
            new { action = "setUserAttributes", userId = device, deviceId = device, userAttributes = new { plan = "free", color = "red" } });

        var reply = await Send(http,
            new { action = "setUserAttributes", userId = device, deviceId = device, newUserId = alice },
            new { action = "track", userId = device, deviceId = device, @event = "Buy", value = 4 });

        Assert.All(reply.Response, r => Assert.True((bool)r!["success"]!));
        var merged = await Export(http, alice);
        Assert.Equal("pro", (string?)merged["userAttributes"]!["plan"]);
        Assert.Equal("red", (string?)merged["userAttributes"]!["color"]);
        Assert.Equal(2L, (long)merged["events"]!["Buy"]!["count"]!);
        Assert.Equal(7.0, (double)merged["events"]!["Buy"]!["value"]!);
        Assert.Equal(1L, (long)merged["totalSessions"]!);
        // The anonymous id is an alias now: it answers as alice and is not recreated by late requests.
        await Send(http, new { action = "track", userId = device, deviceId = device, @event = "Late" });
        var viaAlias = await Export(http, device);
        Assert.Equal(alice, (string?)viaAlias["userId"]);
        Assert.Equal(1L, (long)viaAlias["events"]!["Late"]!["count"]!);
        // The device now belongs to alice: device-only requests land there too.
        await Send(http, new { action = "track", deviceId = device, @event = "DeviceOnly" });
        Assert.Equal(1L, (long)(await Export(http, alice))["events"]!["DeviceOnly"]!["count"]!);
    }

    [Fact]
    public async Task Register_RenamesTheAnonymousUser()
    {
        var http = factory.CreateClient();
        var device = Id("device");
        var bob = Id("bob");
        await Send(http, new { action = "track", userId = device, deviceId = device, @event = "Seen" });

        await Send(http, new { action = "setUserAttributes", userId = device, deviceId = device, newUserId = bob, userAttributes = new { age = 7 } });

        var export = await Export(http, bob);
        Assert.Equal(bob, (string?)export["userId"]);
        Assert.Equal(1L, (long)export["events"]!["Seen"]!["count"]!);
        Assert.Equal(7, (int)export["userAttributes"]!["age"]!);
    }

    [Fact]
    public async Task Switch_KnownUser_KeepsBothUsers()
    {
        var http = factory.CreateClient();
        var device = Id("device");
        var first = Id("first");
        var second = Id("second");
        await Send(http,
            new { action = "start", userId = first, deviceId = device },
            new { action = "track", userId = first, deviceId = device, @event = "Mine" });

        await Send(http,
            new { action = "setUserAttributes", userId = first, deviceId = device, newUserId = second },
            new { action = "track", userId = first, deviceId = device, @event = "Theirs" });

        var one = await Export(http, first);
        var two = await Export(http, second);
        Assert.Equal(first, (string?)one["userId"]);
        Assert.True(one["events"]!.AsObject().ContainsKey("Mine"));
        Assert.False(one["events"]!.AsObject().ContainsKey("Theirs"));
        Assert.Equal(1L, (long)two["events"]!["Theirs"]!["count"]!);
        Assert.Equal(1L, (long)two["totalSessions"]!);
    }

    [Fact]
    public async Task TwoAnonymousUsers_LoggingIntoEachOtherAtOnce_NeitherHangsNorDoubleCounts()
    {
        for (var round = 0; round < 5; round++)
        {
            var http = factory.CreateClient();
            var a = Id("a");
            var b = Id("b");
            await Send(http, new { action = "track", userId = a, deviceId = a, @event = "A" });
            await Send(http, new { action = "track", userId = b, deviceId = b, @event = "B" });

            var started = DateTime.UtcNow;
            var replies = await Task.WhenAll(
                Send(http, new { action = "setUserAttributes", userId = a, deviceId = a, newUserId = b }),
                Send(http, new { action = "setUserAttributes", userId = b, deviceId = b, newUserId = a }));

            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
            // Each either moves, finds its target busy moving (503: nothing written, the SDK retries), or finds the
            // target already merged into itself (400).
            Assert.All(replies, r => Assert.True((int)r.Status is 200 or 503 or 400, r.Response.ToJsonString()));
            // Whatever won, each event exists exactly once, under one user.
            var ea = await Export(http, a);
            var eb = await Export(http, b);
            foreach (var e in new[] { "A", "B" })
            {
                var counts = new[] { ea, eb }.Where(x => x["events"] is JsonObject)
                    .DistinctBy(x => (string?)x["userId"])
                    .Sum(x => (long?)x["events"]![e]?["count"] ?? 0);
                Assert.Equal(1, counts);
            }
        }
    }
}
