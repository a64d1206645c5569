using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// Every limit is enforced and configurable: with small limits, a request one past a limit is refused in the envelope
/// and stores nothing; a request exactly at the limit succeeds.
/// </summary>
public sealed class ConfiguredLimitTests(SmallLimitsFixture fixture) : IClassFixture<SmallLimitsFixture>
{
    private const int Limit = SmallLimitsFixture.MaxBodyBytes;

    private GreengageFactory Factory => fixture.Factory;

    private static string NewUser() => "l" + Guid.NewGuid().ToString("N");

    [Theory]
    [InlineData("js")]
    [InlineData("android")]
    [InlineData("rest")]
    public async Task Multi_MoreItemsThanLimit_Answers403AndStoresNothing(string shape)
    {
        var http = RawApi.Client(Factory);
        var users = Enumerable.Range(0, SmallLimitsFixture.MaxItems + 1).Select(_ => NewUser()).ToArray();

        var reply = await RawApi.SendAsync(http, MultiOfStarts(shape, users));

        RawApi.AssertRejected(reply);
        Assert.Equal(403, reply.Code);
        var message = (string)reply.Element(0)["error"]!["message"]!;
        Assert.Contains(SmallLimitsFixture.MaxItems.ToString(System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        foreach (var user in users)
            await RawApi.AssertUserNotStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("js")]
    [InlineData("android")]
    [InlineData("rest")]
    public async Task Multi_ExactlyItemLimit_Succeeds(string shape)
    {
        var http = RawApi.Client(Factory);
        var users = Enumerable.Range(0, SmallLimitsFixture.MaxItems).Select(_ => NewUser()).ToArray();

        var reply = await RawApi.SendAsync(http, MultiOfStarts(shape, users));

        RawApi.AssertEnvelope(reply);
        Assert.Equal(200, reply.Code);
        Assert.Equal(users.Length, reply.Response!.Count);
        Assert.All(reply.Response, e => Assert.True((bool)e!["success"]!, reply.ToString()));
        foreach (var user in users)
            await RawApi.AssertUserStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    [InlineData("form")]
    [InlineData("multipart")]
    public async Task Body_OneByteOverLimit_Answers413AndStoresNothing(string kind)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await RawApi.SendAsync(http, StartOfSize(kind, user, Limit + 1));

        RawApi.AssertRejected(reply, 1);
        Assert.Equal(413, reply.Code);
        await RawApi.AssertUserNotStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    [InlineData("form")]
    [InlineData("multipart")]
    public async Task Body_FarOverLimit_Answers413AndStoresNothing(string kind)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await RawApi.SendAsync(http, StartOfSize(kind, user, Limit * 50));

        RawApi.AssertRejected(reply, 1);
        Assert.Equal(413, reply.Code);
        await RawApi.AssertUserNotStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("text")]
    [InlineData("form")]
    [InlineData("multipart")]
    public async Task Body_ExactlyAtLimit_Succeeds(string kind)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await RawApi.SendAsync(http, StartOfSize(kind, user, Limit));

        RawApi.AssertEnvelope(reply);
        Assert.True(reply.Code == 200 && (bool)reply.Element(0)["success"]!, reply.ToString());
        await RawApi.AssertUserStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("json", Limit + 1)]
    [InlineData("form", Limit + 1)]
    [InlineData("json", Limit * 100)]
    [InlineData("form", Limit * 100)]
    public async Task Body_GzipBelowLimitButDecompressedAbove_Answers413AndStoresNothing(string kind, int decompressedSize)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();
        var request = Gzipped(StartOfSize(kind, user, decompressedSize), out var compressedSize);
        Assert.True(compressedSize < Limit, $"the compressed body ({compressedSize} bytes) must be below the limit");

        var reply = await RawApi.SendAsync(http, request);

        RawApi.AssertRejected(reply, 1);
        Assert.Equal(413, reply.Code);
        await RawApi.AssertUserNotStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("form")]
    public async Task Body_GzipDecompressedExactlyAtLimit_Succeeds(string kind)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await RawApi.SendAsync(http, Gzipped(StartOfSize(kind, user, Limit), out _));

