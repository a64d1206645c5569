using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.Messages;

/// <summary>
/// <c>/admin/v1/apps/{appId}/messages</c>, <c>/campaigns</c> and <c>/messaging</c>: the life of messages and campaigns,
/// the messaging settings, and every refusal: RFC 7807 with a clear detail, nothing changed (read back after), never a
/// 5xx, whatever the body.
/// </summary>
public sealed class MessagesAdminTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly MessagingCalls _calls = new(factory);

    private static string Messages(StoredApp app) => $"/admin/v1/apps/{app.AppId}/messages";

    private static object Alert(string name = "Welcome", object? extra = null)
    {
        var o = new JsonObject { ["name"] = name, ["channel"] = "in-app", ["template"] = "Alert", ["values"] = new JsonObject { ["Message"] = "Hi" } };
        foreach (var (k, v) in extra is null ? [] : (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(extra)!)
            o[k] = v?.DeepClone();
        return o;
    }

    /// <summary>A refusal: the status, problem details with a detail that says <paramref name="detail"/>.</summary>
    private async Task Refused(HttpMethod method, string path, object? body, HttpStatusCode status, string detail)
    {
        var (answered, problem) = await _calls.Admin(method, path, body);
        Assert.True(answered == status, $"{method} {path}: expected {status}, got {answered}: {problem?.ToJsonString()}");
        Assert.Equal((int)status, (int?)problem?["status"]);
        Assert.False(string.IsNullOrEmpty((string?)problem!["title"]));
        Assert.Contains(detail, (string?)problem["detail"] ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_Lifecycle_DraftUpdateActivatePauseFinishDelete()
    {
        var app = _calls.NewApp();
        var (status, created) = await _calls.Admin(HttpMethod.Post, Messages(app), Alert());
        Assert.Equal(HttpStatusCode.Created, status);
        var id = (long)created!["id"]!;
        Assert.Equal("draft", (string?)created["state"]);
        Assert.Equal("Alert", (string?)created["template"]);
        Assert.Equal(1000, (int)created["priority"]!);
        Assert.Null(created["published"]);

        var updated = await _calls.Ok(HttpMethod.Put, $"{Messages(app)}/{id}", Alert("Welcome back", new { priority = 3, holdOutPercent = 10 }));
        Assert.Equal("Welcome back", (string?)updated["name"]);
        Assert.Equal(3, (int)updated["priority"]!);
        Assert.Equal(10, (double)updated["holdOutPercent"]!);
        Assert.Equal("Welcome back", (string?)(await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}"))["name"]);
        Assert.Empty((await _calls.Start(app, "u0"))["messages"]!.AsObject());

        var active = await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate");
        Assert.Equal("active", (string?)active["state"]);
        Assert.NotNull(active["published"]);
        Assert.NotNull((await _calls.Start(app, "u1"))["messages"]![id.ToString()]);

        Assert.Equal("paused", (string?)(await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/pause"))["state"]);
        Assert.Empty((await _calls.Start(app, "u2"))["messages"]!.AsObject());
        Assert.Equal("active", (string?)(await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate"))["state"]);
        var finished = await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/finish");
        Assert.Equal("finished", (string?)finished["state"]);
        Assert.NotNull(finished["finished"]);
        Assert.Empty((await _calls.Start(app, "u3"))["messages"]!.AsObject());

        await Refused(HttpMethod.Put, $"{Messages(app)}/{id}", Alert(), HttpStatusCode.Conflict, "A finished message cannot change.");
        await Refused(HttpMethod.Post, $"{Messages(app)}/{id}/activate", null, HttpStatusCode.Conflict, "The message is finished; this needs it draft or paused.");
        Assert.Equal(HttpStatusCode.NoContent, (await _calls.Admin(HttpMethod.Delete, $"{Messages(app)}/{id}")).Status);
        await Refused(HttpMethod.Get, $"{Messages(app)}/{id}", null, HttpStatusCode.NotFound, $"No message has the id {id}.");
        Assert.Empty((await _calls.Ok(HttpMethod.Get, Messages(app))).AsArray());
    }

    [Fact]
    public async Task Transitions_FromTheWrongState_Answer409_AndChangeNothing()
    {
        var app = _calls.NewApp();
        var id = (long)(await _calls.Created(app, "messages", Alert()))["id"]!;

        await Refused(HttpMethod.Post, $"{Messages(app)}/{id}/pause", null, HttpStatusCode.Conflict, "The message is draft; this needs it active.");
        await Refused(HttpMethod.Post, $"{Messages(app)}/{id}/finish", null, HttpStatusCode.Conflict, "this needs it active or paused");
        Assert.Equal("draft", (string?)(await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}"))["state"]);

        await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate");
        await Refused(HttpMethod.Post, $"{Messages(app)}/{id}/activate", null, HttpStatusCode.Conflict, "The message is active; this needs it draft or paused.");
        await Refused(HttpMethod.Delete, $"{Messages(app)}/{id}", null, HttpStatusCode.Conflict, "Finish the message before deleting it.");
        await Refused(HttpMethod.Put, $"{Messages(app)}/{id}", new { name = "x", channel = "push", values = new JsonObject { ["Message"] = "Hi" } },
            HttpStatusCode.Conflict, "A message that has been active keeps its channel.");
        var after = await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}");
        Assert.Equal(("active", "in-app", "Welcome"), ((string?)after["state"], (string?)after["channel"], (string?)after["name"]));
    }

    [Fact]
    public async Task UnknownAppOrMessage_Answers404_ForEveryVerb()
    {
        var app = _calls.NewApp();
        foreach (var (method, suffix, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "", null), (HttpMethod.Put, "", Alert()), (HttpMethod.Delete, "", null), (HttpMethod.Post, "/activate", null),
            (HttpMethod.Post, "/pause", null), (HttpMethod.Post, "/finish", null), (HttpMethod.Post, "/stats", null),
        })
        {
            await Refused(method, $"{Messages(app)}/424242{suffix}", body, HttpStatusCode.NotFound, "No message has the id 424242.");
            await Refused(method, $"/admin/v1/apps/app_missing/messages/1{suffix}", body, HttpStatusCode.NotFound, "No app has the id 'app_missing'.");
        }
        await Refused(HttpMethod.Get, "/admin/v1/apps/app_missing/messages", null, HttpStatusCode.NotFound, "No app has the id");
        await Refused(HttpMethod.Post, "/admin/v1/apps/app_missing/messages", Alert(), HttpStatusCode.NotFound, "No app has the id");
        await Refused(HttpMethod.Get, "/admin/v1/apps/app_missing/campaigns", null, HttpStatusCode.NotFound, "No app has the id");
        await Refused(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/424242/activate", null, HttpStatusCode.NotFound, "No campaign has the id 424242.");
        await Refused(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/campaigns/424242", null, HttpStatusCode.NotFound, "No campaign has the id 424242.");
        await Refused(HttpMethod.Get, "/admin/v1/apps/app_missing/messaging", null, HttpStatusCode.NotFound, "No app has the id");
    }

    public static TheoryData<string, string> BadMessages() => new()
    {
        { """{"name":"","channel":"in-app","template":"Alert"}""", "A message's name is 1 to 200 characters." },
        { """{"name":"x","channel":"sms"}""", "'sms' is not a channel; use one of in-app, push, inbox, webhook, email." },
        { """{"name":"x","channel":"in-app"}""", "'' is not an in-app template" },
        { """{"name":"x","channel":"in-app","template":"Banner"}""", "'Banner' is not an in-app template: use a built-in one (Alert, Confirm" },
        { """{"name":"x","channel":"in-app","template":"__Push Notification"}""", "'__Push Notification' is not an in-app template" },
        { """{"name":"x","channel":"push","template":"Alert"}""", "A push message uses the template '__Push Notification', not 'Alert'." },
        { """{"name":"x","channel":"webhook","template":"Alert"}""", "A webhook message uses the template 'Webhook', not 'Alert'." },
        { """{"name":"x","channel":"email","template":"Webhook"}""", "A email message uses the template 'Email', not 'Webhook'." },
        { """{"name":"x","channel":"in-app","template":"Alert","values":{"Titel":"Hi"}}""", "The 'Alert' template has no argument 'Titel'" },
        { """{"name":"x","channel":"in-app","template":"Center Popup","values":{"Title":{"Color":"black"}}}""", "'Title.Color' is a colour" },
        { """{"name":"x","channel":"in-app","template":"Confirm","values":{"Accept action":{"__name__":"Open URL","Url":"x"}}}""", "'Accept action' (Open URL): the 'Open URL' template has no argument 'Url'" },
        { """{"name":"x","channel":"in-app","template":"Confirm","values":{"Accept action":{"__name__":"Chain to Existing Message","Chained message":"99999"}}}""", "there is no message 99999 to chain to." },
        { """{"name":"x","channel":"webhook","values":{"URL":"mailto:a@b"}}""", "'URL' is an absolute http or https URL" },
        { """{"name":"x","channel":"in-app","template":"Alert","values":{"Message":"Hi {{user.name}}"}}""", "'{{user.name}}' is not a personalisation Greengage knows" },
        { """{"name":"x","channel":"in-app","template":"Alert","holdOutPercent":101}""", "holdOutPercent is 0 to 100." },
        { """{"name":"x","channel":"in-app","template":"Alert","startTime":"2030-01-02T00:00:00Z","endTime":"2030-01-01T00:00:00Z"}""", "endTime is after startTime." },
        { """{"name":"x","channel":"inbox","whenTriggers":[{"subject":"start"}]}""", "A inbox message is sent by the server (sendMessage, a campaign): it takes no in-app triggers." },
        { """{"name":"x","channel":"webhook","values":{"URL":"https://x"},"limits":[{"subject":"times","noun":"1","verb":"limitUser"}]}""", "Unless-triggers and limits belong to in-app messages and pushes with in-app triggers." },
        { """{"name":"x","channel":"in-app","template":"Alert","audienceId":777}""", "Targeting: no audience with id '777'." },
        { """{"name":"x","channel":"in-app","template":"Alert","rule":{"subject":"country","op":"like"}}""", "Targeting: " },
        { """{"name":"x","channel":"in-app","template":"Alert","campaignId":777}""", "There is no campaign 777." },
        { """{"name":"x","channel":"in-app","template":"Alert","category":"promos"}""", "There is no unsubscribe category 'promos'." },
        { """{"name":"x","channel":"in-app","template":"Alert","countdown":5}""", "countdown (seconds, 0 or more) belongs to a push with in-app triggers" },
        { """{"name":"x","channel":"push","whenTriggers":[{"subject":"start"}],"countdown":-1}""", "countdown (seconds, 0 or more)" },
        { """{"name":"x","channel":"push","inboxTtlSeconds":60}""", "inboxTtl (seconds, above 0) belongs to an inbox message." },
        { """{"name":"x","channel":"in-app","template":"Alert","whenTriggers":[{"subject":"launch"}]}""", "'launch' is not a trigger subject" },
        { """{"name":"x","channel":"in-app","template":"Alert","whenTriggers":[null]}""", "A trigger is an object with a subject." },
        { """{"name":"x","channel":"in-app","template":"Alert","whenTriggers":[{"subject":"event","noun":"Buy","verb":"changes"}]}""", "'changes' is not a verb of a 'event' trigger" },
        { """{"name":"x","channel":"in-app","template":"Alert","unlessTriggers":[{"subject":"userAttribute","noun":"plan","verb":"changesFromTo","objects":["a"]}]}""", "'changesFromTo' takes objects [from, to]." },
        { """{"name":"x","channel":"in-app","template":"Alert","whenTriggers":[{"subject":"enterRegion","noun":"Office"}]}""", "There is no region 'Office'; define it in the app's messaging settings first." },
        { """{"name":"x","channel":"in-app","template":"Alert","limits":[{"subject":"times","noun":"0","verb":"limitUser"}]}""", "A limit's noun is a positive whole number, not '0'." },
        { """{"name":"x","channel":"in-app","template":"Alert","limits":[{"subject":"times","noun":"1","verb":"limitDay","objects":["x"]}]}""", "'limitDay' takes objects [N]" },
        { """{"name":"x","channel":"in-app","template":"Alert","limits":[null]}""", "A limit is an object with a subject and a noun." },
        { """{"name":"x","channel":"in-app","template":"Alert","audienceId":1,"rule":{"subject":"country","op":"is","value":"US"}}""", "Target with an audience or a rule, not both." },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task BadMessage_IsRefusedWith400_AndNothingIsStored(string body, string detail)
    {
        var app = _calls.NewApp();
        var (status, media, problem) = await _calls.Raw(HttpMethod.Post, Messages(app), body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {problem?.ToJsonString()}");
        Assert.Equal("application/problem+json", media);
        Assert.Contains(detail, (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Empty((await _calls.Ok(HttpMethod.Get, Messages(app))).AsArray());
    }

    [Theory]
    [InlineData("{")]
    [InlineData("not json at all")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","values":"Hi"}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","values":[1]}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","whenTriggers":{"subject":"start"}}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","whenTriggers":[{"subject":"event","noun":"E","verb":"triggersWithParameter","objects":[1,2]}]}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","startTime":"soon"}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","priority":"high"}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","priority":1e40}""")]
    [InlineData("""{"name":7,"channel":"in-app"}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","holdOutPercent":"half"}""")]
    [InlineData("""{"name":"x","channel":"in-app","template":"Alert","audienceId":"one"}""")]
    public async Task MalformedBody_Answers400ProblemDetails_NeverA5xx_AndNothingIsStored(string body)
    {
        var app = _calls.NewApp();
        var (status, media, problem) = await _calls.Raw(HttpMethod.Post, Messages(app), body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {problem?.ToJsonString()}");
        Assert.Equal("application/problem+json", media);
        Assert.Equal(400, (int?)problem?["status"]);
        Assert.Empty((await _calls.Ok(HttpMethod.Get, Messages(app))).AsArray());
    }

    [Fact]
    public async Task MalformedBodies_OnEveryWritingEndpoint_Answer400()
    {
        var app = _calls.NewApp();
        var id = (long)(await _calls.Created(app, "messages", Alert()))["id"]!;
        var campaign = (long)(await _calls.Created(app, "campaigns", new { name = "C" }))["id"]!;
        string[] common = ["{", "[1]", "\"text\"", "null", ""];
        foreach (var (method, path, bad) in new (HttpMethod, string, string[])[]
        {
            (HttpMethod.Put, $"{Messages(app)}/{id}", [.. common, """{"name":"x","channel":"in-app","template":"Alert","limits":{"subject":"times"}}"""]),
            (HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns", [.. common, """{"name":"C","entryTrigger":5}""", """{"name":"C","endTime":"tomorrow"}"""]),
            (HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/campaigns/{campaign}", [.. common, """{"name":"C","entryTrigger":[]}"""]),
            (HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", [.. common, """{"inAppCaps":{"type":"DAY"}}""", """{"regions":[{"name":"A","lat":"north"}]}"""]),
        })
        {
            foreach (var body in bad)
            {
                var (status, media, _) = await _calls.Raw(method, path, body);
                Assert.True(status == HttpStatusCode.BadRequest, $"{method} {path} {body}: {status}");
                Assert.Equal("application/problem+json", media);
            }
            var (wrongType, _, _) = await _calls.Raw(method, path, "name=x", "application/x-www-form-urlencoded");
            Assert.True((int)wrongType is 400 or 415, $"{method} {path} as a form: {wrongType}");
        }
        var campaignAfter = Assert.Single((await _calls.Ok(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/campaigns")).AsArray())!;
        Assert.Equal("C", (string?)campaignAfter["name"]);
        Assert.Equal("""{"inAppCaps":[],"regions":[],"categories":[]}""", (await _calls.Ok(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/messaging")).ToJsonString());
        Assert.Equal("Welcome", (string?)(await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}"))["name"]);
    }

    [Fact]
    public async Task RefusedUpdate_ChangesNothing()
    {
        var app = _calls.NewApp();
        var id = (long)(await _calls.Created(app, "messages", Alert("Kept", new { priority = 7 })))["id"]!;
        var before = await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}");

        await Refused(HttpMethod.Put, $"{Messages(app)}/{id}", new { name = "Changed", channel = "in-app", template = "Alert", priority = 1, values = new JsonObject { ["Nope"] = 1 } },
            HttpStatusCode.BadRequest, "The 'Alert' template has no argument 'Nope'");
        await Refused(HttpMethod.Put, $"{Messages(app)}/{id}", new { name = "Changed", channel = "in-app", template = "Alert", whenTriggers = new[] { new { subject = "state" } } },
            HttpStatusCode.BadRequest, "A 'state' trigger names its state in 'noun'");

        Assert.True(JsonNode.DeepEquals(before, await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}")));
    }

    [Fact]
    public async Task Activate_AnIncompleteMessage_IsRefused_AndItStaysADraft()
    {
        var app = _calls.NewApp();
        var html = (long)(await _calls.Created(app, "messages", new { name = "Rich", channel = "in-app", template = "HTML", values = new JsonObject { ["HTML Align"] = "Bottom" } }))["id"]!;
        var hook = (long)(await _calls.Created(app, "messages", new { name = "Hook", channel = "webhook", values = new JsonObject { ["Method"] = "GET" } }))["id"]!;
        var mail = (long)(await _calls.Created(app, "messages", new { name = "Mail", channel = "email", values = new JsonObject { ["Subject"] = "Hi" } }))["id"]!;

        await Refused(HttpMethod.Post, $"{Messages(app)}/{html}/activate", null, HttpStatusCode.BadRequest, "An active 'HTML' message needs '__file__Template'.");
        await Refused(HttpMethod.Post, $"{Messages(app)}/{hook}/activate", null, HttpStatusCode.BadRequest, "An active 'Webhook' message needs 'URL'.");
        await Refused(HttpMethod.Post, $"{Messages(app)}/{mail}/activate", null, HttpStatusCode.BadRequest, "An active 'Email' message needs 'HTML body' or 'Text body'.");
        Assert.All((await _calls.Ok(HttpMethod.Get, Messages(app))).AsArray(), m => Assert.Equal("draft", (string?)m!["state"]));

        await _calls.Ok(HttpMethod.Put, $"{Messages(app)}/{hook}", new { name = "Hook", channel = "webhook", values = new JsonObject { ["URL"] = "https://hooks.example.com/{{userId}}" } });
        Assert.Equal("active", (string?)(await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{hook}/activate"))["state"]);
        // An active message stays complete: an update that drops the URL is refused.
        await Refused(HttpMethod.Put, $"{Messages(app)}/{hook}", new { name = "Hook", channel = "webhook", values = new JsonObject { ["Method"] = "GET" } },
            HttpStatusCode.BadRequest, "An active 'Webhook' message needs 'URL'.");
    }

    [Fact]
    public async Task EveryTriggerVerbAndLimit_IsAccepted_AndCarriedByStartExactly()
    {
        var app = _calls.NewApp();
        await _calls.Ok(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", new { inAppCaps = Array.Empty<object>(), regions = new[] { new { name = "Office", lat = 52.37, lon = 4.89, radius = 100.0, version = 1 } }, categories = Array.Empty<object>() });
        var when = JsonNode.Parse("""
            [{"subject":"start"},{"subject":"resume"},
             {"subject":"event","noun":"Purchase","verb":"triggers"},{"subject":"event","noun":"Purchase","verb":"triggersWithParameter","objects":["item","sword"]},
             {"subject":"state","noun":"Shop","verb":"triggers"},{"subject":"state","noun":"Shop","verb":"triggersWithParameter","objects":["aisle","3"]},
             {"subject":"userAttribute","noun":"plan","verb":"changes"},{"subject":"userAttribute","noun":"plan","verb":"changesTo","objects":["gold","silver"]},
             {"subject":"userAttribute","noun":"plan","verb":"changesFromTo","objects":["silver","gold"]},
             {"subject":"enterRegion","noun":"Office","verb":"triggers"},{"subject":"exitRegion","noun":"Office","verb":"triggers"}]
            """)!;
        var limits = JsonNode.Parse("""
            [{"subject":"times","noun":"1","verb":"limitSession"},{"subject":"times","noun":"5","verb":"limitUser"},
             {"subject":"times","noun":"1","verb":"limitSecond","objects":["30"]},{"subject":"times","noun":"1","verb":"limitMinute","objects":["1"]},
             {"subject":"times","noun":"2","verb":"limitHour","objects":["1"]},{"subject":"times","noun":"1","verb":"limitDay","objects":["1"]},
             {"subject":"times","noun":"3","verb":"limitWeek","objects":["2"]},{"subject":"times","noun":"1","verb":"limitMonth","objects":["1"]},
             {"subject":"onNthOccurrence","noun":"3"},{"subject":"everyNthOccurrence","noun":"2"}]
            """)!;
        var id = await _calls.ActiveMessage(app, new JsonObject
        {
            ["name"] = "Everything", ["channel"] = "in-app", ["template"] = "Alert",
            ["whenTriggers"] = when.DeepClone(), ["unlessTriggers"] = new JsonArray(when[6]!.DeepClone()), ["limits"] = limits.DeepClone(),
        });

        var config = (await _calls.Start(app, "u"))["messages"]![id.ToString()]!;

        Assert.True(JsonNode.DeepEquals(new JsonObject { ["verb"] = "OR", ["children"] = when.DeepClone() }, config["whenTriggers"]), config["whenTriggers"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["verb"] = "OR", ["children"] = new JsonArray(when[6]!.DeepClone()) }, config["unlessTriggers"]));
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["verb"] = "AND", ["children"] = limits.DeepClone() }, config["whenLimits"]), config["whenLimits"]!.ToJsonString());
        // The admin API answers them as stored: the same shapes.
        var stored = await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}");
        Assert.Equal(when.AsArray().Count, stored["whenTriggers"]!.AsArray().Count);
    }

    [Fact]
    public async Task Campaigns_Lifecycle_MessagesFollowTheirCampaign_AndDeleteIsRefusedWhileMessagesNameIt()
    {
        var app = _calls.NewApp();
        var campaigns = $"/admin/v1/apps/{app.AppId}/campaigns";
        var campaign = await _calls.Created(app, "campaigns", new { name = "Onboarding", entryTrigger = new { subject = "event", noun = "Signed up" } });
        var cid = (long)campaign["id"]!;
        Assert.Equal("draft", (string?)campaign["state"]);
        Assert.Equal("triggers", (string?)campaign["entryTrigger"]!["verb"]);
        var id = await _calls.ActiveMessage(app, Alert("Step 1", new { campaignId = cid }));

        // The message is active, its campaign a draft: nobody gets it yet.
        Assert.Empty((await _calls.Start(app, "u1"))["messages"]!.AsObject());
        Assert.Equal("active", (string?)(await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/activate"))["state"]);
        var config = (await _calls.Start(app, "u2"))["messages"]![id.ToString()]!;
        Assert.Equal(cid, (long)config["parentCampaignId"]!);
        Assert.Equal("Signed up", (string?)config["whenTriggers"]!["children"]![0]!["noun"]);
        var listed = Assert.Single((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray());
        Assert.Equal([id], listed!["messages"]!.AsArray().Select(m => (long)m!));

        Assert.Equal("paused", (string?)(await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/pause"))["state"]);
        Assert.Empty((await _calls.Start(app, "u3"))["messages"]!.AsObject());
        await Refused(HttpMethod.Post, $"{campaigns}/{cid}/pause", null, HttpStatusCode.Conflict, "The campaign is paused; this needs it active.");
        Assert.Equal("finished", (string?)(await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/finish"))["state"]);
        await Refused(HttpMethod.Post, $"{campaigns}/{cid}/activate", null, HttpStatusCode.Conflict, "The campaign is finished; this needs it draft or paused.");
        await Refused(HttpMethod.Put, $"{campaigns}/{cid}", new { name = "Renamed" }, HttpStatusCode.Conflict, "A finished campaign cannot change.");
        await Refused(HttpMethod.Post, "/admin/v1/apps/" + app.AppId + "/messages", Alert("Late", new { campaignId = cid }), HttpStatusCode.BadRequest,
            $"Campaign {cid} ('Onboarding') is finished; a message cannot join it.");

        await Refused(HttpMethod.Delete, $"{campaigns}/{cid}", null, HttpStatusCode.Conflict, "The campaign still holds message 'Step 1'.");
        Assert.Single((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray());
        await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/finish");
        Assert.Equal(HttpStatusCode.NoContent, (await _calls.Admin(HttpMethod.Delete, $"{Messages(app)}/{id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await _calls.Admin(HttpMethod.Delete, $"{campaigns}/{cid}")).Status);
        Assert.Empty((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray());
    }

    [Fact]
    public async Task Campaigns_BadInput_IsRefused_AndNothingChanges()
    {
        var app = _calls.NewApp();
        var campaigns = $"/admin/v1/apps/{app.AppId}/campaigns";
        await Refused(HttpMethod.Post, campaigns, new { name = " " }, HttpStatusCode.BadRequest, "A campaign's name is 1 to 200 characters.");
        await Refused(HttpMethod.Post, campaigns, new { name = "C", entryTrigger = new { subject = "event" } }, HttpStatusCode.BadRequest, "Entry trigger: A 'event' trigger names its event in 'noun'");
        await Refused(HttpMethod.Post, campaigns, new { name = "C", entryTrigger = new { subject = "exitRegion", noun = "Nowhere" } }, HttpStatusCode.BadRequest, "Entry trigger: There is no region 'Nowhere'");
        Assert.Empty((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray());

        var cid = (long)(await _calls.Created(app, "campaigns", new { name = "C" }))["id"]!;
        await Refused(HttpMethod.Post, $"{campaigns}/{cid}/pause", null, HttpStatusCode.Conflict, "The campaign is draft; this needs it active.");
        await Refused(HttpMethod.Put, $"{campaigns}/{cid}", new { name = "D", entryTrigger = new { subject = "start", noun = "x" } }, HttpStatusCode.BadRequest, "takes no noun");
        var kept = Assert.Single((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray())!;
        Assert.Equal(("C", "draft"), ((string?)kept["name"], (string?)kept["state"]));
        Assert.Equal("D", (string?)(await _calls.Ok(HttpMethod.Put, $"{campaigns}/{cid}", new { name = "D" }))["name"]);
    }

    [Fact]
    public async Task MessagingSettings_AreStoredAndCarriedByStart()
    {
        var app = _calls.NewApp();
        var path = $"/admin/v1/apps/{app.AppId}/messaging";
        Assert.Equal("""{"inAppCaps":[],"regions":[],"categories":[]}""", (await _calls.Ok(HttpMethod.Get, path)).ToJsonString());

        var settings = JsonNode.Parse("""
            {"inAppCaps":[{"type":"SESSION","limit":2},{"type":"DAY","limit":5},{"type":"WEEK","limit":20}],
             "regions":[{"name":"Office","lat":52.37,"lon":4.89,"radius":150,"version":2}],
             "categories":[{"id":"promos","name":"Promotions","description":"Offers and sales"},{"id":"news","name":"News","description":null}]}
            """)!;
        Assert.True(JsonNode.DeepEquals(settings, await _calls.Ok(HttpMethod.Put, path, settings)));
        Assert.True(JsonNode.DeepEquals(settings, await _calls.Ok(HttpMethod.Get, path)));

        var start = await _calls.Start(app, "u");
        Assert.Equal("""[{"channel":"IN_APP","type":"SESSION","limit":2},{"channel":"IN_APP","type":"DAY","limit":5},{"channel":"IN_APP","type":"WEEK","limit":20}]""", start["localCaps"]!.ToJsonString());
        Assert.Equal("""{"Office":{"lat":52.37,"lon":4.89,"radius":150,"version":2,"name":"Office"}}""", start["regions"]!.ToJsonString());
    }

    public static TheoryData<string, string> BadSettings() => new()
    {
        { """{"inAppCaps":[{"type":"MONTH","limit":1}]}""", "An in-app cap's type is SESSION, DAY or WEEK, not 'MONTH'." },
        { """{"inAppCaps":[{"type":"day","limit":1}]}""", "not 'day'" },
        { """{"inAppCaps":[{"type":"DAY","limit":0}]}""", "An in-app cap's limit is at least 1." },
        { """{"inAppCaps":[{"type":"DAY","limit":1},{"type":"DAY","limit":2}]}""", "One in-app cap per type." },
        { """{"inAppCaps":[null]}""", "In-app caps, regions and unsubscribe categories are objects, not null." },
        { """{"regions":[{"name":"","lat":1,"lon":1,"radius":1}]}""", "A region's name is 1 to 200 characters." },
        { """{"regions":[{"name":"A","lat":91,"lon":1,"radius":1}]}""", "Region 'A': latitude is -90 to 90, longitude -180 to 180." },
        { """{"regions":[{"name":"A","lat":1,"lon":-181,"radius":1}]}""", "longitude -180 to 180" },
        { """{"regions":[{"name":"A","lat":1,"lon":1,"radius":0}]}""", "Region 'A': the radius (metres) is above 0." },
        { """{"regions":[{"name":"A","lat":1,"lon":1,"radius":1},{"name":"A","lat":2,"lon":2,"radius":1}]}""", "Region names must differ." },
        { """{"regions":[null]}""", "not null" },
        { """{"categories":[{"id":"","name":"x"}]}""", "An unsubscribe category has an id and a name of 1 to 200 characters." },
        { """{"categories":[{"id":"a","name":""}]}""", "An unsubscribe category has an id and a name" },
        { """{"categories":[{"id":"a","name":"x"},{"id":"a","name":"y"}]}""", "Unsubscribe category ids must differ." },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task BadSettings_AreRefusedWith400_AndTheOldSettingsStay(string body, string detail)
    {
        var app = _calls.NewApp();
        var path = $"/admin/v1/apps/{app.AppId}/messaging";
        var old = await _calls.Ok(HttpMethod.Put, path, new { inAppCaps = new[] { new { type = "SESSION", limit = 1 } } });

        var (status, media, problem) = await _calls.Raw(HttpMethod.Put, path, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{status}: {problem?.ToJsonString()}");
        Assert.Equal("application/problem+json", media);
        Assert.Contains(detail, (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(old, await _calls.Ok(HttpMethod.Get, path)));
    }

    [Fact]
    public async Task Settings_RegionsAndCategoriesInUse_CannotBeRemoved()
    {
        var app = _calls.NewApp();
        var path = $"/admin/v1/apps/{app.AppId}/messaging";
        var settings = JsonNode.Parse("""{"regions":[{"name":"Office","lat":1,"lon":1,"radius":10,"version":1}],"categories":[{"id":"promos","name":"Promotions"}]}""")!;
        await _calls.Ok(HttpMethod.Put, path, settings);
        var geo = (long)(await _calls.Created(app, "messages", Alert("Geo", new { whenTriggers = new[] { new { subject = "exitRegion", noun = "Office" } } })))["id"]!;
        var promo = (long)(await _calls.Created(app, "messages", Alert("Promo", new { category = "promos" })))["id"]!;
        var before = await _calls.Ok(HttpMethod.Get, path);

        await Refused(HttpMethod.Put, path, new { categories = settings["categories"] }, HttpStatusCode.Conflict, "Message 'Geo' is triggered by region 'Office'.");
        await Refused(HttpMethod.Put, path, new { regions = settings["regions"] }, HttpStatusCode.Conflict, "Message 'Promo' belongs to unsubscribe category 'promos'.");
        Assert.True(JsonNode.DeepEquals(before, await _calls.Ok(HttpMethod.Get, path)));

        // Once the messages are finished, what they used may go.
        foreach (var id in new[] { geo, promo })
        {
            await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate");
            await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/finish");
        }
        Assert.Equal("""{"inAppCaps":[],"regions":[],"categories":[]}""", (await _calls.Ok(HttpMethod.Put, path, new { })).ToJsonString());
    }

    [Fact]
    public async Task Delete_AMessageAnotherChainsTo_OrAnABTestChanges_IsRefused()
    {
        var app = _calls.NewApp();
        var target = (long)(await _calls.Created(app, "messages", Alert("Target")))["id"]!;
        var chain = (long)(await _calls.Created(app, "messages", new
        {
            name = "Chain", channel = "in-app", template = "Confirm",
            values = new JsonObject { ["Accept action"] = new JsonObject { ["__name__"] = "Chain to Existing Message", ["Chained message"] = target.ToString() } },
        }))["id"]!;
        await Refused(HttpMethod.Delete, $"{Messages(app)}/{target}", null, HttpStatusCode.Conflict, "Message 'Chain' chains to this message.");
        Assert.Equal(HttpStatusCode.NoContent, (await _calls.Admin(HttpMethod.Delete, $"{Messages(app)}/{chain}")).Status);

        var test = await _calls.Created(app, "ab-tests", new
        {
            name = "Copy test",
            variants = new object[]
            {
                new { name = "Control", percent = 50 },
                new { name = "Shorter", percent = 50, messages = new Dictionary<string, object> { [target.ToString()] = new JsonObject { ["Message"] = "Hey" } } },
            },
        });
        await Refused(HttpMethod.Delete, $"{Messages(app)}/{target}", null, HttpStatusCode.Conflict, "The message is changed by A/B test 'Copy test'.");
        await _calls.Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start");
        await _calls.Ok(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/finish", new { });
        Assert.Equal(HttpStatusCode.NoContent, (await _calls.Admin(HttpMethod.Delete, $"{Messages(app)}/{target}")).Status);
    }

    [Fact]
    public async Task AbVariant_ChangesAMessageArgumentByArgument_AndValuesThatDoNotFitItsTemplateAreRefused()
    {
        var app = _calls.NewApp();
        var id = await _calls.ActiveMessage(app, new
        {
            name = "Popup", channel = "in-app", template = "Center Popup",
            values = JsonNode.Parse("""{"Title":{"Text":"Hello","Color":-65536},"Message":{"Text":"Old copy"}}"""),
        });
        var tests = $"/admin/v1/apps/{app.AppId}/ab-tests";
        object Test(JsonNode changes) => new
        {
            name = "Copy",
            variants = new object[] { new { name = "Control", percent = 0 }, new { name = "New copy", percent = 100, messages = new JsonObject { [id.ToString()] = changes } } },
        };

        await Refused(HttpMethod.Post, tests, Test(JsonNode.Parse("""{"Title":"flat"}""")!), HttpStatusCode.BadRequest,
            $"Variant 'New copy', message {id}: 'Title' is a group of 'Text', 'Color': give an object.");
        await Refused(HttpMethod.Post, tests, Test(JsonNode.Parse("""{"Subtitle":"x"}""")!), HttpStatusCode.BadRequest,
            $"Variant 'New copy', message {id}: The 'Center Popup' template has no argument 'Subtitle'");
        Assert.Empty((await _calls.Ok(HttpMethod.Get, tests)).AsArray());

        var test = await _calls.Created(app, "ab-tests", Test(JsonNode.Parse("""{"Title":{"Text":"Hi there"}}""")!));
        await _calls.Ok(HttpMethod.Post, $"{tests}/{test["id"]}/start");
        var vars = (await _calls.Start(app, "ann"))["messages"]![id.ToString()]!["vars"]!;

        Assert.Equal("Hi there", (string?)vars["Title"]!["Text"]);
        Assert.Equal(-65536, (int)vars["Title"]!["Color"]!);
        Assert.Equal("Old copy", (string?)vars["Message"]!["Text"]);
        Assert.Equal(-16777216, (int)vars["Message"]!["Color"]!);
    }

    [Fact]
    public async Task Resumed_AfterAPauseAndActivateAgain_IsShownForTheMessageAndTheCampaign()
    {
        // When each was last made live again after a pause: what decides which scheduled sends still go out.
        var app = _calls.NewApp();
        var campaigns = $"/admin/v1/apps/{app.AppId}/campaigns";
        var cid = (long)(await _calls.Created(app, "campaigns", new { name = "Onboarding" }))["id"]!;
        var id = (long)(await _calls.Created(app, "messages", Alert(extra: new { campaignId = cid })))["id"]!;
        var first = await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate");
        Assert.Null(first["resumed"]);
        Assert.Null((await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/activate"))["resumed"]);

        await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/pause");
        var resumed = (await _calls.Ok(HttpMethod.Post, $"{Messages(app)}/{id}/activate"))["resumed"];
        Assert.NotNull(resumed);
        Assert.True(DateTimeOffset.Parse((string)resumed!, System.Globalization.CultureInfo.InvariantCulture) >= DateTimeOffset.Parse((string)first["published"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((string?)resumed, (string?)(await _calls.Ok(HttpMethod.Get, $"{Messages(app)}/{id}"))["resumed"]);
        Assert.Equal((string?)resumed, (string?)Assert.Single((await _calls.Ok(HttpMethod.Get, Messages(app))).AsArray())!["resumed"]);

        await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/pause");
        var campaignResumed = (await _calls.Ok(HttpMethod.Post, $"{campaigns}/{cid}/activate"))["resumed"];
        Assert.NotNull(campaignResumed);
        Assert.Equal((string?)campaignResumed, (string?)Assert.Single((await _calls.Ok(HttpMethod.Get, campaigns)).AsArray())!["resumed"]);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesWhenMessagesAndCampaignsResumed()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        var schemas = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["components"]!["schemas"]!.AsObject();

        foreach (var name in new[] { "MessageResponse", "CampaignResponse" })
        {
            Assert.True(schemas.ContainsKey(name), $"{name} is missing; the document has {string.Join(", ", schemas.Select(p => p.Key))}");
            Assert.True(schemas[name]!["properties"]!.AsObject().ContainsKey("resumed"), $"{name}: {schemas[name]!.ToJsonString()}");
        }
    }

    [Fact]
    public async Task OpenApi_Document_ListsTheMessagingEndpoints()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();

        foreach (var (path, verbs) in new (string, string[])[]
        {
            ("/admin/v1/apps/{appId}/messages", ["get", "post"]),
            ("/admin/v1/apps/{appId}/messages/{id}", ["get", "put", "delete"]),
            ("/admin/v1/apps/{appId}/messages/{id}/activate", ["post"]),
            ("/admin/v1/apps/{appId}/messages/{id}/pause", ["post"]),
            ("/admin/v1/apps/{appId}/messages/{id}/finish", ["post"]),
            ("/admin/v1/apps/{appId}/messages/{id}/stats", ["post"]),
            ("/admin/v1/apps/{appId}/campaigns", ["get", "post"]),
            ("/admin/v1/apps/{appId}/campaigns/{id}", ["put", "delete"]),
            ("/admin/v1/apps/{appId}/campaigns/{id}/activate", ["post"]),
            ("/admin/v1/apps/{appId}/campaigns/{id}/pause", ["post"]),
            ("/admin/v1/apps/{appId}/campaigns/{id}/finish", ["post"]),
            ("/admin/v1/apps/{appId}/messaging", ["get", "put"]),
        })
        {
            Assert.True(paths.ContainsKey(path), $"{path} is missing; the document has {string.Join(", ", paths.Select(p => p.Key))}");
            Assert.All(verbs, v => Assert.NotNull(paths[path]![v]));
        }
    }
}
