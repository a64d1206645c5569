using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Actions;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Tests.Identity;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Microsoft.Extensions.Time.Testing;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Messages;

/// <summary>
/// The inbox (spec 4.4; docs/messages-inbox.md) in the domain: the component's fold, item ids, a full inbox's
/// evictions, expiry, <c>syncNewsfeed</c>, and a login that merges two inboxes; sends through the real handlers, run
/// by the user processor as the grain runs them.
/// </summary>
public sealed class InboxTests
{
    private const string App = "app_test";
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    /// <summary>An app's content held in memory, changed through the real <see cref="MessageService"/>.</summary>
    private sealed class Content : IContentStore
    {
        private readonly List<ContentDocument> _documents = [];

        public Content() => Directory = new ContentDirectory(this);

        public ContentDirectory Directory { get; }

        public MessageService Messages => new(Directory, new FakeTimeProvider(T0));

        public long Inbox(string name, JsonObject values, long? ttlSeconds = null, JsonNode? rule = null, string? category = null) =>
            Active(new MessageInput(name, MessageChannels.Inbox, null, values, null, rule, null, null, null, 0, null, null, null, null, null, true, category, ttlSeconds));

        public long Active(MessageInput input)
        {
            var created = Messages.CreateAsync(App, input, default).GetAwaiter().GetResult();
            return Messages.ActivateAsync(App, created.Id, default).GetAwaiter().GetResult().Id;
        }

        public Task<IReadOnlyList<ContentDocument>> ListContentAsync(string appId, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ContentDocument>>([.. _documents]);

        public Task WriteContentAsync(string appId, IReadOnlyList<ContentDocument> puts, IReadOnlyList<(string Kind, string Key)> deletes, CancellationToken cancellationToken)
        {
            _documents.RemoveAll(d => deletes.Contains((d.Kind, d.Key)) || puts.Any(p => p.Kind == d.Kind && p.Key == d.Key));
            _documents.AddRange(puts);
            return Task.CompletedTask;
        }
    }

    private static UserWorld World(Content content, int maxItems = 100) =>
        new(actions: [new Start(content.Directory), new GetVars(content.Directory), new SendMessage(content.Directory, new MessagesOptions { InboxMaxItems = maxItems }),
            new StartCampaign(content.Directory)]);

    private static void Known(UserWorld world, string user, string device, TimeSpan at = default, object? attributes = null) =>
        Assert.True(world.Do(user, "start", new { deviceId = device, userAttributes = attributes ?? new { } }, at).Success);

    private static ActionResult Send(UserWorld world, string user, long messageId, TimeSpan at, object? values = null) =>
        world.Do(user, "sendMessage", new { messageId, values }, at);

    private static JsonObject Inbox(UserWorld world, string user, TimeSpan at) =>
        world.Do(user, "getNewsfeedMessages", new { deviceId = "d-" + user }, at).Fields!["newsfeedMessages"]!.AsObject();

    private static bool Sync(UserWorld world, string user, TimeSpan at, object? held) =>
        (bool)world.Do(user, "getVars", held is null ? new { deviceId = "d-" + user } : new { deviceId = "d-" + user, newsfeedMessages = held }, at).Fields!["syncNewsfeed"]!;

    private static long Ms(TimeSpan at) => (T0 + at).ToUnixTimeMilliseconds();

