using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Envelope;

/// <summary>Spec 1.4: booleans, numbers and JSON-valued parameters in every spelling SDKs use; empty means absent.</summary>
public sealed class LenientValueTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private const string DevModeRefused = "Development mode requested but not permitted.";

    private readonly HttpClient _http = factory.CreateClient();

    /// <summary>A single REST call as a JSON body; <paramref name="rawFields"/> are spliced in as raw JSON text.</summary>
    private Task<ApiClient.Reply> JsonCallAsync(JsonObject fields, params (string Name, string RawJson)[] rawFields)
    {
        var text = fields.ToJsonString();
        foreach (var (name, raw) in rawFields)
            text = text[..^1] + $",\"{name}\":{raw}}}";
        return ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api")
        {
            Content = new StringContent(text, Encoding.UTF8, "application/json"),
        });
    }

    private JsonObject Track(string key, string user, string eventName) => new()
    {
        ["appId"] = factory.AppId, ["clientKey"] = key, ["action"] = "track", ["userId"] = user, ["event"] = eventName,
    };

    [Theory]
    [InlineData("true")]
    [InlineData("\"true\"")]
    [InlineData("\"True\"")]
    [InlineData("1")]
    public async Task DevMode_TrueSpellingWithDevelopmentKey_IsAccepted(string rawDevMode)
    {
        var reply = await JsonCallAsync(Track(factory.DevelopmentKey, NewUser("dev-true"), "Dev Event"), ("devMode", rawDevMode));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("\"true\"")]
    [InlineData("\"True\"")]
    [InlineData("1")]
    public async Task DevMode_TrueSpellingWithProductionKey_IsRefused(string rawDevMode)
    {
        var reply = await JsonCallAsync(Track(factory.ProductionKey, NewUser("dev-prod"), "Dev Event"), ("devMode", rawDevMode));

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(DevModeRefused, ErrorOf(reply[0]));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("\"false\"")]
    [InlineData("\"False\"")]
    [InlineData("0")]
    [InlineData("\"\"")]
    public async Task DevMode_FalseSpellingWithProductionKey_IsAccepted(string rawDevMode)
    {
        var reply = await JsonCallAsync(Track(factory.ProductionKey, NewUser("dev-false"), "Prod Event"), ("devMode", rawDevMode));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
    }

    [Theory]
    [InlineData("true", 0)]
    [InlineData("\"true\"", 0)]
    [InlineData("\"True\"", 0)]
    [InlineData("1", 0)]
    [InlineData("false", 1)]
    [InlineData("\"false\"", 1)]
    [InlineData("\"False\"", 1)]
    [InlineData("0", 1)]
    public async Task Start_BackgroundSpelling_CountsSessionOnlyInForeground(string rawBackground, long expectedSessions)
    {
        // Spec 4.1: a background start is not counted until resumeSession.
        var user = NewUser("bg");
        var start = new JsonObject
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "start", ["userId"] = user,
        };

        var reply = await JsonCallAsync(start, ("background", rawBackground));

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var export = await ExportUserAsync(_http, factory, user);
        Assert.Equal(expectedSessions, (long)export["totalSessions"]!);
    }

    [Theory]
    [InlineData("1.7012345E9", 1701234500.0)]
    [InlineData("1701234567.891000", 1701234567.891)]
    [InlineData("1.4735664E9", 1473566400.0)]
    [InlineData("0.0", 0.0)]
    public async Task Track_ValueAsText_IsExportedAsNumber(string value, double expected)
    {
        var user = NewUser("value");

        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "track",
            ["userId"] = user, ["event"] = "Valued", ["value"] = value,
        });

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var evt = await ExportedEventAsync(_http, factory, user, "Valued");
        Assert.Equal(expected, (double)evt["value"]!, 3);
    }

    [Theory]
    [InlineData("1.7012346E9", "1.7012345E9")]
    [InlineData("1701234667.891000", "1701234567.891000")]
    [InlineData("1.701234667891E9", "1701234567.891")]
    public async Task Track_TimeAsText_CorrectsSkewAgainstTheEnvelopeTime(string envelopeTime, string itemTime)
    {
        // ARCHITECTURE "Decisions where the spec only guesses": event time = arrival - (envelope time - item time).
        // Both texts must be read as numbers (spec 1.4) for the event to land 100 s before arrival.
        var user = NewUser("time");
        var body = RestBatch.Envelope(factory.AppId, factory.ProductionKey,
            [new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Timed", ["time"] = itemTime }],
            envelopeTime);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var reply = await ApiClient.SendAsync(_http, RestBatch.Request(body));
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var firstTime = (double)(await ExportedEventAsync(_http, factory, user, "Timed"))["firstTime"]!;
        Assert.InRange(firstTime, before - 100 - 0.002, after - 100 + 0.002);
    }

    [Fact]
    public async Task Track_JavaTimeWithoutEnvelopeTime_IsUsedAsSent()
    {
        // Spec 1.3 time: Android's Java double text; a single call has no envelope time, so the item time stands.
        var user = NewUser("java-time");
        var sentMs = WireTime.NowMs() - 60_000;

        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "track",
            ["userId"] = user, ["event"] = "Java Timed", ["time"] = WireTime.Java(sentMs),
        });

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var firstTime = (double)(await ExportedEventAsync(_http, factory, user, "Java Timed"))["firstTime"]!;
        Assert.Equal(sentMs / 1000.0, firstTime, 3);
    }

    [Fact]
    public async Task SetUserAttributes_AttributesAsJsonText_LandInExport()
    {
        // Spec 1.4: Android sends userAttributes as a JSON string.
        var user = NewUser("attr-text");

        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "setUserAttributes",
            ["userId"] = user, ["userAttributes"] = "{\"plan\":\"gold\",\"age\":31,\"beta\":true}",
        });

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var attributes = (await ExportUserAsync(_http, factory, user))["userAttributes"]!;
        Assert.Equal("gold", (string?)attributes["plan"]);
        Assert.Equal(31, (int)attributes["age"]!);
        Assert.True((bool)attributes["beta"]!);
    }

    [Fact]
    public async Task SetUserAttributes_AttributesAsNestedJson_LandInExport()
    {
        // Spec 1.4: REST docs show nested objects.
        var user = NewUser("attr-nested");

        var reply = await JsonCallAsync(new JsonObject
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "setUserAttributes", ["userId"] = user,
            ["userAttributes"] = new JsonObject { ["plan"] = "gold", ["age"] = 31, ["beta"] = true },
        });

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        var attributes = (await ExportUserAsync(_http, factory, user))["userAttributes"]!;
        Assert.Equal("gold", (string?)attributes["plan"]);
        Assert.Equal(31, (int)attributes["age"]!);
        Assert.True((bool)attributes["beta"]!);
    }

    [Fact]
    public async Task Start_AttributesAsJsonTextInJsItem_LandInExport()
    {
        // Spec 1.6 "JS" bullet: userAttributes is a JSON string inside a JSON item.
        var js = new JsBatch(factory.AppId, factory.ProductionKey, NewUser("attr-js"));
        var start = js.Start();
        start["userAttributes"] = "{\"Favourite Colour\":\"green\"}";

        var reply = await ApiClient.SendAsync(_http, js.Request(start));

        Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        Assert.Equal("green", (string?)(await ExportUserAsync(_http, factory, js.UserId))["userAttributes"]!["Favourite Colour"]);
    }

    [Fact]
    public async Task EmptyStrings_UserAttributesNewUserIdAndValue_CountAsAbsent()
    {
        // Spec 1.4 "Empty strings mean absent": iOS sends newUserId:"" and userAttributes:"" / "{}".
        var user = NewUser("empty");
        var fields = new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["userId"] = user,
        };

        var start = await FormAsync(_http, new(fields) { ["action"] = "start", ["userAttributes"] = "", ["newUserId"] = "", ["devMode"] = "" });
        var set = await FormAsync(_http, new(fields) { ["action"] = "setUserAttributes", ["userAttributes"] = "", ["newUserId"] = "" });
        var setEmptyObject = await FormAsync(_http, new(fields) { ["action"] = "setUserAttributes", ["userAttributes"] = "{}", ["newUserId"] = "" });
        var track = await FormAsync(_http, new(fields) { ["action"] = "track", ["event"] = "Empty Value", ["value"] = "", ["params"] = "", ["time"] = "" });

        foreach (var reply in new[] { start, set, setEmptyObject, track })
        {
            Assert.Equal(HttpStatusCode.OK, reply.Status);
            Assert.True(SuccessOf(reply[0]), reply[0].ToJsonString());
        }
        var export = await ExportUserAsync(_http, factory, user);
        Assert.Empty(export["userAttributes"]!.AsObject());
        Assert.Equal(0.0, (double)export["events"]!["Empty Value"]!["value"]!);
        Assert.Equal(1L, (long)export["events"]!["Empty Value"]!["count"]!);
    }

    [Fact]
    public async Task Track_ParamsAsJsonTextAndNested_AreBothAccepted()
    {
        // Spec 1.4: params arrive as JSON text (Android) or as a nested object (REST).
        var user = NewUser("params");
        var body = RestBatch.Envelope(factory.AppId, factory.ProductionKey,
        [
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Param Event", ["params"] = "{\"level\":\"3\"}" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Param Event", ["params"] = new JsonObject { ["level"] = 4 } },
        ]);

        var reply = await ApiClient.SendAsync(_http, RestBatch.Request(body));

        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject()), e!.ToJsonString()));
        Assert.Equal(2L, (long)(await ExportedEventAsync(_http, factory, user, "Param Event"))["count"]!);
    }
}
