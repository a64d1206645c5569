using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// The content read-only actions of spec 4.4 through <c>/api</c>: <c>getMessages</c>, <c>getMessage</c> (the message
/// object) and <c>getUnsubscribeCategories</c>, with the key classes the key table allows.
/// </summary>
public sealed class MessageReadApiTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string ContentKey = "contentReadOnly";

    private readonly MessagingCalls _calls = new(factory);

    /// <summary>The ids listed, in the order listed (by id; content ids are not handed out in order).</summary>
    private static long[] Ids(JsonObject answer) => [.. answer["messages"]!.AsArray().Select(m => (long)m!["id"]!)];

    private static long[] ById(params long[] ids) => [.. ids.Order()];

    [Fact]
    public async Task GetMessage_AnswersTheMessageObjectOfSpec44()
    {
        var app = _calls.NewApp("Read");
        var campaign = (long)(await _calls.Created(app, "campaigns", new { name = "Onboarding" }))["id"]!;
        await _calls.Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/{campaign}/activate");
        var start = DateTimeOffset.Parse("2031-05-01T10:00:00Z");
        var id = await _calls.ActiveMessage(app, new
        {
            name = "Welcome", channel = "in-app", template = "Center Popup", campaignId = campaign, startTime = start,
            whenTriggers = new[] { new { subject = "event", noun = "Signed up" } },
            limits = new[] { new { subject = "times", noun = "1", verb = "limitUser" } },
        });
        var test = await _calls.Created(app, "ab-tests", new
        {
            name = "Copy", variants = new object[]
            {
                new { name = "A", percent = 50 },
                new { name = "B", percent = 50, messages = new Dictionary<string, object> { [id.ToString()] = new JsonObject { ["Message"] = new JsonObject { ["Text"] = "Hey" } } } },
            },
        });

        var answer = await _calls.Api(app, new { action = "getMessage", id }, ContentKey);

        Assert.True((bool)answer["success"]!, answer.ToJsonString());
        var m = answer["message"]!;
        Assert.Equal(id, (long)m["id"]!);
        Assert.Equal(campaign, (long)m["campaignID"]!);
        Assert.Equal("Onboarding", (string?)m["campaignName"]);
        Assert.Equal([(long)test["id"]!], m["abTestIds"]!.AsArray().Select(t => (long)t!));
        Assert.Equal("Welcome", (string?)m["name"]);
        Assert.True((bool)m["active"]!);
        Assert.Equal("active", (string?)m["state"]);
        Assert.Equal("Center Popup", (string?)m["messageType"]);
        Assert.Equal(start.ToUnixTimeMilliseconds() / 1000.0, (double)m["scheduledTime"]!);
        Assert.InRange((double)m["created"]!, DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds());
        Assert.True((double)m["updated"]! >= (double)m["created"]!);
        Assert.Null(m["finished"]);
        Assert.True(m.AsObject().ContainsKey("finished"));
        Assert.Equal("""{"verb":"AND","children":[{"subject":"times","noun":"1","verb":"limitUser"}]}""", m["messageLimits"]!.ToJsonString());
        Assert.Equal("""{"verb":"OR","children":[{"subject":"event","noun":"Signed up","verb":"triggers"}]}""", (string?)m["localTriggers"]);
        Assert.Null(m["serverTriggers"]);
        Assert.False((bool)m["targetingSticky"]!);
    }

    [Fact]
    public async Task MessageType_IsTheTemplateForInApp_AndLeanplumsChannelNameOtherwise()
    {
        var app = _calls.NewApp("Read");
        var push = await _calls.ActiveMessage(app, new { name = "P", channel = "push", values = new JsonObject { ["Message"] = "Hi" } });
        var local = await _calls.ActiveMessage(app, new { name = "L", channel = "push", whenTriggers = new[] { new { subject = "start" } }, countdown = 60 });
        var inbox = await _calls.ActiveMessage(app, new { name = "I", channel = "inbox" });
        var hook = await _calls.ActiveMessage(app, new { name = "W", channel = "webhook", values = new JsonObject { ["URL"] = "https://example.com/h" } });
        var mail = await _calls.ActiveMessage(app, new { name = "E", channel = "email", values = new JsonObject { ["Subject"] = "S", ["Text body"] = "T" } });
        var web = await _calls.ActiveMessage(app, new { name = "WI", channel = "in-app", template = "Web Interstitial" });

        var all = (await _calls.Api(app, new { action = "getMessages" }, ContentKey))["messages"]!.AsArray().ToDictionary(m => (long)m!["id"]!);

        Assert.Equal("Push Notification", (string?)all[push]!["messageType"]);
        Assert.Equal("Push Notification", (string?)all[local]!["messageType"]);
        Assert.Equal("Newsfeed Message", (string?)all[inbox]!["messageType"]);
        Assert.Equal("Webhook", (string?)all[hook]!["messageType"]);
        Assert.Equal("Email", (string?)all[mail]!["messageType"]);
        Assert.Equal("Web Interstitial", (string?)all[web]!["messageType"]);
        // Triggers travel only with what the device triggers itself.
        Assert.Null(all[push]!["localTriggers"]);
        Assert.Equal("""{"verb":"OR","children":[{"subject":"start"}]}""", (string?)all[local]!["localTriggers"]);
        Assert.Equal("""{"verb":"AND","children":[]}""", all[hook]!["messageLimits"]!.ToJsonString());
    }

    [Fact]
    public async Task GetMessages_LeavesOutDraftsUnlessAsked_AndMessagesFinishedLongAgoUnlessNotRecent()
    {
        var app = _calls.NewApp("Read");
        var draft = (long)(await _calls.Created(app, "messages", new { name = "Draft", channel = "in-app", template = "Alert" }))["id"]!;
        var active = await _calls.ActiveMessage(app, new { name = "Active", channel = "in-app", template = "Alert" });
        var paused = await _calls.ActiveMessage(app, new { name = "Paused", channel = "in-app", template = "Alert" });
        await _calls.Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{paused}/pause");
        var justFinished = await _calls.ActiveMessage(app, new { name = "Just finished", channel = "in-app", template = "Alert" });
        await _calls.Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{justFinished}/finish");
        var longAgo = await StoreFinishedLongAgo(app.AppId);

        Assert.Equal(ById(active, paused, justFinished), Ids(await _calls.Api(app, new { action = "getMessages" }, ContentKey)));
        Assert.Equal(ById(draft, active, paused, justFinished), Ids(await _calls.Api(app, new { action = "getMessages", includeDrafts = true }, ContentKey)));
        Assert.Equal(ById(active, paused, justFinished, longAgo), Ids(await _calls.Api(app, new { action = "getMessages", recent = false }, ContentKey)));
        Assert.Equal(ById(draft, active, paused, justFinished, longAgo), Ids(await _calls.Api(app, new { action = "getMessages", includeDrafts = "true", recent = "false" }, ContentKey)));

        var states = (await _calls.Api(app, new { action = "getMessages", includeDrafts = true, recent = false }, ContentKey))["messages"]!.AsArray()
            .ToDictionary(m => (long)m!["id"]!, m => ((string?)m!["state"], (bool)m["active"]!));
        Assert.Equal(("draft", false), states[draft]);
        Assert.Equal(("active", true), states[active]);
        Assert.Equal(("inactive", false), states[paused]);
        Assert.Equal(("finished", false), states[justFinished]);
        Assert.Equal(("finished", false), states[longAgo]);
        Assert.Equal("""{"success":true,"messages":[]}""", (await _calls.Api(_calls.NewApp("Empty"), new { action = "getMessages" }, ContentKey)).ToJsonString());
    }

    /// <summary>A message finished 40 days ago, written as the store holds it (the clock cannot be turned back).</summary>
    private async Task<long> StoreFinishedLongAgo(string appId)
    {
        var ago = DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeMilliseconds();
        var id = ContentIds.Next();
        var document = new MessageDocument(id, "Long ago", MessageChannels.InApp, "Alert", [], MessageStates.Finished, null, null, null, null,
            MessageDocument.DefaultPriority, 0, [], [], [], null, null, false, null, null, ago - 1000, ago, ago - 1000, ago);
        await factory.Services.GetRequiredService<ContentDirectory>().ChangeAsync(appId, _ => new ContentChange<bool>(true,
            [new ContentDocument(MessageContentKinds.Message, id.ToString(), document.ToJson(), ago)], []), CancellationToken.None);
        return id;
    }

    [Fact]
    public async Task GetMessage_MissingOrDraftWithoutIncludeDrafts_IsNotFound()
    {
        var app = _calls.NewApp("Read");
        var draft = (long)(await _calls.Created(app, "messages", new { name = "Draft", channel = "in-app", template = "Alert" }))["id"]!;

        var missing = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[ContentKey], new { action = "getMessage", id = 99999 });
        Assert.False((bool)missing[0]["success"]!);
        Assert.Equal("Message not found.", (string?)missing[0]["error"]!["message"]);
        var alone = await ApiClient.FormAsync(factory.CreateClient(), new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.Keys[ContentKey], ["action"] = "getMessage", ["id"] = "99999",
        });
        Assert.Equal(HttpStatusCode.NotFound, alone.Status);
        Assert.Equal("Message not found.", (string?)alone[0]["error"]!["message"]);

        Assert.Equal("Message not found.", (string?)(await _calls.Api(app, new { action = "getMessage", id = draft }, ContentKey))["error"]!["message"]);
        Assert.Equal("Draft", (string?)(await _calls.Api(app, new { action = "getMessage", id = draft, includeDrafts = true }, ContentKey))["message"]!["name"]);
        Assert.Equal("'id' must be provided", (string?)(await _calls.Api(app, new { action = "getMessage" }, ContentKey))["error"]!["message"]);
    }

    [Fact]
    public async Task GetUnsubscribeCategories_AnswersTheSettingsCategories()
    {
        var app = _calls.NewApp("Read");
        Assert.Equal("""{"success":true,"categories":[]}""", (await _calls.Api(app, new { action = "getUnsubscribeCategories" }, ContentKey)).ToJsonString());
        await _calls.Ok(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", new
        {
            categories = new object[] { new { id = "promos", name = "Promotions", description = "Offers" }, new { id = "news", name = "News" } },
        });

        var answer = await _calls.Api(app, new { action = "getUnsubscribeCategories" }, ContentKey);

        Assert.Equal("""[{"id":"promos","name":"Promotions","description":"Offers"},{"id":"news","name":"News","description":null}]""", answer["categories"]!.ToJsonString());
    }

    [Theory]
    [InlineData("getMessages")]
    [InlineData("getMessage")]
    [InlineData("getUnsubscribeCategories")]
    public async Task ReadActions_TakeTheContentReadOnlyKey_AndRefuseTheOthers(string action)
    {
        var app = _calls.NewApp("Read");
        var id = await _calls.ActiveMessage(app, new { name = "M", channel = "in-app", template = "Alert" });

        foreach (var key in new[] { "contentReadOnly", "production", "development", "dataExport" })
        {
            var reply = await ApiClient.FormAsync(factory.CreateClient(), new Dictionary<string, string>
            {
                ["appId"] = app.AppId, ["clientKey"] = app.Keys[key], ["action"] = action, ["id"] = id.ToString(),
            });
            if (key == "contentReadOnly")
            {
                Assert.Equal(HttpStatusCode.OK, reply.Status);
                Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
            }
            else
            {
                // Spec 2's key table: these are content read-only actions (a development key may call production actions only).
                Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
                Assert.Equal("Invalid access key", (string?)reply[0]["error"]!["message"]);
            }
        }
    }
}
