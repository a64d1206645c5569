using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>The outbox reader's factory: its dispatcher looks once at start, then not for an hour.</summary>
public sealed class IdleDispatcherFactory : GreengageFactory
{
    public IdleDispatcherFactory() => Settings["Greengage:Delivery:Outbox:PollInterval"] = "01:00:00";
}

/// <summary>
/// Server-side triggers evaluated in the user's grain: an event with a parameter, a state entered, an attribute that
/// changes (to a value, from one value to another); the message's audience holds; the delay is a not-before on the
/// outbox item, not a timer.
/// </summary>
public sealed class ServerTriggerTests(IdleDispatcherFactory factory) : IClassFixture<IdleDispatcherFactory>
{
    private async Task<JsonObject> Api(StoredApp app, JsonObject item)
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["production"], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        return reply[0];
    }

    private async Task<long> Webhook(StoredApp app, string name, object trigger, int? delay = null, object? rule = null, string? url = null)
    {
        var http = factory.CreateClient();
        var (status, message) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name,
            channel = "webhook",
            values = new JsonObject { ["URL"] = url ?? "https://hooks.example.test/" + name },
            serverTriggers = new[] { trigger },
            delay,
            rule,
        });
        Assert.True(status == HttpStatusCode.Created, message?.ToJsonString());
        var id = (long)message!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate")).Status);
        return id;
    }

    /// <summary>The app's sends due by <paramref name="at"/>, claimed (and so taken out of the way of later reads).</summary>
    private async Task<List<DeliverySend>> Due(StoredApp app, DateTimeOffset at)
    {
        var claimed = await factory.Services.GetRequiredService<IWorkQueue>().ClaimAsync(DeliverySend.Queue, "test-" + Guid.NewGuid().ToString("N"), 1000, at, TimeSpan.FromDays(365), default);
        var mine = claimed.Where(i => i.Key == app.AppId).Select(i => DeliverySend.FromPayload(i.Payload)).ToList();
        return mine;
    }

    [Fact]
    public async Task EventsStatesAndAttributeChanges_PutTheirMessagesInTheOutbox_AfterTheDelay_ForTheAudience()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Triggers " + Guid.NewGuid().ToString("N")[..6], default);
        var purchase = await Webhook(app, "purchase", new { subject = "event", noun = "Purchase", verb = "triggersWithParameter", objects = new[] { "item", "Sword" } }, delay: 3600);
        var level = await Webhook(app, "level", new { subject = "state", noun = "Level 2" });
        var gold = await Webhook(app, "gold", new { subject = "userAttribute", noun = "plan", verb = "changesTo", objects = new[] { "GOLD" } });
        var downgrade = await Webhook(app, "downgrade", new { subject = "userAttribute", noun = "plan", verb = "changesFromTo", objects = new[] { "gold", "free" } });
        var germans = await Webhook(app, "germans", new { subject = "event", noun = "Purchase" }, rule: new { subject = "country", op = "is", value = "DE" });

        var start = DateTimeOffset.UtcNow;
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "u1", ["deviceId"] = "d1", ["country"] = "FR" });
        await Api(app, new JsonObject { ["action"] = "track", ["userId"] = "u1", ["deviceId"] = "d1", ["event"] = "Purchase", ["params"] = new JsonObject { ["item"] = "shield" } });
        await Api(app, new JsonObject { ["action"] = "track", ["userId"] = "u1", ["deviceId"] = "d1", ["event"] = "Purchase", ["params"] = new JsonObject { ["item"] = "sword" } });
        await Api(app, new JsonObject { ["action"] = "advance", ["userId"] = "u1", ["deviceId"] = "d1", ["state"] = "Level 2" });
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "u1", ["deviceId"] = "d1", ["userAttributes"] = new JsonObject { ["plan"] = "gold" } });
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "u1", ["deviceId"] = "d1", ["userAttributes"] = new JsonObject { ["plan"] = "gold" } });
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "u1", ["deviceId"] = "d1", ["userAttributes"] = new JsonObject { ["plan"] = "free" } });

        // Due now: the state, the change to gold (once: setting it again is no change), the change from gold to free.
        // Not the shield purchase (wrong parameter), not the German-only message (the user is in France).
        var now = await Due(app, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(new[] { level, gold, downgrade }.Order(), now.Select(s => s.MessageId).Order());
        Assert.All(now, s => Assert.Equal(("u1", "webhook"), (s.UserId, s.Kind)));
        // The sword purchase waits for its hour.
        var later = await Due(app, start.AddSeconds(3600 + 60));
        Assert.Equal([purchase], later.Select(s => s.MessageId));
        Assert.DoesNotContain(germans, now.Concat(later).Select(s => s.MessageId));
    }

    [Fact]
    public async Task Sends_CarryTheUsersAttributes_OnlyWhenAPlaceholderMayReadThem()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Attrs " + Guid.NewGuid().ToString("N")[..6], default);
        var plain = await Webhook(app, "plain", new { subject = "event", noun = "Ping" });
        var personal = await Webhook(app, "personal", new { subject = "event", noun = "Ping" },
            url: "https://hooks.example.test/p?plan={{userAttribute['plan']}}");

        var start = DateTimeOffset.UtcNow;
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "u1", ["deviceId"] = "d1", ["userAttributes"] = new JsonObject { ["plan"] = "gold" } });
        await Api(app, new JsonObject { ["action"] = "track", ["userId"] = "u1", ["deviceId"] = "d1", ["event"] = "Ping" });

        var sends = (await Due(app, start.AddMinutes(1))).ToDictionary(s => s.MessageId);
        Assert.Null(sends[plain].Attributes);
        Assert.Equal("gold", sends[personal].Attributes!["plan"].GetString());
    }

    [Fact]
    public async Task EnteringAnAudience_SendsItsMessage_OnceOnEntry_NotWhileInside_AgainAfterLeavingAndComingBack()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Entry " + Guid.NewGuid().ToString("N")[..6], default);
        var (status, created) = await AdminCalls.SendAsync(factory.CreateClient(), HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new
        {
            name = "Big spenders",
            rule = new { subject = "event", name = "Purchase", measure = "count", op = "atLeast", value = 2 },
        });
        Assert.True(status == HttpStatusCode.Created, created?.ToJsonString());
        var audience = ((long)created!["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (goldStatus, goldAudience) = await AdminCalls.SendAsync(factory.CreateClient(), HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new
        {
            name = "Gold",
            rule = new { subject = "attribute", name = "plan", op = "is", value = "gold" },
        });
        Assert.True(goldStatus == HttpStatusCode.Created, goldAudience?.ToJsonString());
        var gold = ((long)goldAudience!["id"]!).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var welcome = await Webhook(app, "big-spender", new { subject = "audience", noun = audience, verb = "enters" });
        var goldWelcome = await Webhook(app, "gold", new { subject = "audience", noun = gold, verb = "enters" });

        async Task Track(string user) =>
            await Api(app, new JsonObject { ["action"] = "track", ["userId"] = user, ["deviceId"] = user + "-d", ["event"] = "Purchase" });
        async Task Plan(string user, string plan) =>
            await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = user, ["deviceId"] = user + "-d", ["userAttributes"] = new JsonObject { ["plan"] = plan } });

        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "ann", ["deviceId"] = "ann-d" });
        await Track("ann");
        Assert.Empty(await Due(app, DateTimeOffset.UtcNow.AddSeconds(5)));
        await Track("ann"); // The second purchase: Ann enters.
        Assert.Equal([("ann", welcome)], (await Due(app, DateTimeOffset.UtcNow.AddSeconds(5))).Select(s => (s.UserId, s.MessageId)));
        await Track("ann"); // Still inside: nothing.
        Assert.Empty(await Due(app, DateTimeOffset.UtcNow.AddSeconds(5)));

        // A new user who is in the audience from the first request enters with it; leaving and coming back enters again.
        var first = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["production"],
            new JsonObject { ["action"] = "start", ["userId"] = "bob", ["deviceId"] = "bob-d", ["userAttributes"] = new JsonObject { ["plan"] = "gold" } });
        Assert.True((bool)first[0]["success"]!, first[0].ToJsonString());
        Assert.Equal([("bob", goldWelcome)], (await Due(app, DateTimeOffset.UtcNow.AddSeconds(5))).Select(s => (s.UserId, s.MessageId)));
        await Plan("bob", "gold");
        await Plan("bob", "free");
        Assert.Empty(await Due(app, DateTimeOffset.UtcNow.AddSeconds(5)));
        await Plan("bob", "gold");
        Assert.Equal([("bob", goldWelcome)], (await Due(app, DateTimeOffset.UtcNow.AddSeconds(5))).Select(s => (s.UserId, s.MessageId)));
    }

    [Fact]
    public async Task ServerTriggers_AreRefusedOnInAppMessages_AndDelayOnlyWithThem()
    {
        var app = await factory.Services.GetRequiredService<AppService>().CreateAsync("Refusals " + Guid.NewGuid().ToString("N")[..6], default);
        var http = factory.CreateClient();
        var (inApp, problem) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "in-app",
            channel = "in-app",
            template = "Alert",
            serverTriggers = new[] { new { subject = "event", noun = "E" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, inApp);
        Assert.Contains("Server triggers belong to messages the server sends", (string?)problem!["detail"], StringComparison.Ordinal);
        var (delay, delayProblem) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "delay",
            channel = "webhook",
            values = new JsonObject { ["URL"] = "https://hooks.example.test/x" },
            delay = 60,
        });
        Assert.Equal(HttpStatusCode.BadRequest, delay);
        Assert.Contains("delay", (string?)delayProblem!["detail"], StringComparison.Ordinal);
        var (start, startProblem) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "start",
            channel = "webhook",
            values = new JsonObject { ["URL"] = "https://hooks.example.test/x" },
            serverTriggers = new[] { new { subject = "start" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, start);
        Assert.Contains("event, state, userAttribute or audience", (string?)startProblem!["detail"], StringComparison.Ordinal);
        var (audience, audienceProblem) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "no such audience",
            channel = "webhook",
            values = new JsonObject { ["URL"] = "https://hooks.example.test/x" },
            serverTriggers = new[] { new { subject = "audience", noun = "424242", verb = "enters" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, audience);
        Assert.Contains("there is no audience '424242'", (string?)audienceProblem!["detail"], StringComparison.Ordinal);
    }
}
