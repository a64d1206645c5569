using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Content;

/// <summary>
/// Audiences and A/B tests end to end (spec 4.5, 6.4, 6.5): saved through the admin API, published at once, assigned at
/// start by a stable hash and recorded, served as variants and variable overrides, and read back by getAbTests,
/// getAbTest and getVariant.
/// </summary>
public sealed class AbTestsTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("AB " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(factory.CreateClient(), method, path, body);

    private async Task<JsonNode> Created(StoredApp app, string what, object body)
    {
        var (status, created) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/{what}", body);
        Assert.True(status == HttpStatusCode.Created, $"{status}: {created?.ToJsonString()}");
        return created!;
    }

    private async Task<JsonObject> Api(StoredApp app, string keyClass, object item) =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[keyClass], item))[0];

    private Task<JsonObject> Start(StoredApp app, string user, object? extra = null)
    {
        var item = new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = "dev-" + user, ["includeDefaults"] = false };
        foreach (var (k, v) in JsonSerializerNode(extra))
            item[k] = v?.DeepClone();
        return Api(app, "production", item);
    }

    private static JsonObject JsonSerializerNode(object? o) => o is null ? [] : (JsonObject)System.Text.Json.JsonSerializer.SerializeToNode(o)!;

    /// <summary>A running test with a control and one variant, targeted at users whose <c>plan</c> is gold.</summary>
    private async Task<(JsonNode Test, long Control, long Variant)> GoldTest(StoredApp app, bool sticky = true, double controlPercent = 50)
    {
        var audience = await Created(app, "audiences", new { name = "Gold", rule = new { subject = "attribute", name = "plan", op = "is", value = "gold" } });
        var test = await Created(app, "ab-tests", new
        {
            name = "Button colour",
            audienceId = (long)audience["id"]!,
            sticky,
            variants = new object[]
            {
                new { name = "Control", percent = controlPercent },
                new { name = "Green", percent = 100 - controlPercent, vars = new Dictionary<string, object> { ["button.color"] = "green" } },
            },
        });
        Assert.Equal("draft", (string?)test["state"]);
        var (status, started) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("running", (string?)started!["state"]);
        return (started, (long)test["variants"]![0]!["id"]!, (long)test["variants"]![1]!["id"]!);
    }

    private static long[] Variants(JsonObject start) => [.. start["variants"]!.AsArray().Select(v => (long)v!["id"]!)];

    [Fact]
    public async Task Start_MatchingUsersGetAVariantAndItsValues_OthersNone_AndTheVariantSticks()
    {
        var app = NewApp();
        var (_, control, green) = await GoldTest(app);

        var seen = new HashSet<long>();
        for (var i = 0; i < 40; i++)
        {
            var start = await Start(app, $"gold{i}", new { userAttributes = new { plan = "gold" } });
            var variant = Assert.Single(Variants(start));
            Assert.Contains(variant, new[] { control, green });
            seen.Add(variant);
            Assert.Equal(variant == green ? """{"button":{"color":"green"}}""" : "{}", start["vars"]!.ToJsonString());

            // Again, and through getVars: the same variant.
            Assert.Equal([variant], Variants(await Start(app, $"gold{i}")));
            Assert.Equal([variant], Variants(await Api(app, "production", new { action = "getVars", userId = $"gold{i}", deviceId = $"dev-gold{i}" })));
        }
        Assert.Equal(2, seen.Count);

        var other = await Start(app, "silver", new { userAttributes = new { plan = "silver" } });
        Assert.Empty(Variants(other));
        Assert.Equal("{}", other["vars"]!.ToJsonString());
    }

    [Fact]
    public async Task ChangedPercentages_AffectOnlyNewEntrants()
    {
        var app = NewApp();
        var (test, control, green) = await GoldTest(app, controlPercent: 100);
        for (var i = 0; i < 10; i++)
            Assert.Equal([control], Variants(await Start(app, $"early{i}", new { userAttributes = new { plan = "gold" } })));

        var (status, body) = await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}", new
        {
            name = "Button colour",
            audienceId = (long)test["audienceId"]!,
            variants = new object[]
            {
                new { id = control, name = "Control", percent = 0 },
                new { id = green, name = "Green", percent = 100, vars = new Dictionary<string, object> { ["button.color"] = "green" } },
            },
        });
        Assert.True(status == HttpStatusCode.OK, body?.ToJsonString());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal([control], Variants(await Start(app, $"early{i}")));
            Assert.Equal([green], Variants(await Start(app, $"late{i}", new { userAttributes = new { plan = "gold" } })));
        }
    }

    [Fact]
    public async Task Stickiness_StickyKeepsUsersWhoStopMatching_NonStickyDropsThem()
    {
        var sticky = NewApp();
        await GoldTest(sticky, sticky: true);
        Assert.Single(Variants(await Start(sticky, "u", new { userAttributes = new { plan = "gold" } })));
        Assert.Single(Variants(await Start(sticky, "u", new { userAttributes = new { plan = "silver" } })));

        var loose = NewApp();
        await GoldTest(loose, sticky: false);
        var entered = Assert.Single(Variants(await Start(loose, "u", new { userAttributes = new { plan = "gold" } })));
        Assert.Empty(Variants(await Start(loose, "u", new { userAttributes = new { plan = "silver" } })));
        // Back in the audience: the same variant as before.
        Assert.Equal([entered], Variants(await Start(loose, "u", new { userAttributes = new { plan = "gold" } })));
    }

    [Fact]
    public async Task StopStartAndFinish_StopPausesEffects_FinishWithAWinnerMakesItsValuesLive()
    {
        var app = NewApp();
        var (test, _, green) = await GoldTest(app, controlPercent: 0);
        Assert.Equal([green], Variants(await Start(app, "u", new { userAttributes = new { plan = "gold" } })));

        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/stop")).Status);
        var stopped = await Start(app, "u");
        Assert.Empty(Variants(stopped));
        Assert.Equal("{}", stopped["vars"]!.ToJsonString());
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start")).Status);
        Assert.Equal([green], Variants(await Start(app, "u")));

        var (status, finished) = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/finish", new { winner = green });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("finished", (string?)finished!["state"]);
        Assert.Equal(green, (long)finished["chosenVariant"]!);
        var after = await Start(app, "someone-else");
        Assert.Empty(Variants(after));
        Assert.Equal("""{"button":{"color":"green"}}""", after["vars"]!.ToJsonString());
        var (_, variables) = await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/variables");
        Assert.Equal("green", (string?)variables!["live"]!["button.color"]);
        Assert.Equal(HttpStatusCode.Conflict, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start")).Status);
    }

    [Fact]
    public async Task TwoTestsOnOneVariable_TheEarlierPublishedWins()
    {
        var app = NewApp();
        async Task<long> RunningTest(string name, string color)
        {
            var test = await Created(app, "ab-tests", new
            {
                name,
                variants = new object[]
                {
                    new { name = "Control", percent = 0 },
                    new { name = "All", percent = 100, vars = new Dictionary<string, object> { ["button.color"] = color, [$"{name}.flag"] = true } },
                },
            });
            Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start")).Status);
            return (long)test["variants"]![1]!["id"]!;
        }
        var first = await RunningTest("first", "red");
        var second = await RunningTest("second", "blue");

        var start = await Start(app, "u", new { includeVariantDebugInfo = true });

        Assert.Equal([first, second], Variants(start));
        Assert.Equal("""{"button":{"color":"red"},"first":{"flag":true},"second":{"flag":true}}""", start["vars"]!.ToJsonString());
        var debug = start["variantDebugInfo"]!["abTests"]!.AsArray();
        Assert.Equal(2, debug.Count);
        Assert.Equal(second, (long)debug[1]!["variantId"]!);
        Assert.Equal("blue", (string?)debug[1]!["vars"]!["button"]!["color"]);
    }

    [Fact]
    public async Task ContentReadActions_AnswerTestsAndVariants_AsSpec45Says()
    {
        var app = NewApp();
        var (test, control, green) = await GoldTest(app);
        var draft = await Created(app, "ab-tests", new { name = "Draft", variants = new object[] { new { name = "A", percent = 50 }, new { name = "B", percent = 50 } } });

        var all = await Api(app, "contentReadOnly", new { action = "getAbTests" });
        var tests = all["abTests"]!.AsArray();
        var listed = Assert.Single(tests);
        Assert.Equal((long)test["id"]!, (long)listed!["id"]!);
        Assert.True((bool)listed["active"]!);
        Assert.True((bool)listed["targetingSticky"]!);
        Assert.Equal("RUNNING", (string?)listed["state"]);
        Assert.Equal("green", (string?)listed["variants"]![1]!["variables"]![0]!["value"]);
        Assert.Equal("button.color", (string?)listed["variants"]![1]!["variables"]![0]!["name"]);
        Assert.Equal(2, (await Api(app, "contentReadOnly", new { action = "getAbTests", includeDrafts = true }))["abTests"]!.AsArray().Count);

        var one = await Api(app, "contentReadOnly", new { action = "getAbTest", id = (long)test["id"]! });
        Assert.Equal("Button colour", (string?)one["abTest"]!["name"]);
        Assert.NotNull(one["abTest"]!["details"]);
        Assert.False((bool)(await Api(app, "contentReadOnly", new { action = "getAbTest", id = (long)draft["id"]! }))["success"]!);
        Assert.True((bool)(await Api(app, "contentReadOnly", new { action = "getAbTest", id = (long)draft["id"]!, includeDrafts = true }))["success"]!);

        var variant = await Api(app, "contentReadOnly", new { action = "getVariant", id = control });
        Assert.Equal("Control", (string?)variant["variant"]!["name"]);
        Assert.Equal(50, (double)variant["variant"]!["percent"]!);
        Assert.Equal("Variant not found.", (string?)(await Api(app, "contentReadOnly", new { action = "getVariant", id = 12345 }))["error"]!["message"]);
        Assert.Equal("'id' must be provided", (string?)(await Api(app, "contentReadOnly", new { action = "getVariant" }))["error"]!["message"]);
        _ = green;
    }

    [Theory]
    [InlineData("""{"name":"x","variants":[{"name":"A","percent":50},{"name":"B","percent":40}]}""", "must total 100")]
    [InlineData("""{"name":"x","variants":[{"name":"A","percent":100}]}""", "2 to 16 variants")]
    [InlineData("""{"name":"x","variants":[{"name":"A","percent":50},{"name":"a","percent":50}]}""", "Variant names must differ")]
    [InlineData("""{"name":"","variants":[{"name":"A","percent":50},{"name":"B","percent":50}]}""", "name is 1 to")]
    [InlineData("""{"name":"x","audienceId":42,"variants":[{"name":"A","percent":50},{"name":"B","percent":50}]}""", "no audience with id '42'")]
    [InlineData("""{"name":"x","rule":{"subject":"country","op":"like"},"variants":[{"name":"A","percent":50},{"name":"B","percent":50}]}""", "unknown op 'like'")]
    [InlineData("""{"name":"x","variants":[{"name":"A","percent":50},{"name":"B","percent":50,"vars":{"a..b":1}}]}""", "not a variable name")]
    [InlineData("""{"name":"x","variants":[{"id":5,"name":"A","percent":50},{"name":"B","percent":50}]}""", "take no ids")]
    public async Task BadTests_AreRefusedWith400_AndNothingIsStored(string body, string message)
    {
        var app = NewApp();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GreengageFactory.AdminToken);
        using var response = await factory.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync());
        Assert.Empty((await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/ab-tests")).Body!.AsArray());
    }

    [Fact]
    public async Task Audiences_RefuseBadRulesCyclesDuplicatesAndDeletingOneInUse()
    {
        var app = NewApp();
        var a = await Created(app, "audiences", new { name = "A", rule = new { subject = "country", op = "is", value = "US" } });
        var b = await Created(app, "audiences", new { name = "B", rule = new { subject = "audience", name = a["id"]!.ToString(), op = "is" } });

        var (status, problem) = await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/audiences/{a["id"]}", new { name = "A", rule = new { subject = "audience", name = b["id"]!.ToString(), op = "is" } });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("cycle", (string?)problem!["detail"]);
        Assert.Equal(HttpStatusCode.Conflict, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new { name = "a", rule = new { subject = "country", op = "isSet" } })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new { name = "C" })).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new { name = "C", rule = new { subject = "nope", op = "is" } })).Status);

        var (inUse, why) = await Admin(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/audiences/{a["id"]}");
        Assert.Equal(HttpStatusCode.Conflict, inUse);
        Assert.Contains("audience 'B'", (string?)why!["detail"]);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/audiences/{b["id"]}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin(HttpMethod.Delete, $"/admin/v1/apps/{app.AppId}/audiences/{a["id"]}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/audiences/{a["id"]}")).Status);
    }

    [Fact]
    public async Task Audience_FromALegacySegmentString_TargetsATest()
    {
        var app = NewApp();
        var audience = await Created(app, "audiences", new { name = "US on 1.x", segment = """{Country = "US"} and {App version = 1}""" });
        Assert.Equal("""{Country = "US"} and {App version = 1}""", (string?)audience["segment"]);
        var test = await Created(app, "ab-tests", new
        {
            name = "Segmented",
            audienceId = (long)audience["id"]!,
            variants = new object[] { new { name = "Control", percent = 0 }, new { name = "On", percent = 100, vars = new Dictionary<string, object> { ["on"] = true } } },
        });
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/ab-tests/{test["id"]}/start");

        Assert.Single(Variants(await Start(app, "us", new { country = "US", appVersion = "1.0" })));
        Assert.Empty(Variants(await Start(app, "de", new { country = "DE", appVersion = "1.0" })));
        Assert.Empty(Variants(await Start(app, "us2", new { country = "US", appVersion = "2.0" })));
    }

    [Fact]
    public async Task Login_TheAnonymousUsersVariantGoesWithThemIntoTheKnownUser()
    {
        var app = NewApp();
        var (_, control, green) = await GoldTest(app);
        // Anonymous: the user id is the device id. 40 users, so that both variants show up whatever the test's random
        // id (with 12, one run in 2,048 saw a single variant).
        var seen = new Dictionary<string, long>();
        for (var i = 0; i < 40; i++)
        {
            var device = $"anon{i}";
            var start = await Api(app, "production", new { action = "start", userId = device, deviceId = device, userAttributes = new { plan = "gold" } });
            seen[device] = Assert.Single(Variants(start));
            await Api(app, "production", new { action = "setUserAttributes", userId = device, deviceId = device, newUserId = $"known{i}" });
            var after = await Api(app, "production", new { action = "start", userId = $"known{i}", deviceId = device });
            Assert.Equal([seen[device]], Variants(after));
        }
        Assert.Contains(control, seen.Values);
        Assert.Contains(green, seen.Values);
    }
}