        RawApi.AssertEnvelope(reply);
        Assert.True(reply.Code == 200 && (bool)reply.Element(0)["success"]!, reply.ToString());
        await RawApi.AssertUserStoredAsync(http, Factory, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxIdLength, true)]
    [InlineData(SmallLimitsFixture.MaxIdLength + 1, false)]
    public async Task Start_UserIdLengthAgainstConfiguredLimit_IsEnforced(int length, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = (NewUser() + new string('u', 100))[..length];

        var reply = await SendFormAsync(http, ("action", "start"), ("userId", user), ("deviceId", user));

        // An id over the limit cannot be exported either: what must not exist is the id cut to the limit.
        await AssertOutcomeAsync(http, reply, accepted, user[..Math.Min(length, SmallLimitsFixture.MaxIdLength)]);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxNameLength, true)]
    [InlineData(SmallLimitsFixture.MaxNameLength + 1, false)]
    public async Task Track_EventNameLengthAgainstConfiguredLimit_IsEnforced(int length, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await SendFormAsync(http, ("action", "track"), ("userId", user), ("event", new string('e', length)));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxNameLength, true)]
    [InlineData(SmallLimitsFixture.MaxNameLength + 1, false)]
    public async Task SetUserAttributes_AttributeNameLengthAgainstConfiguredLimit_IsEnforced(int length, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();

        var reply = await SendFormAsync(http, ("action", "setUserAttributes"), ("userId", user),
            ("userAttributes", new JsonObject { [new string('a', length)] = 1 }.ToJsonString()));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxParams, true)]
    [InlineData(SmallLimitsFixture.MaxParams + 1, false)]
    public async Task Track_ParamCountAgainstConfiguredLimit_IsEnforced(int count, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();
        var parameters = new JsonObject();
        for (var i = 0; i < count; i++)
            parameters["p" + i] = i;

        var reply = await SendFormAsync(http, ("action", "track"), ("userId", user), ("event", "E"), ("params", parameters.ToJsonString()));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxJsonDepth, true)]
    [InlineData(SmallLimitsFixture.MaxJsonDepth + 1, false)]
    public async Task Body_JsonDepthAgainstConfiguredLimit_IsEnforced(int depth, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();
        // The body object is level 1 and "extra" (a parameter no action reads) adds depth - 1 levels of arrays.
        var body = $"{{\"appId\":\"{Factory.AppId}\",\"clientKey\":\"{Factory.ProductionKey}\",\"action\":\"start\",\"userId\":\"{user}\"," +
            $"\"extra\":{Nest(depth - 1)}}}";

        var reply = await RawApi.SendAsync(http, RawApi.Post("/api", RawApi.Text(body, "application/json")));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxJsonDepth, true)]
    [InlineData(SmallLimitsFixture.MaxJsonDepth + 1, false)]
    public async Task Parameter_JsonTextDepthAgainstConfiguredLimit_IsEnforced(int depth, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();
        var attributes = "{\"a\":" + Nest(depth - 1) + "}";

        var reply = await SendFormAsync(http, ("action", "setUserAttributes"), ("userId", user), ("userAttributes", attributes));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    [Theory]
    [InlineData(SmallLimitsFixture.MaxJsonDepth, true)]
    [InlineData(SmallLimitsFixture.MaxJsonDepth + 1, false)]
    public async Task Multi_FormDataFieldDepthAgainstConfiguredLimit_IsEnforced(int depth, bool accepted)
    {
        var http = RawApi.Client(Factory);
        var user = NewUser();
        // {"data":[{..., "extra": arrays}]}: the wrapper, the array and the item are three levels.
        var data = $"{{\"data\":[{{\"action\":\"start\",\"userId\":\"{user}\",\"extra\":{Nest(depth - 3)}}}]}}";

        var reply = await SendFormAsync(http, ("action", "multi"), ("data", data));

        await AssertOutcomeAsync(http, reply, accepted, user);
    }

    private async Task<RawReply> SendFormAsync(HttpClient http, params (string Name, string Value)[] fields) =>
        await RawApi.SendAsync(http, RawApi.Post("/api", RawApi.Form(
            [("appId", Factory.AppId), ("clientKey", Factory.ProductionKey), .. fields])));

    private async Task AssertOutcomeAsync(HttpClient http, RawReply reply, bool accepted, string user)
    {
        if (accepted)
        {
            RawApi.AssertEnvelope(reply);
            Assert.True(reply.Code == 200 && (bool)reply.Element(0)["success"]!, reply.ToString());
            await RawApi.AssertUserStoredAsync(http, Factory, user);
            return;
        }
        RawApi.AssertRejected(reply, 1);
        Assert.Equal(400, reply.Code);
        await RawApi.AssertUserNotStoredAsync(http, Factory, user);
    }

    private HttpRequestMessage MultiOfStarts(string shape, string[] users)
    {
        var items = new JsonArray(users.Select(u => (JsonNode?)new JsonObject { ["action"] = "start", ["userId"] = u, ["deviceId"] = u }).ToArray());
        var wrapped = new JsonObject { ["data"] = items }.ToJsonString();
        return shape switch
        {
            "js" => RawApi.Post("/api?" + RawApi.Query(("appId", Factory.AppId), ("clientKey", Factory.ProductionKey), ("client", "js"),
                ("action", "multi"), ("time", ApiClient.Now())), RawApi.Text(wrapped, "text/plain")),
            "android" => RawApi.Post("/api", RawApi.Form(("appId", Factory.AppId), ("clientKey", Factory.ProductionKey),
                ("client", "android"), ("action", "multi"), ("time", ApiClient.Now()), ("data", wrapped))),
            _ => RawApi.Post("/api", RawApi.Text(new JsonObject
            {
                ["appId"] = Factory.AppId, ["clientKey"] = Factory.ProductionKey, ["action"] = "multi", ["time"] = ApiClient.Now(),
                ["data"] = items.DeepClone(),
            }.ToJsonString(), "application/json")),
        };
    }

    /// <summary>A valid start for <paramref name="user"/> whose body is exactly <paramref name="size"/> bytes (a parameter no action reads pads it).</summary>
    private HttpRequestMessage StartOfSize(string kind, string user, int size)
    {
        switch (kind)
        {
            case "json":
            case "text":
            {
                var head = $"{{\"appId\":\"{Factory.AppId}\",\"clientKey\":\"{Factory.ProductionKey}\",\"action\":\"start\",\"userId\":\"{user}\",\"pad\":\"";
                var body = head + new string('p', size - head.Length - 2) + "\"}";
                Assert.Equal(size, Encoding.UTF8.GetByteCount(body));
                return RawApi.Post("/api", RawApi.Text(body, kind == "json" ? "application/json" : "text/plain"));
            }
            case "form":
            {
                var head = RawApi.Query(("appId", Factory.AppId), ("clientKey", Factory.ProductionKey), ("action", "start"), ("userId", user)) + "&pad=";
                var body = head + new string('p', size - head.Length);
                Assert.Equal(size, Encoding.ASCII.GetByteCount(body));
                return RawApi.Post("/api", RawApi.Text(body, "application/x-www-form-urlencoded"));
            }
            default:
            {
                const string boundary = "gg-boundary";
                var fields = new StringBuilder();
                foreach (var (name, value) in new[] { ("appId", Factory.AppId), ("clientKey", Factory.ProductionKey), ("action", "start"), ("userId", user) })
                    fields.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
                var head = fields + $"--{boundary}\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n";
                var tail = $"\r\n--{boundary}--\r\n";
                var body = head + new string('p', size - head.Length - tail.Length) + tail;
                Assert.Equal(size, Encoding.ASCII.GetByteCount(body));
                var content = new ByteArrayContent(Encoding.ASCII.GetBytes(body));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={boundary}");
                return RawApi.Post("/api", content);
            }
        }
    }

    private static HttpRequestMessage Gzipped(HttpRequestMessage request, out int compressedSize)
    {
        var plain = request.Content!.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var zipped = BadInputCorpus.Gzip(plain);
        compressedSize = zipped.Length;
        var content = new ByteArrayContent(zipped);
        content.Headers.ContentType = request.Content.Headers.ContentType;
        content.Headers.ContentEncoding.Add("gzip");
        return RawApi.Post(request.RequestUri!.OriginalString, content);
    }

    private static string Nest(int depth) => new string('[', depth) + new string(']', depth);
}
