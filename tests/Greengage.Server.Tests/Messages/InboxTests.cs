using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// The server with an inbox of at most <see cref="MaxItems"/> items and a clock that a test moves forward: the
/// arrival time of <c>/api</c> requests (an item's delivery and expiry) is <see cref="Clock"/>'s.
/// </summary>
public sealed class InboxFactory : ClockedFactory
{
    public const int MaxItems = 3;

    public InboxFactory()
    {
        Settings["Greengage:Messages:InboxMaxItems"] = MaxItems.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The tests read the outbox themselves: the dispatcher looks once at start, then not for an hour.
        Settings["Greengage:Delivery:Outbox:PollInterval"] = "01:00:00";
    }

}

/// <summary>The system clock, moved forward by what tests add (never back).</summary>
public sealed class ShiftedClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>
/// The inbox and hand sends end to end (spec 4.4, 5.2; docs/messages-inbox.md): messages written through the admin
/// API, sent with <c>sendMessage</c> / <c>startCampaign</c>, and read, marked and deleted the way the SDKs do it.
/// </summary>
public sealed class InboxTests(InboxFactory factory) : IClassFixture<InboxFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Inbox " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        await AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    private async Task<long> Created(StoredApp app, string what, object body)
    {
        var (status, created) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return (long)created!["id"]!;
    }

    private async Task Activate(StoredApp app, string what, long id)
    {
        var (status, body) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}/{id}/activate");
        Assert.True(status == HttpStatusCode.OK, $"{status}: {body?.ToJsonString()}");
    }

    /// <summary>An active inbox message (API sends allowed unless said otherwise).</summary>
    private async Task<long> InboxMessage(StoredApp app, JsonObject values, long? ttl = null, bool apiSends = true, JsonNode? rule = null, string? category = null, long? campaign = null)
    {
        var id = await Created(app, "messages", new
        {
            name = "Inbox " + Guid.NewGuid().ToString("N")[..6],
            channel = "inbox",
            values,
            inboxTtlSeconds = ttl,
            apiSends,
            rule,
            category,
            campaignId = campaign,
        });
        await Activate(app, "messages", id);
        return id;
    }

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = KeyClassNames.Production) =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item))[0];

    private async Task<(HttpStatusCode Status, JsonObject Element)> Single(StoredApp app, JsonObject item, string key = KeyClassNames.Production)
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item);
        return (reply.Status, reply[0]);
    }

    private Task<JsonObject> Start(StoredApp app, string user, JsonNode? held = null, JsonObject? attributes = null)
    {
        var item = new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = "dev-" + user, ["userAttributes"] = attributes ?? [] };
        if (held is not null)
            item["newsfeedMessages"] = held;
        return Api(app, item);
    }

    private Task<JsonObject> Send(StoredApp app, string user, long messageId, JsonObject? extra = null, string key = KeyClassNames.Production)
    {
        var item = new JsonObject { ["action"] = "sendMessage", ["userId"] = user, ["messageId"] = messageId };
        foreach (var (name, value) in extra ?? [])
            item[name] = value?.DeepClone();
        return Api(app, item, key);
    }

    private async Task<JsonObject> Newsfeed(StoredApp app, string user)
    {
        var element = await Api(app, new JsonObject { ["action"] = "getNewsfeedMessages", ["userId"] = user, ["deviceId"] = "dev-" + user });
        Assert.True((bool)element["success"]!, element.ToJsonString());
        return element["newsfeedMessages"]!.AsObject();
    }

    private Task<JsonObject> Inbox(StoredApp app, string user, string action, string itemId) =>
        Api(app, new JsonObject { ["action"] = action, ["userId"] = user, ["deviceId"] = "dev-" + user, ["newsfeedMessageId"] = itemId });

    [Fact]
    public async Task SendMessage_InboxMessage_GetNewsfeedMessagesAnswersTheItemInTheSdkShape()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject
        {
            ["Title"] = "Spring sale",
            ["Subtitle"] = "Everything half price",
            ["Image"] = "https://cdn.example.com/sale.png",
            ["Data"] = new JsonObject { ["sku"] = "A-1", ["discount"] = 50 },
            ["Open action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/sale" },
        }, ttl: 86400);
        await Start(app, "u1");
        var before = factory.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        var sent = await Send(app, "u1", id);
        var after = factory.Clock.GetUtcNow().ToUnixTimeMilliseconds();

        Assert.True((bool)sent["success"]!, sent.ToJsonString());
        Assert.Equal("sent", (string?)sent["result"]);
        Assert.Equal(1, (int)sent["messagesSent"]!);
        var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api?appId={app.AppId}&client=js&clientKey={app.Keys[KeyClassNames.Production]}&sdkVersion=1.9.0&action=multi&time={ApiClient.Now()}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { data = new[] { new { action = "getNewsfeedMessages", userId = "u1", deviceId = "dev-u1" } } }), Encoding.UTF8, "text/plain"),
        };
        var text = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
        // The element the JS SDK reads first: success, then newsfeedMessages, nothing else.
        Assert.StartsWith("""{"response":[{"success":true,"newsfeedMessages":{""", text, StringComparison.Ordinal);
        var messages = JsonNode.Parse(text)!["response"]![0]!["newsfeedMessages"]!.AsObject();
        var (itemId, item) = Assert.Single(messages);
        Assert.Equal($"{id}##1", itemId);
        var delivered = (long)item!["deliveryTimestamp"]!;
        Assert.InRange(delivered, before, after);
        Assert.Equal(delivered + 86_400_000, (long)item["expirationTimestamp"]!);
        Assert.False((bool)item["isRead"]!);
        var expected = JsonNode.Parse($$"""
            {"vars":{"Title":"Spring sale","Subtitle":"Everything half price","Image":"https://cdn.example.com/sale.png",
                     "Data":{"sku":"A-1","discount":50},"Open action":{"__name__":"Open URL","URL":"https://example.com/sale"},
                     "__name__":"__Newsfeed Message"},
             "action":"__Newsfeed Message","parentCampaignId":null}
            """);
        Assert.True(JsonNode.DeepEquals(expected, item["messageData"]), item["messageData"]!.ToJsonString());
        Assert.Equal(["deliveryTimestamp", "expirationTimestamp", "isRead", "messageData"], item.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task MarkAndDelete_ChangeTheInbox_AndUnknownIdsWarn()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject { ["Title"] = "Hello" });
        await Start(app, "u1");
        await Send(app, "u1", id);
        await Send(app, "u1", id);

        var read = await Inbox(app, "u1", "markNewsfeedMessageAsRead", $"{id}##1");
        var deleted = await Inbox(app, "u1", "deleteNewsfeedMessage", $"{id}##2");
        var (status, unknown) = await Single(app, new JsonObject { ["action"] = "deleteNewsfeedMessage", ["userId"] = "u1", ["newsfeedMessageId"] = $"{id}##9" });

        Assert.True((bool)read["success"]! && (bool)deleted["success"]!, read.ToJsonString() + deleted.ToJsonString());
        var inbox = await Newsfeed(app, "u1");
        Assert.Equal([$"{id}##1"], inbox.Select(p => p.Key));
        Assert.True((bool)inbox[$"{id}##1"]!["isRead"]!);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True((bool)unknown["success"]!);
        Assert.Equal($"Inbox message '{id}##9' not found; request skipped.", (string?)unknown["warning"]!["message"]);
    }

    [Fact]
    public async Task SyncNewsfeed_InStartAndGetVars_TellsWhetherTheDevicesIdsDiffer()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject { ["Title"] = "Hello" });
        Assert.False((bool)(await Start(app, "u1", held: new JsonArray()))["syncNewsfeed"]!);
        Assert.False((bool)(await Start(app, "u1"))["syncNewsfeed"]!);

        await Send(app, "u1", id);

        Assert.True((bool)(await Start(app, "u1", held: new JsonArray()))["syncNewsfeed"]!);
        Assert.True((bool)(await Start(app, "u1"))["syncNewsfeed"]!);
        Assert.False((bool)(await Start(app, "u1", held: new JsonArray($"{id}##1")))["syncNewsfeed"]!);
        // JSON text, as Unity sends it.
        Assert.False((bool)(await Start(app, "u1", held: JsonValue.Create($"[\"{id}##1\"]")))["syncNewsfeed"]!);
        var getVars = new JsonObject { ["action"] = "getVars", ["userId"] = "u1", ["deviceId"] = "dev-u1", ["newsfeedMessages"] = new JsonArray($"{id}##1", "1##1") };
        Assert.True((bool)(await Api(app, getVars))["syncNewsfeed"]!);
        await Inbox(app, "u1", "deleteNewsfeedMessage", $"{id}##1");
        Assert.False((bool)(await Start(app, "u1", held: new JsonArray()))["syncNewsfeed"]!);
    }

    [Fact]
    public async Task SendMessage_FullInbox_RemovesTheOldestItem()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject { ["Title"] = "Hello" });
        await Start(app, "u1");
        for (var i = 0; i <= InboxFactory.MaxItems; i++)
            Assert.Equal("sent", (string?)(await Send(app, "u1", id))["result"]);

        var inbox = await Newsfeed(app, "u1");

        Assert.Equal(Enumerable.Range(2, InboxFactory.MaxItems).Select(n => $"{id}##{n}"), inbox.Select(p => p.Key));
    }

    [Fact]
    public async Task SendMessage_ItemPastItsTtl_IsNoLongerAnsweredNorSynced()
    {
        var app = NewApp();
        var flash = await InboxMessage(app, new JsonObject { ["Title"] = "Flash" }, ttl: 60);
        var news = await InboxMessage(app, new JsonObject { ["Title"] = "News" });
        await Start(app, "u1");
        await Send(app, "u1", flash);
        await Send(app, "u1", news);
        Assert.Equal(2, (await Newsfeed(app, "u1")).Count);

        factory.Clock.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal([$"{news}##1"], (await Newsfeed(app, "u1")).Select(p => p.Key));
        Assert.False((bool)(await Start(app, "u1", held: new JsonArray($"{news}##1")))["syncNewsfeed"]!);
        Assert.True((bool)(await Start(app, "u1", held: new JsonArray($"{news}##1", $"{flash}##1")))["syncNewsfeed"]!);
        var read = await Inbox(app, "u1", "markNewsfeedMessageAsRead", $"{flash}##1");
        Assert.NotNull(read["warning"]);
    }

    [Fact]
    public async Task SendMessage_ProductionKey_OnlyForMessagesMarkedForApiSends()
    {
        var app = NewApp();
        var internalOnly = await InboxMessage(app, new JsonObject { ["Title"] = "Internal" }, apiSends: false);
        await Start(app, "u1");

        var (status, refused) = await Single(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "u1", ["messageId"] = internalOnly });
        var development = await Send(app, "u1", internalOnly, key: KeyClassNames.Development);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.False((bool)refused["success"]!);
        Assert.Equal($"Message {internalOnly} is not marked for API sends: send it with the development key, or set apiSends on the message.", (string?)refused["error"]!["message"]);
        Assert.Equal("sent", (string?)development["result"]);
        Assert.Single(await Newsfeed(app, "u1"));
    }

    [Fact]
    public async Task SendMessage_OutsideTheAudience_IsNotSentUnlessForced()
    {
        var app = NewApp();
        var gold = await InboxMessage(app, new JsonObject { ["Title"] = "Gold" }, rule: JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}"""));
        await Start(app, "free", attributes: new JsonObject { ["plan"] = "free" });
        await Start(app, "rich", attributes: new JsonObject { ["plan"] = "gold" });

        var outside = await Send(app, "free", gold);
        var inside = await Send(app, "rich", gold);
        var forced = await Send(app, "free", gold, new JsonObject { ["force"] = true });

        Assert.Equal(("not sent: outside the audience", 0), ((string?)outside["result"], (int)outside["messagesSent"]!));
        Assert.Equal(("sent", 1), ((string?)inside["result"], (int)inside["messagesSent"]!));
        Assert.Equal(("sent", 1), ((string?)forced["result"], (int)forced["messagesSent"]!));
        Assert.Single(await Newsfeed(app, "free"));
    }

    [Fact]
    public async Task SendMessage_UnsubscribedCategoryOrChannel_IsNotSentEvenWhenForced()
    {
        var app = NewApp();
        var (status, settings) = await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", new { inAppCaps = Array.Empty<object>(), regions = Array.Empty<object>(), categories = new[] { new { id = "deals", name = "Deals" } } });
        Assert.True(status == HttpStatusCode.OK, settings?.ToJsonString());
        var deals = await InboxMessage(app, new JsonObject { ["Title"] = "Deal" }, category: "deals");
        var news = await InboxMessage(app, new JsonObject { ["Title"] = "News" });
        await Start(app, "u1");
        await Start(app, "u2");
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "u1", ["unsubscribeCategoriesToAdd"] = new JsonArray("deals") });
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "u2", ["unsubscribeChannelsToAdd"] = "Newsfeed Message" });

        var category = await Send(app, "u1", deals, new JsonObject { ["force"] = true });
        var other = await Send(app, "u1", news);
        var channel = await Send(app, "u2", news, new JsonObject { ["force"] = true });

        Assert.Equal("not sent: unsubscribed from category 'deals'", (string?)category["result"]);
        Assert.Equal("sent", (string?)other["result"]);
        Assert.Equal("not sent: unsubscribed from channel 'Newsfeed Message'", (string?)channel["result"]);
        Assert.Equal(0, (int)channel["messagesSent"]!);
        Assert.Empty(await Newsfeed(app, "u2"));
    }

    [Fact]
    public async Task SendMessage_UnknownMessage_Answers404MessageNotFound()
    {
        var app = NewApp();
        await Start(app, "u1");

        var (status, element) = await Single(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "u1", ["messageId"] = "123456789" });
        var (missingStatus, missing) = await Single(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "u1" });

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False((bool)element["success"]!);
        Assert.Equal("Message not found.", (string?)element["error"]!["message"]);
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Equal("'messageId' must be provided", (string?)missing["error"]!["message"]);
    }

    [Fact]
    public async Task SendMessage_PushMessage_PutsOneSendPerPushTokenInTheOutbox_AndNoneWithoutATokenOrWithADraft()
    {
        var app = NewApp();
        var push = await Created(app, "messages", new { name = "Push", channel = "push", values = new JsonObject { ["Message"] = "Hi" }, apiSends = true });
        await Activate(app, "messages", push);
        await Start(app, "u1");

        var (_, bare) = await Single(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "u1", ["messageId"] = push });
        Assert.Equal("not sent: no push token on the user's devices", (string?)bare["result"]);
        Assert.Equal(0, (int)bare["messagesSent"]!);

        var (tokenStatus, token) = await Single(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "u1", ["deviceId"] = "dev-u1", ["gcmRegistrationId"] = "fcm-token-1" });
        Assert.True(tokenStatus == HttpStatusCode.OK, token.ToJsonString());
        var (status, element) = await Single(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = "u1", ["messageId"] = push, ["values"] = new JsonObject { ["code"] = "X" } });

        Assert.True(status == HttpStatusCode.OK, element.ToJsonString());
        Assert.Equal(("sent", 1), ((string?)element["result"], (int)element["messagesSent"]!));
        var queue = factory.Services.GetRequiredService<Greengage.Engine.Storage.IWorkQueue>();
        var claimed = await queue.ClaimAsync(Greengage.Engine.Messages.DeliverySend.Queue, "test", 100, DateTimeOffset.UtcNow.AddYears(10), TimeSpan.FromSeconds(1), default);
        var mine = claimed.Where(i => i.Key == app.AppId).Select(i => Greengage.Engine.Messages.DeliverySend.FromPayload(i.Payload)).ToList();
        var send = Assert.Single(mine);
        Assert.Equal(("u1", "dev-u1", push, "fcm", "fcm-token-1", "X"), (send.UserId, send.DeviceId, send.MessageId, send.Kind, send.Address, (string?)send.SendValues!["code"]));
        Assert.Equal("Hi", (string?)send.Values["Message"]);
    }

    [Fact]
    public async Task SendMessage_Personalised_RendersAttributesAndValuesIntoTheItem()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject
        {
            ["Title"] = "Hi {{userAttribute['name']}}",
            ["Subtitle"] = "Your code: {{Value \"code\"}}",
        });
        await Start(app, "u1", attributes: new JsonObject { ["name"] = "Grace" });

        await Send(app, "u1", id, new JsonObject { ["values"] = new JsonObject { ["code"] = "SPRING-24" } });

        var vars = (await Newsfeed(app, "u1"))[$"{id}##1"]!["messageData"]!["vars"]!;
        Assert.Equal("Hi Grace", (string?)vars["Title"]);
        Assert.Equal("Your code: SPRING-24", (string?)vars["Subtitle"]);
    }

    [Fact]
    public async Task SendMessage_InAppMessage_IsCarriedByTheNextStart()
    {
        var app = NewApp();
        var alert = await Created(app, "messages", new
        {
            name = "Alert",
            channel = "in-app",
            template = "Alert",
            values = new JsonObject { ["Message"] = "Code {{Value \"code\"}}" },
            apiSends = true,
            rule = JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}"""),
        });
        await Activate(app, "messages", alert);
        Assert.False((await Start(app, "u1"))["messages"]!.AsObject().ContainsKey(alert.ToString()));

        var sent = await Send(app, "u1", alert, new JsonObject { ["force"] = true, ["values"] = new JsonObject { ["code"] = "Z9" } });

        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        var start = await Start(app, "u1");
        Assert.Equal("Code Z9", (string?)start["messages"]![alert.ToString()]!["vars"]!["Message"]);
    }

    [Fact]
    public async Task StartCampaign_DevelopmentKey_FiresTheCampaignsMessages()
    {
        var app = NewApp();
        var campaign = await Created(app, "campaigns", new { name = "Onboarding" });
        var welcome = await InboxMessage(app, new JsonObject { ["Title"] = "Welcome {{Value \"name\"}}" }, apiSends: false, campaign: campaign);
        var tips = await InboxMessage(app, new JsonObject { ["Title"] = "Tips" }, apiSends: false, campaign: campaign);
        await Start(app, "u1");
        var item = new JsonObject { ["action"] = "startCampaign", ["userId"] = "u1", ["campaignId"] = campaign, ["values"] = new JsonObject { ["name"] = "Ada" } };
        var inactive = await Api(app, (JsonObject)item.DeepClone(), KeyClassNames.Development);
        await Activate(app, "campaigns", campaign);

        var (prodStatus, production) = await Single(app, (JsonObject)item.DeepClone());
        var started = await Api(app, item, KeyClassNames.Development);

        Assert.Equal($"Campaign {campaign} is not active (draft).", (string?)inactive["error"]!["message"]);
        Assert.Equal(HttpStatusCode.Forbidden, prodStatus);
        Assert.Equal("Invalid access key", (string?)production["error"]!["message"]);
        Assert.Equal("sent", (string?)started["result"]);
        Assert.Equal(2, (int)started["messagesSent"]!);
        var inbox = await Newsfeed(app, "u1");
        Assert.Equal(new[] { $"{welcome}##1", $"{tips}##1" }.Order(StringComparer.Ordinal), inbox.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("Welcome Ada", (string?)inbox[$"{welcome}##1"]!["messageData"]!["vars"]!["Title"]);
        Assert.Equal(campaign, (long)inbox[$"{welcome}##1"]!["messageData"]!["parentCampaignId"]!);
    }

    [Fact]
    public async Task InboxActions_UnknownUser_AreSkippedAndTheDownloadIsEmpty()
    {
        var app = NewApp();
        var id = await InboxMessage(app, new JsonObject { ["Title"] = "Hello" });

        var download = await Api(app, new JsonObject { ["action"] = "getNewsfeedMessages", ["userId"] = "ghost", ["deviceId"] = "dev-ghost" });
        var mark = await Inbox(app, "ghost", "markNewsfeedMessageAsRead", $"{id}##1");
        var send = await Send(app, "ghost", id);

        Assert.True((bool)download["success"]!);
        Assert.Empty(download["newsfeedMessages"]!.AsObject());
        Assert.All([download, mark, send], e => Assert.Equal("User not found; request skipped.", (string?)e["warning"]!["message"]));
        Assert.Null(send["result"]);
    }
}
