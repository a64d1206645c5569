using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Envelope;

/// <summary>Spec 0 items 3-4 and spec 3: one element per item, in order, reqId echoed, never empty; statuses.</summary>
public sealed class ResponseShapeTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private static HttpRequestMessage TextPlain(string url, string body) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(body, Encoding.UTF8, "text/plain"),
    };

    private string MultiUrl(string appId, string key) =>
        $"/api?appId={Uri.EscapeDataString(appId)}&clientKey={Uri.EscapeDataString(key)}&action=multi&time={WireTime.Js(WireTime.NowMs())}";

    [Fact]
    public async Task Multi_ManyMixedItems_AnswersOneElementPerItemInOrder()
    {
        // Three users interleaved, app actions between them, and failing items at known positions.
        var users = new[] { NewUser("order-a"), NewUser("order-b"), NewUser("order-c") };
        var items = new JsonArray();
        var expectSuccess = new List<bool>();
        for (var i = 0; i < 30; i++)
        {
            var user = users[i % 3];
            JsonObject item = (i % 7) switch
            {
                0 => new JsonObject { ["action"] = "getMigrateState" },
                3 => new JsonObject { ["action"] = "track", ["userId"] = user }, // no event
                5 => new JsonObject { ["action"] = "noSuchAction", ["userId"] = user },
                _ => new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Step", ["value"] = i },
            };
            item["reqId"] = $"req-{i:D2}";
            items.Add(item);
            expectSuccess.Add(i % 7 is not (3 or 5));
        }

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey),
            new JsonObject { ["data"] = items }.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(30, reply.Response.Count);
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal($"req-{i:D2}", ReqIdOf(reply[i]));
            Assert.Equal(expectSuccess[i], SuccessOf(reply[i]));
            if (i % 7 == 0)
                Assert.Equal("lp", (string?)reply[i]["sdk"]);
            if (i % 7 == 5)
                Assert.Equal("Unknown action: 'noSuchAction'.", ErrorOf(reply[i]));
        }
        // Each user's tracked values arrived exactly once.
        for (var u = 0; u < 3; u++)
        {
            var expected = Enumerable.Range(0, 30).Where(i => i % 3 == u && i % 7 is not (0 or 3 or 5)).ToList();
            var evt = await ExportedEventAsync(_http, factory, users[u], "Step");
            Assert.Equal(expected.Count, (long)evt["count"]!);
            Assert.Equal(expected.Sum(), (double)evt["value"]!);
        }
    }

    [Fact]
    public async Task Multi_UnknownApp_AnswersOneErrorElementPerItemWithReqIds()
    {
        // Spec 0 item 4 (never an empty array) and ARCHITECTURE: an envelope failure keeps its own status.
        var items = new JsonArray(
            new JsonObject { ["action"] = "start", ["userId"] = "u", ["reqId"] = "x-0" },
            new JsonObject { ["action"] = "track", ["userId"] = "u", ["event"] = "E", ["reqId"] = "x-1" },
            new JsonObject { ["action"] = "stop", ["userId"] = "u", ["reqId"] = "x-2" });

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl("app_doesNotExist0000000000000", "prod_whatever"),
            new JsonObject { ["data"] = items }.ToJsonString()));

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal(3, reply.Response.Count);
        for (var i = 0; i < 3; i++)
        {
            Assert.False(SuccessOf(reply[i]));
            Assert.Equal("App not found", ErrorOf(reply[i]));
            Assert.Equal($"x-{i}", ReqIdOf(reply[i]));
        }
    }

    [Fact]
    public async Task Multi_WrongEnvelopeKey_AnswersOneErrorElementPerItem()
    {
        // Spec 2: wrong key -> "Invalid access key"; ARCHITECTURE: an envelope failure answers its own status.
        var android = new AndroidBatch(NewUser("wrong-key"));
        var items = new[] { android.Start(), android.Track("E"), android.Item("stop") };

        var reply = await FormAsync(_http, AndroidBatch.Form(factory.AppId, "prod_notTheRightKey000000000000", items));

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal(3, reply.Response.Count);
        Assert.Equal(android.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.Equal("Invalid access key", ErrorOf(e!.AsObject())));
    }

    [Fact]
    public async Task Multi_UnreadableEnvelopeDevMode_AnswersOneErrorElementPerItem()
    {
        // An envelope parameter that cannot be read fails the whole request, one element per item, with 400.
        var items = new JsonArray(
            new JsonObject { ["action"] = "track", ["userId"] = "u", ["event"] = "E", ["reqId"] = "v-0" },
            new JsonObject { ["action"] = "track", ["userId"] = "u", ["event"] = "E", ["reqId"] = "v-1" });

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey) + "&devMode=maybe",
            new JsonObject { ["data"] = items }.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal(["v-0", "v-1"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.Equal("Invalid value for 'devMode': expected a boolean", ErrorOf(e!.AsObject())));
    }

    [Fact]
    public async Task Multi_AllItemsFailOnTheirOwn_AnswersHttp200()
    {
        // ARCHITECTURE: a multi of more than one item answers 200 whatever its items did.
        var user = NewUser("all-fail");
        var items = new JsonArray(
            new JsonObject { ["action"] = "track", ["userId"] = user, ["reqId"] = "f-0" },
            new JsonObject { ["action"] = "bogus", ["userId"] = user, ["reqId"] = "f-1" },
            new JsonObject { ["action"] = "exportUser", ["userId"] = user, ["reqId"] = "f-2" }); // production key may not export

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey),
            new JsonObject { ["data"] = items }.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["f-0", "f-1", "f-2"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.False(SuccessOf(e!.AsObject())));
        Assert.Equal("'event' must be provided", ErrorOf(reply[0]));
        Assert.Equal("Unknown action: 'bogus'.", ErrorOf(reply[1]));
        Assert.Equal("Invalid access key", ErrorOf(reply[2]));
    }

    [Fact]
    public async Task Multi_OneFailingItem_AnswersThatItemsOwnStatus()
    {
        // A multi of exactly one item is answered like a single call: its item's status.
        var user = NewUser("one-item");
        var items = new JsonArray(new JsonObject { ["action"] = "bogus", ["userId"] = user, ["reqId"] = "o-0" });

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey),
            new JsonObject { ["data"] = items }.ToJsonString()));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("o-0", ReqIdOf(Assert.Single(reply.Response)!.AsObject()));
    }

    [Theory]
    [InlineData("{\"data\":[]}")]
    [InlineData("{\"data\":\"not json\"}")]
    [InlineData("{\"data\":{\"nope\":1}}")]
    [InlineData("{\"nothing\":1}")]
    [InlineData("{not json at all")]
    public async Task Multi_UnreadableBatch_AnswersOneErrorElement(string body)
    {
        // Spec 0 item 4: never an empty response array, even when no item can be read.
        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey), body));

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        var element = Assert.Single(reply.Response)!.AsObject();
        Assert.False(SuccessOf(element));
        Assert.False(string.IsNullOrEmpty(ErrorOf(element)));
    }

    [Fact]
    public async Task Multi_NonObjectItem_FailsOnlyThatItem()
    {
        var user = NewUser("non-object");
        var body = $"{{\"data\":[{{\"action\":\"track\",\"userId\":\"{user}\",\"event\":\"Ok\"}},42,\"text\"]}}";

        var reply = await ApiClient.SendAsync(_http, TextPlain(MultiUrl(factory.AppId, factory.ProductionKey), body));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(3, reply.Response.Count);
        Assert.True(SuccessOf(reply[0]));
        Assert.False(SuccessOf(reply[1]));
        Assert.False(SuccessOf(reply[2]));
    }

    [Fact]
    public async Task Single_UnknownAction_Answers400WithClearError()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "doTheThing", ["userId"] = NewUser("unknown"),
        });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("Unknown action: 'doTheThing'.", ErrorOf(Assert.Single(reply.Response)!.AsObject()));
    }

    [Fact]
    public async Task Single_WrongKey_Answers403InvalidAccessKey()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = "prod_wrong", ["action"] = "track", ["userId"] = NewUser("wrong"), ["event"] = "E",
        });

        Assert.Equal(HttpStatusCode.Forbidden, reply.Status);
        Assert.Equal("Invalid access key", ErrorOf(Assert.Single(reply.Response)!.AsObject()));
    }

    [Fact]
    public async Task Single_UnknownApp_Answers404AppNotFound()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = "app_unknown", ["clientKey"] = "prod_wrong", ["action"] = "track", ["userId"] = NewUser("no-app"), ["event"] = "E",
        });

        Assert.Equal(HttpStatusCode.NotFound, reply.Status);
        Assert.Equal("App not found", ErrorOf(Assert.Single(reply.Response)!.AsObject()));
    }

    [Fact]
    public async Task Single_MissingAction_AnswersOneErrorElement()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["userId"] = NewUser("no-action"),
        });

        Assert.Equal(HttpStatusCode.BadRequest, reply.Status);
        Assert.Equal("'action' must be provided", ErrorOf(Assert.Single(reply.Response)!.AsObject()));
    }

    [Fact]
    public async Task Single_ReqIdOnPlainCall_IsEchoed()
    {
        var reply = await FormAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "getMigrateState", ["reqId"] = "plain-1",
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal("plain-1", ReqIdOf(Assert.Single(reply.Response)!.AsObject()));
    }
}
