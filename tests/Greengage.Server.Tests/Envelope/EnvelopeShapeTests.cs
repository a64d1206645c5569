using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Envelope;

/// <summary>Every request shape of spec 1.2 and 1.6 reaches the same actions and answers one element per item.</summary>
public sealed class EnvelopeShapeTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Multi_AndroidFormShapeA_AnswersEachItemInOrderWithReqIds()
    {
        // Spec 1.6 row A (Android): form field data = JSON text of {"data":[...]}; spec 1.2 row "Android".
        var android = new AndroidBatch(NewUser("android"));
        var items = new[]
        {
            android.Start(),
            android.Track("Level Complete", "0.0", "{\"level\":\"3\"}"),
            android.Item("track", new JsonObject { ["value"] = "1.0" }), // no event: fails on its own
            android.SetUserAttributes("{\"plan\":\"gold\"}"),
            android.Item("getMigrateState"),
        };

        var reply = await FormAsync(_http, AndroidBatch.Form(factory.AppId, factory.ProductionKey, items));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(items.Length, reply.Response.Count);
        for (var i = 0; i < items.Length; i++)
            Assert.Equal(android.ReqIds[i], ReqIdOf(reply[i]));
        Assert.True(SuccessOf(reply[0]));
        Assert.NotNull(reply[0]["vars"]);
        Assert.NotNull(reply[0]["token"]);
        Assert.True(SuccessOf(reply[1]));
        Assert.False(SuccessOf(reply[2]));
        Assert.Equal("'event' must be provided", ErrorOf(reply[2]));
        Assert.True(SuccessOf(reply[3]));
        Assert.Equal("lp", (string?)reply[4]["sdk"]);

        var export = await ExportUserAsync(_http, factory, android.UserId);
        Assert.Equal(1L, (long)export["events"]!["Level Complete"]!["count"]!);
        Assert.Equal("gold", (string?)export["userAttributes"]!["plan"]);
        var device = Assert.Single(export["devices"]!.AsArray())!;
        Assert.Equal(android.DeviceId, (string?)device["deviceId"]);
        Assert.Equal("android", (string?)device["client"]); // inherited from the envelope
        Assert.Equal(AndroidBatch.SdkVersion, (string?)device["sdkVersion"]);
    }

    [Fact]
    public async Task Multi_JsTextPlainShapeB_AppliesItemsWithoutReqIds()
    {
        // Spec 1.6 row B (JS SDK): query auth + text/plain body {"data":[...]}; spec 1.2 row "JS SDK batched calls".
        var js = new JsBatch(factory.AppId, factory.ProductionKey, NewUser("js"));

        var reply = await ApiClient.SendAsync(_http, js.Request(
            js.Start(),
            js.Track("Add To Cart", 12.5, "{\"sku\":\"A-1\"}"),
            js.Track("Add To Cart", 7.5)));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(3, reply.Response.Count);
        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.Null(ReqIdOf(e!.AsObject())));
        Assert.NotNull(reply[0]["messages"]);

        var evt = await ExportedEventAsync(_http, factory, js.UserId, "Add To Cart");
        Assert.Equal(2L, (long)evt["count"]!);
        Assert.Equal(20.0, (double)evt["value"]!, 6);
    }

    [Fact]
    public async Task Multi_RestJsonBodyShapeC_AppliesNestedItems()
    {
        // Spec 1.6 row C (REST docs): application/json body {"action":"multi","appId","clientKey","time","data":[...]}.
        var user = NewUser("rest");
        var body = RestBatch.Envelope(factory.AppId, factory.ProductionKey,
        [
            new JsonObject { ["action"] = "setUserAttributes", ["userId"] = user, ["userAttributes"] = new JsonObject { ["tier"] = "silver", ["age"] = 40 }, ["reqId"] = "r-0" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Purchase", ["value"] = 9.99, ["params"] = new JsonObject { ["item"] = "gem pack" }, ["reqId"] = "r-1" },
        ]);

        var reply = await ApiClient.SendAsync(_http, RestBatch.Request(body));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Response.Count);
        Assert.Equal("r-0", ReqIdOf(reply[0]));
        Assert.Equal("r-1", ReqIdOf(reply[1]));
        Assert.True(SuccessOf(reply[0]));
        Assert.True(SuccessOf(reply[1]));
        var export = await ExportUserAsync(_http, factory, user);
        Assert.Equal("silver", (string?)export["userAttributes"]!["tier"]);
        Assert.Equal(40, (int)export["userAttributes"]!["age"]!);
        Assert.Equal(9.99, (double)export["events"]!["Purchase"]!["value"]!, 6);
    }

    [Fact]
    public async Task Multi_FormFieldBareArrayShapeD_AnswersEachItem()
    {
        // Spec 1.6 row D (defensive): form field data = JSON text of a bare array.
        var android = new AndroidBatch(NewUser("shape-d"));
        var items = new JsonArray(android.Start(), android.Track("Shape D"));
        var form = new Dictionary<string, string>
        {
            ["appId"] = factory.AppId,
            ["clientKey"] = factory.ProductionKey,
            ["client"] = "android",
            ["action"] = "multi",
            ["time"] = WireTime.Java(WireTime.NowMs()),
            ["data"] = items.ToJsonString(),
        };

        var reply = await FormAsync(_http, form);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Response.Count);
        Assert.Equal(android.ReqIds[0], ReqIdOf(reply[0]));
        Assert.Equal(android.ReqIds[1], ReqIdOf(reply[1]));
        Assert.True(SuccessOf(reply[1]));
        Assert.Equal(1L, (long)(await ExportedEventAsync(_http, factory, android.UserId, "Shape D"))["count"]!);
    }

    [Fact]
    public async Task Multi_BareArrayInQueryShapeD_AnswersEachItem()
    {
        // Spec 1.6 row D: the query field data = JSON text of a bare array (GET, spec 1.1 "GET puts all arguments in the query").
        var user = NewUser("shape-d-get");
        var items = new JsonArray(
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Query Batch", ["reqId"] = "q-0" },
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "Query Batch", ["reqId"] = "q-1" });

        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "multi", ["data"] = items.ToJsonString(),
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["q-0", "q-1"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.Equal(2L, (long)(await ExportedEventAsync(_http, factory, user, "Query Batch"))["count"]!);
    }

    [Fact]
    public async Task Multi_UnityMultipartForm_AnswersEachItem()
    {
        // Spec 1.6 row A sent as multipart/form-data (spec 1.2 row "Unity (native)": WWWForm fields, form or multipart).
        var unity = new UnityBatch(NewUser("unity-mp"), devMode: false);
        var fields = UnityBatch.Fields(factory.AppId, factory.ProductionKey, [unity.Start(), unity.Track("Boss Defeated", "250")]);
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
            content.Add(new StringContent(value, Encoding.UTF8), name);

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api") { Content = content });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Response.Count);
        Assert.Equal(unity.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject()), e!.ToJsonString()));
        var export = await ExportUserAsync(_http, factory, unity.UserId);
        Assert.Equal(250.0, (double)export["events"]!["Boss Defeated"]!["value"]!);
        Assert.Equal(UnityBatch.Client, (string?)export["devices"]![0]!["client"]);
    }

    [Fact]
    public async Task Single_PlainGetWithQueryOnly_AppliesTheAction()
    {
        // Spec 1.1: GET puts all top-level arguments in the query; one element for a plain call (spec 3).
        var user = NewUser("get");

        var reply = await GetAsync(_http, new Dictionary<string, string>
        {
            ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["apiVersion"] = "1.0.6",
            ["action"] = "track", ["userId"] = user, ["event"] = "Opened Link", ["value"] = "3",
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(Assert.Single(reply.Response)!.AsObject()));
        var evt = await ExportedEventAsync(_http, factory, user, "Opened Link");
        Assert.Equal(3.0, (double)evt["value"]!);
    }

    [Fact]
    public async Task Multi_JsonBodyWithoutContentType_IsReadAsJson()
    {
        // Spec 1.2 server rule: a JSON object body is read whatever the Content-Type says, here none at all (shape C).
        var user = NewUser("no-ctype");
        var body = RestBatch.Envelope(factory.AppId, factory.ProductionKey,
        [
            new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "No Content Type", ["reqId"] = "n-0" },
            new JsonObject { ["action"] = "getMigrateState", ["reqId"] = "n-1" },
        ]);
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
        Assert.Null(content.Headers.ContentType);

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api") { Content = content });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["n-0", "n-1"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.Equal("lp", (string?)reply[1]["sdk"]);
        Assert.Equal(1L, (long)(await ExportedEventAsync(_http, factory, user, "No Content Type"))["count"]!);
    }

    [Fact]
    public async Task Multi_AuthOnlyInsideItems_EachItemAuthenticatesItself()
    {
        // Spec 1.6 row B with REST-style items (spec 1.6 "every element of data is a complete call"): the envelope
        // carries only action=multi; appId and clientKey are inside each item.
        var user = NewUser("item-auth");
        var body = new JsonObject
        {
            ["data"] = new JsonArray(
                new JsonObject { ["appId"] = factory.AppId, ["clientKey"] = factory.ProductionKey, ["action"] = "track", ["userId"] = user, ["event"] = "Item Auth", ["reqId"] = "i-0" },
                new JsonObject { ["appId"] = factory.AppId, ["clientKey"] = factory.DataExportKey, ["action"] = "exportUser", ["userId"] = user, ["reqId"] = "i-1" }),
        };

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api?action=multi")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "text/plain"),
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(["i-0", "i-1"], reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.True(SuccessOf(reply[0]));
        Assert.True(SuccessOf(reply[1]));
        // The export runs after the track of the same user in the same batch.
        Assert.Equal(1L, (long)reply[1]["events"]!["Item Auth"]!["count"]!);
    }

    [Fact]
    public async Task Multi_ItemsThatChangeCaller_AreEachRoutedByTheirOwnAppKeyUserAndMode()
    {
        // The dispatcher compares an item's caller with the item before rather than reading it again: every change
        // (key, user, device, mode, action, a user id sent as a number or empty) must still be seen.
        var user = NewUser("caller");
        var other = NewUser("caller-other");
        JsonObject Item(string action, string? userId, string key, object? extra = null)
        {
            var item = new JsonObject { ["appId"] = factory.AppId, ["clientKey"] = key, ["action"] = action, ["deviceId"] = "dev-" + user, ["event"] = "Caller" };
            if (userId is not null)
                item["userId"] = userId;
            if (extra is bool devMode)
                item["devMode"] = devMode;
            return item;
        }
        var body = new JsonObject
        {
            ["data"] = new JsonArray(
                Item("track", user, factory.ProductionKey),
                Item("track", user, factory.ProductionKey),
                Item("track", user, "not-a-key"),
                Item("track", user, factory.ProductionKey, extra: true),
                Item("setUserAttributes", user, factory.ProductionKey),
                Item("track", other, factory.ProductionKey),
                Item("exportUser", user, factory.ProductionKey),
                Item("exportUser", user, factory.DataExportKey),
                Item("track", user, factory.ProductionKey),
                Item("nosuchaction", user, factory.ProductionKey)),
        };

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api?action=multi")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "text/plain"),
        });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(reply[0]));
        Assert.True(SuccessOf(reply[1]));
        Assert.Equal("Invalid access key", ErrorOf(reply[2]));
        Assert.Equal("Development mode requested but not permitted.", ErrorOf(reply[3]));
        Assert.True(SuccessOf(reply[4]));
        Assert.True(SuccessOf(reply[5]));
        Assert.Equal("Invalid access key", ErrorOf(reply[6]));
        Assert.True(SuccessOf(reply[7]));
        Assert.Equal(2L, (long)reply[7]["events"]!["Caller"]!["count"]!);
        Assert.True(SuccessOf(reply[8]));
        Assert.False(SuccessOf(reply[9]));
        Assert.Equal(3L, (long)(await ExportUserAsync(_http, factory, user))["events"]!["Caller"]!["count"]!);
        Assert.Equal(1L, (long)(await ExportUserAsync(_http, factory, other))["events"]!["Caller"]!["count"]!);
    }

    [Fact]
    public async Task Multi_IosDevModeJsonTrueWithDevelopmentKey_IsAccepted()
    {
        // Spec 1.6 row A (iOS): client=ios, "%f" times, devMode as JSON true with the development key (spec 2).
        var ios = new IosBatch(NewUser("ios-dev"), devMode: true);
        var items = new[] { ios.Start(), ios.Track("Tutorial Step"), ios.SetUserAttributes("{\"Onboarded\":true}") };

        var reply = await FormAsync(_http, IosBatch.Form(factory.AppId, factory.DevelopmentKey, items));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(ios.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject()), e!.ToJsonString()));
        var export = await ExportUserAsync(_http, factory, ios.UserId);
        Assert.True((bool)export["userAttributes"]!["Onboarded"]!);
        Assert.Equal("ios", (string?)export["devices"]![0]!["client"]);
    }

    [Fact]
    public async Task Multi_IosDevModeJsonTrueWithProductionKey_RefusesEachItem()
    {
        // Spec 1.6 row A (iOS) and spec 2: devMode true with a production key is refused, per item inside a multi.
        var ios = new IosBatch(NewUser("ios-prod"), devMode: true);
        var items = new[] { ios.Start(), ios.Track("Tutorial Step") };

        var reply = await FormAsync(_http, IosBatch.Form(factory.AppId, factory.ProductionKey, items));

        Assert.Equal(2, reply.Response.Count);
        Assert.Equal(ios.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.Equal("Development mode requested but not permitted.", ErrorOf(e!.AsObject())));
    }

    [Theory]
    [InlineData(false, "production")]
    [InlineData(true, "development")]
    public async Task Multi_UnityDevModeStringsWithMatchingKey_IsAccepted(bool devMode, string keyClass)
    {
        // Spec 1.6 row A (Unity): devMode "False"/"True" (C# bool.ToString(), spec 1.4), client "unity-android".
        var unity = new UnityBatch(NewUser("unity"), devMode);
        var key = keyClass == "production" ? factory.ProductionKey : factory.DevelopmentKey;

        var reply = await FormAsync(_http, UnityBatch.Fields(factory.AppId, key, [unity.Start(), unity.Track("Coins Spent", "15")]));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(unity.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject()), e!.ToJsonString()));
        var export = await ExportUserAsync(_http, factory, unity.UserId);
        Assert.Equal(UnityBatch.Client, (string?)export["devices"]![0]!["client"]);
    }

    [Fact]
    public async Task Multi_UnityDevModeTrueStringWithProductionKey_RefusesEachItem()
    {
        // Spec 1.6 row A (Unity) and spec 1.4: "True" is a true boolean, so spec 2 refuses it with a production key.
        var unity = new UnityBatch(NewUser("unity-refused"), devMode: true);

        var reply = await FormAsync(_http, UnityBatch.Fields(factory.AppId, factory.ProductionKey, [unity.Start(), unity.Track("Coins Spent")]));

        Assert.Equal(2, reply.Response.Count);
        Assert.All(reply.Response, e => Assert.Equal("Development mode requested but not permitted.", ErrorOf(e!.AsObject())));
    }

    [Fact]
    public async Task Multi_JsTextPlainWithCharset_IsReadAsJson()
    {
        // Spec 1.6 row B: the JS body is sent as text/plain; with an explicit media type parameter it is still JSON.
        var js = new JsBatch(factory.AppId, factory.ProductionKey, NewUser("js-charset"));
        var request = js.Request(js.Track("Charset", 1));
        request.Content!.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain;charset=UTF-8");

        var reply = await ApiClient.SendAsync(_http, request);

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True(SuccessOf(Assert.Single(reply.Response)!.AsObject()));
    }
}