    [Fact]
    public void InboxComponent_FoldsAddReadDelete_AndRemembersTheLastOccurrence()
    {
        var inbox = new InboxComponent();
        var data = JsonSerializer.SerializeToElement(new { vars = new { Title = "T" } });
        inbox.Apply(new InboxItemAdded { TimeMs = 10, ItemId = "5##1", MessageId = "5", Data = data });
        inbox.Apply(new InboxItemAdded { TimeMs = 20, ItemId = "5##2", MessageId = "5", Data = data, ExpiresMs = 1000 });
        inbox.Apply(new InboxItemRead { TimeMs = 30, ItemId = "5##1" });
        inbox.Apply(new InboxItemRead { TimeMs = 31, ItemId = "9##9" });

        Assert.Equal(["5##1", "5##2"], inbox.Items.Select(i => i.Id));
        Assert.True(inbox.Items[0].IsRead);
        Assert.False(inbox.Items[1].IsRead);
        Assert.Equal(20, inbox.Items[1].DeliveredMs);
        Assert.Equal(1000, inbox.Items[1].ExpiresMs);

        inbox.Apply(new InboxItemDeleted { TimeMs = 40, ItemId = "5##2" });
        Assert.Equal(["5##1"], inbox.Items.Select(i => i.Id));
        Assert.Equal(2, inbox.Occurrences["5"]);
    }

    [Fact]
    public void InboxComponent_NewItem_DropsTheItemsExpiredByItsTime()
    {
        var inbox = new InboxComponent();
        var data = JsonSerializer.SerializeToElement(new { });
        inbox.Apply(new InboxItemAdded { TimeMs = 10, ItemId = "5##1", MessageId = "5", Data = data, ExpiresMs = 100 });
        inbox.Apply(new InboxItemAdded { TimeMs = 20, ItemId = "6##1", MessageId = "6", Data = data, ExpiresMs = 500 });
        inbox.Apply(new InboxItemAdded { TimeMs = 100, ItemId = "7##1", MessageId = "7", Data = data });

        Assert.Equal(["6##1", "7##1"], inbox.Items.Select(i => i.Id));
        Assert.Equal(1, inbox.Occurrences["5"]);
    }

    [Fact]
    public void SendMessage_InboxMessage_AddsItemsNumberedPerMessage_AndNeverReusesAnId()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var promo = content.Inbox("Promo", new JsonObject { ["Title"] = "Sale" });
        var world = World(content);
        Known(world, "u1", "d-u1");

        Assert.Equal("sent", (string?)Send(world, "u1", news, Hour).Fields!["result"]);
        Send(world, "u1", news, 2 * Hour);
        Send(world, "u1", promo, 3 * Hour);
        Assert.True(world.Do("u1", "deleteNewsfeedMessage", new { deviceId = "d-u1", newsfeedMessageId = $"{news}##2" }, 4 * Hour).Success);
        Send(world, "u1", news, 5 * Hour);

        var inbox = Inbox(world, "u1", 6 * Hour);
        Assert.Equal([$"{news}##1", $"{promo}##1", $"{news}##3"], inbox.Select(p => p.Key));
        Assert.Equal(Ms(Hour), (long)inbox[$"{news}##1"]!["deliveryTimestamp"]!);
        Assert.Equal("Sale", (string?)inbox[$"{promo}##1"]!["messageData"]!["vars"]!["Title"]);
        Assert.Equal(world.Serialized("u1"), world.Replayed("u1"));
    }

