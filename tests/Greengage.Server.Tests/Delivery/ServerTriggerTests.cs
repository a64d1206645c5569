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

    private async Task<long> Webhook(StoredApp app, string name, object trigger, int? delay = null, object? rule = null)
    {
        var http = factory.CreateClient();
        var (status, message) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name,
            channel = "webhook",
            values = new JsonObject { ["URL"] = "https://hooks.example.test/" + name },
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
        Assert.Contains("event, state or userAttribute", (string?)startProblem!["detail"], StringComparison.Ordinal);
    }
}