    [Fact]
    public void SendMessage_FullInbox_EvictsTheOldestInTheSameAction()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content, maxItems: 3);
        Known(world, "u1", "d-u1");
        for (var i = 1; i <= 3; i++)
            Send(world, "u1", news, i * Hour);
        var before = world.Kinds("u1").Count;

        Send(world, "u1", news, 4 * Hour);

        Assert.Equal([InboxItemDeleted.Kind, InboxItemAdded.Kind, MessageSent.Kind], world.Kinds("u1").Skip(before));
        Assert.Contains("\"ev\":true", world.Bodies("u1").Skip(before).First(), StringComparison.Ordinal);
        Assert.Equal([$"{news}##2", $"{news}##3", $"{news}##4"], Inbox(world, "u1", 5 * Hour).Select(p => p.Key));
    }

    [Fact]
    public void SendMessage_ExpiredItems_AreNotAnswered_DoNotCountAgainstTheLimit_AndLeaveWithTheNextItem()
    {
        var content = new Content();
        var flash = content.Inbox("Flash", new JsonObject { ["Title"] = "Now" }, ttlSeconds: 3600);
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content, maxItems: 2);
        Known(world, "u1", "d-u1");
        Send(world, "u1", flash, TimeSpan.Zero);
        Send(world, "u1", news, TimeSpan.FromMinutes(1));

        var early = Inbox(world, "u1", TimeSpan.FromMinutes(59));
        Assert.Equal(Ms(Hour), (long)early[$"{flash}##1"]!["expirationTimestamp"]!);
        Assert.False(early[$"{news}##1"]!.AsObject().ContainsKey("expirationTimestamp"));
        Assert.Equal([$"{news}##1"], Inbox(world, "u1", Hour).Select(p => p.Key));
        Assert.Equal(2, world["u1"].State.Inbox.Items.Count);

        var before = world.Kinds("u1").Count;
        Send(world, "u1", news, 2 * Hour);

        // Only one live item: no eviction; the expired one left the state with the new item.
        Assert.Equal([InboxItemAdded.Kind, MessageSent.Kind], world.Kinds("u1").Skip(before));
        Assert.Equal([$"{news}##1", $"{news}##2"], world["u1"].State.Inbox.Items.Select(i => i.Id));
    }

    [Fact]
    public void SyncNewsfeed_ComparesTheDevicesIdsWithTheLiveItems()
    {
        var content = new Content();
        var flash = content.Inbox("Flash", new JsonObject { ["Title"] = "Now" }, ttlSeconds: 60);
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content);
        Known(world, "u1", "d-u1");
        Assert.False(Sync(world, "u1", TimeSpan.Zero, held: null));
        Assert.False(Sync(world, "u1", TimeSpan.Zero, held: Array.Empty<string>()));
        Assert.True(Sync(world, "u1", TimeSpan.Zero, held: new[] { "1##1" }));

        Send(world, "u1", news, TimeSpan.Zero);
        Send(world, "u1", flash, TimeSpan.Zero);
        string[] both = [$"{news}##1", $"{flash}##1"];
        Assert.True(Sync(world, "u1", TimeSpan.FromSeconds(1), held: null));
        Assert.True(Sync(world, "u1", TimeSpan.FromSeconds(1), held: new[] { $"{news}##1" }));
        Assert.False(Sync(world, "u1", TimeSpan.FromSeconds(1), held: both.Reverse().ToArray()));
        // JSON text, as Unity sends it.
        Assert.False(Sync(world, "u1", TimeSpan.FromSeconds(1), held: JsonSerializer.Serialize(both)));
        // Once the flash item expired, the device holding it must download again.
        Assert.True(Sync(world, "u1", TimeSpan.FromSeconds(61), held: both));
        Assert.False(Sync(world, "u1", TimeSpan.FromSeconds(61), held: new[] { $"{news}##1" }));
    }

    [Fact]
    public void SyncNewsfeed_InStart_ReadsTheDevicesIds_AndRefusesANonArrayBeforeRecordingAnything()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content);
        Known(world, "u1", "d-u1");
        Send(world, "u1", news, TimeSpan.Zero);
        var before = world.Kinds("u1").Count;

        var bad = world.Do("u1", "start", new { deviceId = "d-u1", newsfeedMessages = new { a = 1 } }, Hour);
        Assert.False(bad.Success);
        Assert.Equal(before, world.Kinds("u1").Count);

        Assert.False((bool)world.Do("u1", "start", new { deviceId = "d-u1", newsfeedMessages = new[] { $"{news}##1" } }, Hour).Fields!["syncNewsfeed"]!);
        Assert.True((bool)world.Do("u1", "start", new { deviceId = "d-u1", newsfeedMessages = Array.Empty<string>() }, Hour).Fields!["syncNewsfeed"]!);
    }

    [Fact]
    public void MarkAndDelete_UnknownOrExpiredId_WarnAndRecordNothing()
    {
        var content = new Content();
        var flash = content.Inbox("Flash", new JsonObject { ["Title"] = "Now" }, ttlSeconds: 60);
        var world = World(content);
        Known(world, "u1", "d-u1");
        Send(world, "u1", flash, TimeSpan.Zero);
        var before = world.Kinds("u1").Count;

        var unknown = world.Do("u1", "markNewsfeedMessageAsRead", new { deviceId = "d-u1", newsfeedMessageId = "42##1" }, TimeSpan.FromSeconds(1));
        var expired = world.Do("u1", "deleteNewsfeedMessage", new { deviceId = "d-u1", newsfeedMessageId = $"{flash}##1" }, TimeSpan.FromSeconds(60));
        var missing = world.Do("u1", "deleteNewsfeedMessage", new { deviceId = "d-u1" }, TimeSpan.FromSeconds(1));

        Assert.True(unknown.Success);
        Assert.Equal("Inbox message '42##1' not found; request skipped.", unknown.Warning);
        Assert.True(expired.Success);
        Assert.NotNull(expired.Warning);
        Assert.False(missing.Success);
        Assert.Equal(400, missing.Status);
        Assert.Equal(before, world.Kinds("u1").Count);
    }

    [Fact]
    public void MarkAsRead_Twice_RecordsOnce()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content);
        Known(world, "u1", "d-u1");
        Send(world, "u1", news, TimeSpan.Zero);

        world.Do("u1", "markNewsfeedMessageAsRead", new { deviceId = "d-u1", newsfeedMessageId = $"{news}##1" }, Hour);
        world.Do("u1", "markNewsfeedMessageAsRead", new { deviceId = "d-u1", newsfeedMessageId = $"{news}##1" }, Hour);

        Assert.Single(world.Kinds("u1"), k => k == InboxItemRead.Kind);
        Assert.True((bool)Inbox(world, "u1", Hour)[$"{news}##1"]!["isRead"]!);
    }

    [Fact]
    public void Login_AnonymousInboxJoinsTheKnownOne_AndAClashingIdIsRenumbered()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hi {{userId}}" });
        var promo = content.Inbox("Promo", new JsonObject { ["Title"] = "Sale" });
        var world = World(content);
        Known(world, "alice", "d-alice");
        Send(world, "alice", news, TimeSpan.FromMinutes(1));
        Known(world, "d1", "d1", TimeSpan.FromMinutes(2));
        Send(world, "d1", news, TimeSpan.FromMinutes(3));
        Send(world, "d1", promo, TimeSpan.FromMinutes(4));
        world.Do("d1", "markNewsfeedMessageAsRead", new { deviceId = "d1", newsfeedMessageId = $"{promo}##1" }, TimeSpan.FromMinutes(5));

        Assert.True(world.Do("d1", "setUserAttributes", new { deviceId = "d1", newUserId = "alice" }, TimeSpan.FromMinutes(6)).Success);

        var inbox = Inbox(world, "alice", TimeSpan.FromMinutes(7));
        Assert.Equal([$"{news}##1", $"{news}##2", $"{promo}##1"], inbox.Select(p => p.Key));
        Assert.Equal("Hi alice", (string?)inbox[$"{news}##1"]!["messageData"]!["vars"]!["Title"]);
        // The anonymous user's item keeps its text and delivery time under its new id.
        Assert.Equal("Hi d1", (string?)inbox[$"{news}##2"]!["messageData"]!["vars"]!["Title"]);
        Assert.Equal(Ms(TimeSpan.FromMinutes(3)), (long)inbox[$"{news}##2"]!["deliveryTimestamp"]!);
        Assert.True((bool)inbox[$"{promo}##1"]!["isRead"]!);

        Send(world, "alice", news, TimeSpan.FromMinutes(8));
        Assert.Contains($"{news}##3", Inbox(world, "alice", TimeSpan.FromMinutes(9)).Select(p => p.Key));
        Assert.Equal(world.Serialized("alice"), world.Replayed("alice"));
    }

    [Fact]
    public void GetNewsfeedMessages_UnknownUser_AnswersAnEmptyInboxWithTheWarning()
    {
        var world = World(new Content());

        var result = world.Do("nobody", "getNewsfeedMessages", new { deviceId = "dx" });

        Assert.True(result.Success);
        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.Empty(result.Fields!["newsfeedMessages"]!.AsObject());
        Assert.Empty(world.Kinds("nobody"));
    }

    [Fact]
    public void SendMessage_UnknownUser_IsSkippedWithTheWarning()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "Hello" });
        var world = World(content);

        var result = Send(world, "nobody", news, TimeSpan.Zero);

        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.Empty(world.Kinds("nobody"));
    }

    [Fact]
    public void SendMessage_Personalised_RendersTheUserAndTheSendsValues()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject
        {
            ["Title"] = "Hi {{userAttribute['name'] | default('friend')}}",
            ["Subtitle"] = "Code {{Value \"code\"}} for {{userId}}",
            ["Data"] = new JsonObject { ["link"] = "{{value['link']}}" },
        });
        var world = World(content);
        Known(world, "u1", "d-u1", attributes: new { name = "Ada" });
        Known(world, "u2", "d-u2");

        Send(world, "u1", news, Hour, new { code = "X1", link = "https://example.com/x" });
        Send(world, "u2", news, Hour);

        var vars1 = Inbox(world, "u1", Hour).First().Value!["messageData"]!["vars"]!;
        Assert.Equal("Hi Ada", (string?)vars1["Title"]);
        Assert.Equal("Code X1 for u1", (string?)vars1["Subtitle"]);
        Assert.Equal("https://example.com/x", (string?)vars1["Data"]!["link"]);
        var vars2 = Inbox(world, "u2", Hour).First().Value!["messageData"]!["vars"]!;
        Assert.Equal("Hi friend", (string?)vars2["Title"]);
        Assert.Equal("Code  for u2", (string?)vars2["Subtitle"]);
    }

    [Fact]
    public async Task SendMessage_Rules_AudienceForceUnsubscribeAndDevices()
    {
        var content = new Content();
        await content.Messages.SetSettingsAsync(App, new MessagingSettings([], [], [new UnsubscribeCategory("news", "News", null)]), default);
        var gold = content.Inbox("Gold", new JsonObject { ["Title"] = "Gold" }, rule: JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}"""));
        var categorised = content.Inbox("Digest", new JsonObject { ["Title"] = "Digest" }, category: "news");
        var world = World(content);
        Known(world, "u1", "d-u1", attributes: new { plan = "free" });
        Known(world, "u1", "d2-u1", TimeSpan.FromSeconds(1));

        var outside = Send(world, "u1", gold, Hour);
        var forced = world.Do("u1", "sendMessage", new { messageId = gold, force = "true" }, Hour);
        var oneDevice = world.Do("u1", "sendMessage", new { messageId = gold, force = true, deviceId = "d2-u1" }, Hour);
        var otherDevice = world.Do("u1", "sendMessage", new { messageId = gold, force = true, deviceId = "elsewhere" }, Hour);
        world.Do("u1", "setUserAttributes", new { deviceId = "d-u1", unsubscribeCategoriesToAdd = new[] { "news" } }, Hour);
        var unsubscribed = Send(world, "u1", categorised, Hour);
        world.Do("u1", "setUserAttributes", new { deviceId = "d-u1", unsubscribeChannelsToAdd = "Newsfeed Message" }, Hour);
        var channelOff = world.Do("u1", "sendMessage", new { messageId = gold, force = true }, Hour);

        Assert.Equal("not sent: outside the audience", (string?)outside.Fields!["result"]);
        Assert.Equal(0, (int)outside.Fields!["messagesSent"]!);
        Assert.Equal("sent", (string?)forced.Fields!["result"]);
        Assert.Equal(2, (int)forced.Fields!["messagesSent"]!);
        Assert.Equal(1, (int)oneDevice.Fields!["messagesSent"]!);
        Assert.False(otherDevice.Success);
        Assert.Equal(400, otherDevice.Status);
        Assert.Equal("not sent: unsubscribed from category 'news'", (string?)unsubscribed.Fields!["result"]);
        Assert.Equal("not sent: unsubscribed from channel 'Newsfeed Message'", (string?)channelOff.Fields!["result"]);
        Assert.Equal(2, Inbox(world, "u1", Hour).Count);
    }

    [Fact]
    public async Task SendMessage_KeyClassAndState_AreCheckedBeforeAnythingIsRecorded()
    {
        var content = new Content();
        var internalOnly = content.Active(new MessageInput("Internal", MessageChannels.Inbox, null, new JsonObject { ["Title"] = "x" }, null, null, null, null, null, 0, null, null, null, null, null, false, null, null));
        var draft = (await content.Messages.CreateAsync(App, new MessageInput("Draft", MessageChannels.Inbox, null, [], null, null, null, null, null, 0, null, null, null, null, null, true, null, null), default)).Id;
        var push = content.Active(new MessageInput("Push", MessageChannels.Push, null, new JsonObject { ["Message"] = "x" }, null, null, null, null, null, 0, null, null, null, null, null, true, null, null));
        var world = World(content);
        Known(world, "u1", "d-u1");
        var before = world.Kinds("u1").Count;

        ActionResult Call(object parameters, Protocol.Actions.KeyClasses key) =>
            world.Send("u1", Hour, Item(0, "sendMessage", parameters) with { Key = key })[0];

        var production = Call(new { messageId = internalOnly }, Protocol.Actions.KeyClasses.Production);
        var development = Call(new { messageId = internalOnly }, Protocol.Actions.KeyClasses.Development);
        var notActive = Call(new { messageId = draft }, Protocol.Actions.KeyClasses.Development);
        var channel = Call(new { messageId = push }, Protocol.Actions.KeyClasses.Development);
        var unknown = Call(new { messageId = 424242 }, Protocol.Actions.KeyClasses.Development);

        Assert.Equal(403, production.Status);
        Assert.True(development.Success);
        Assert.Equal((400, $"Message {draft} is not active (draft)."), (notActive.Status, notActive.Error));
        // A push goes to the outbox, one send per token; this user's device has none.
        Assert.Equal("not sent: no push token on the user's devices", (string?)channel.Fields!["result"]);
        Assert.Equal((404, "Message not found."), (unknown.Status, unknown.Error));
        Assert.Equal([InboxItemAdded.Kind, MessageSent.Kind], world.Kinds("u1").Skip(before));
    }

    [Fact]
    public void SendMessage_ValuesTooDeepOrNotAnObject_Answer400AndRecordNothing()
    {
        var content = new Content();
        var news = content.Inbox("News", new JsonObject { ["Title"] = "{{Value \"a\"}}" });
        var world = World(content);
        Known(world, "u1", "d-u1");
        JsonNode deep = "leaf";
        for (var i = 0; i < 17; i++)
            deep = new JsonObject { ["a"] = deep };
        var before = world.Kinds("u1").Count;

        var tooDeep = world.Do("u1", "sendMessage", new { messageId = news, values = deep }, Hour);
        var notObject = world.Do("u1", "sendMessage", new { messageId = news, values = new[] { 1 } }, Hour);

        Assert.Equal((400, "'values' must be nested at most 16 levels deep"), (tooDeep.Status, tooDeep.Error));
        Assert.Equal(400, notObject.Status);
        Assert.Equal(before, world.Kinds("u1").Count);
        deep = deep["a"]!.DeepClone();
        Assert.Equal("sent", (string?)world.Do("u1", "sendMessage", new { messageId = news, values = deep }, Hour).Fields!["result"]);
    }

    [Fact]
    public void SendMessage_InAppMessage_IsQueuedAndCarriedByTheNextStart()
    {
        var content = new Content();
        var alert = content.Active(new MessageInput("Alert", MessageChannels.InApp, "Alert", new JsonObject { ["Message"] = "Code {{Value \"code\"}}" },
            null, JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}"""), null, null, null, 0, null, null, null, null, null, true, null, null));
        var world = World(content);
        Known(world, "u1", "d-u1");
        Assert.False(world.Do("u1", "start", new { deviceId = "d-u1" }, Hour).Fields!["messages"]!.AsObject().ContainsKey(alert.ToString()));

        var sent = world.Do("u1", "sendMessage", new { messageId = alert, force = true, values = new { code = "Z9" } }, Hour);

        Assert.Equal("sent", (string?)sent.Fields!["result"]);
        Assert.Equal(1, (int)sent.Fields!["messagesSent"]!);
        var start = world.Do("u1", "start", new { deviceId = "d-u1" }, 2 * Hour);
        Assert.Equal("Code Z9", (string?)start.Fields!["messages"]![alert.ToString()]!["vars"]!["Message"]);
    }

    [Fact]
    public async Task StartCampaign_FiresEachActiveMessageOfTheCampaign()
    {
        var content = new Content();
        var campaign = (await content.Messages.CreateCampaignAsync(App, new CampaignInput("Welcome", null, null), default)).Id;
        MessageInput Member(string name, string channel, JsonObject values, string? template = null) =>
            new(name, channel, template, values, null, null, null, null, null, 0, null, null, null, campaign, null, false, null, null);
        var inbox = content.Active(Member("Inbox", MessageChannels.Inbox, new JsonObject { ["Title"] = "Welcome {{Value \"name\"}}" }));
        var inApp = content.Active(Member("Alert", MessageChannels.InApp, new JsonObject { ["Message"] = "Hi" }, "Alert"));
        var push = content.Active(Member("Push", MessageChannels.Push, new JsonObject { ["Message"] = "Hi" }));
        await content.Messages.CreateAsync(App, Member("Draft", MessageChannels.Inbox, []), default);
        var world = World(content);
        Known(world, "u1", "d-u1");
        var inactive = world.Do("u1", "startCampaign", new { campaignId = campaign }, Hour);
        await content.Messages.SetCampaignStateAsync(App, campaign, MessageStates.Active, default);

        var result = world.Do("u1", "startCampaign", new { campaignId = campaign, values = new { name = "Ada" } }, Hour);

        Assert.Equal((400, $"Campaign {campaign} is not active (draft)."), (inactive.Status, inactive.Error));
        Assert.Equal("sent 2 of 3 messages", (string?)result.Fields!["result"]);
        Assert.Equal(2, (int)result.Fields!["messagesSent"]!);
        Assert.Equal("sent", (string?)result.Fields!["sends"]![inbox.ToString()]);
        Assert.Equal("sent", (string?)result.Fields!["sends"]![inApp.ToString()]);
        Assert.Equal("not sent: no push token on the user's devices", (string?)result.Fields!["sends"]![push.ToString()]);
        Assert.Equal(3, result.Fields!["sends"]!.AsObject().Count);
        Assert.Equal("Welcome Ada", (string?)Inbox(world, "u1", Hour)[$"{inbox}##1"]!["messageData"]!["vars"]!["Title"]);
        Assert.Equal(campaign, (long)Inbox(world, "u1", Hour)[$"{inbox}##1"]!["messageData"]!["parentCampaignId"]!);
        Assert.True(world["u1"].State.Messages.Queued.ContainsKey(inApp.ToString()));
        var unknown = world.Do("u1", "startCampaign", new { campaignId = 1 }, Hour);
        Assert.Equal((404, "Campaign not found."), (unknown.Status, unknown.Error));
    }
}
