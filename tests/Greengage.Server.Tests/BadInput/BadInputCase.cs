using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>What one case is built from: the test app's keys and two user ids of its own.</summary>
public sealed class CaseContext(GreengageFactory factory)
{
    public GreengageFactory Factory => factory;

    public string AppId => factory.AppId;

    public string Prod => factory.ProductionKey;

    public string Export => factory.DataExportKey;

    /// <summary>The user the bad request is about.</summary>
    public string User { get; } = "bad-" + Guid.NewGuid().ToString("N");

    /// <summary>A second user, for cases that name two.</summary>
    public string Other { get; } = "bad2-" + Guid.NewGuid().ToString("N");

    /// <summary>A user id one character over the 400-character limit; its first 400 characters are <see cref="Truncated"/>.</summary>
    public string TooLong => Truncated + "z";

    public string Truncated => (User + new string('y', 400))[..400];
}

/// <summary>
/// One entry of the bad-input corpus. <see cref="Outcomes"/> null means the request is refused as a whole (4xx, every
/// element failed); otherwise it lists the success of each element in order, for batches that mix good and bad items.
/// <see cref="Verify"/> checks what was stored afterwards; by default that neither of the context's users exists.
/// </summary>
public sealed record BadCase(
    Func<CaseContext, HttpRequestMessage> Build,
    int? Elements = null,
    bool[]? Outcomes = null,
    string?[]? ReqIds = null,
    Func<HttpClient, CaseContext, Task>? Verify = null,
    int? Status = null)
{
    /// <summary>Sends the case and checks the answer and the store.</summary>
    public async Task RunAsync(HttpClient http, CaseContext context, string name)
    {
        RawReply reply;
        try
        {
            reply = await RawApi.SendAsync(http, Build(context));
        }
        catch (TaskCanceledException e)
        {
            throw new Xunit.Sdk.XunitException($"Case '{name}' hung for more than {RawApi.HangTimeout}: {e.Message}");
        }

        if (Outcomes is null)
        {
            RawApi.AssertRejected(reply, Elements);
        }
        else
        {
            RawApi.AssertEnvelope(reply);
            Assert.True(reply.Response!.Count == Outcomes.Length, $"Expected {Outcomes.Length} elements: {reply}");
            if (Outcomes.Length > 1)
                Assert.True(reply.Code == 200, $"A multi of several items answers 200: {reply}");
            else if (!Outcomes[0])
                Assert.True(reply.Code is >= 400 and < 500, $"Expected a 4xx: {reply}");
            for (var i = 0; i < Outcomes.Length; i++)
            {
                if (Outcomes[i])
                    Assert.True(reply.Element(i)["success"]!.GetValue<bool>(), $"Element {i} should have succeeded: {reply}");
                else
                    RawApi.AssertFailedElement(reply, i);
            }
        }
        if (Status is { } status)
            Assert.True(reply.Code == status, $"Expected HTTP {status}: {reply}");
        if (ReqIds is not null)
        {
            for (var i = 0; i < ReqIds.Length; i++)
            {
                var echoed = (string?)reply.Element(i)["reqId"];
                Assert.True(echoed == ReqIds[i], $"Element {i} should carry reqId '{ReqIds[i]}', has '{echoed}': {reply}");
            }
        }

        if (Verify is not null)
        {
            await Verify(http, context);
            return;
        }
        await RawApi.AssertUserNotStoredAsync(http, context.Factory, context.User);
        await RawApi.AssertUserNotStoredAsync(http, context.Factory, context.Other);
    }
}

/// <summary>Builders for items and requests in the shapes SDKs and REST callers use (spec 1.2, 1.6).</summary>
public static class Shapes
{
    public static JsonNode? J(string json) => JsonNode.Parse(json);

    public static JsonObject Item(string action, string user, params (string Name, JsonNode? Value)[] fields)
    {
        var item = new JsonObject { ["action"] = action, ["userId"] = user, ["deviceId"] = user };
        foreach (var (name, value) in fields)
            item[name] = value;
        return item;
    }

    /// <summary>REST shape C: one JSON body (application/json) with the keys, the action and the user inside.</summary>
    public static HttpRequestMessage JsonCall(CaseContext c, string action, params (string Name, JsonNode? Value)[] fields)
    {
        var body = new JsonObject { ["appId"] = c.AppId, ["clientKey"] = c.Prod };
        foreach (var (name, value) in Item(action, c.User, fields))
            body[name] = value?.DeepClone();
        return RawApi.Post("/api", RawApi.Text(body.ToJsonString(), "application/json"));
    }

    /// <summary>A single action as a form body (Android/iOS style, without the batch).</summary>
    public static HttpRequestMessage FormCall(CaseContext c, string action, params (string Name, string Value)[] fields)
    {
        var pairs = new List<(string, string)>
        {
            ("appId", c.AppId), ("clientKey", c.Prod), ("action", action), ("userId", c.User), ("deviceId", c.User),
        };
        foreach (var field in fields)
        {
            pairs.RemoveAll(p => p.Item1 == field.Name);
            pairs.Add(field);
        }
        return RawApi.Post("/api", RawApi.Form([.. pairs]));
    }

    /// <summary>JS shape B: keys and <c>action=multi</c> in the query, the batch as a text/plain body.</summary>
    public static HttpRequestMessage JsMulti(CaseContext c, string body, string? time = null) =>
        RawApi.Post("/api?" + RawApi.Query(("appId", c.AppId), ("client", "js"), ("clientKey", c.Prod), ("sdkVersion", "1.9.0"),
            ("action", "multi"), ("time", time ?? ApiClient.Now())), RawApi.Text(body, "text/plain"));

    public static HttpRequestMessage JsMulti(CaseContext c, params JsonNode?[] items) =>
        JsMulti(c, new JsonObject { ["data"] = new JsonArray(items) }.ToJsonString());

    /// <summary>Android shape A: a form whose <c>data</c> field holds the JSON text (here given as is).</summary>
    public static HttpRequestMessage AndroidMulti(CaseContext c, string data, string? time = null) =>
        RawApi.Post("/api", RawApi.Form(("appId", c.AppId), ("clientKey", c.Prod), ("client", "android"), ("sdkVersion", "7.0.0"),
            ("action", "multi"), ("time", time ?? ApiClient.Now()), ("data", data)));

    public static HttpRequestMessage AndroidMulti(CaseContext c, params JsonNode?[] items) =>
        AndroidMulti(c, new JsonObject { ["data"] = new JsonArray(items) }.ToJsonString());

    /// <summary>The query of a complete, valid <c>start</c> for the context's user: ignoring a bad body would store the user.</summary>
    public static string StartQuery(CaseContext c) =>
        RawApi.Query(("appId", c.AppId), ("clientKey", c.Prod), ("action", "start"), ("userId", c.User), ("deviceId", c.User));

    /// <summary>The opening of a JSON start body, without its closing brace.</summary>
    public static string OpenStart(CaseContext c) =>
        $"{{\"appId\":\"{c.AppId}\",\"clientKey\":\"{c.Prod}\",\"action\":\"start\",\"userId\":\"{c.User}\",\"deviceId\":\"{c.User}\"";

    /// <summary>Deterministic binary garbage: every byte value, then pseudo-random bytes (invalid UTF-8, NULs, '=', '&amp;').</summary>
    public static byte[] Garbage(int length = 768)
    {
        var bytes = new byte[length];
        uint x = 2463534242;
        for (var i = 0; i < length; i++)
        {
            if (i < 256)
            {
                bytes[i] = (byte)(255 - i);
                continue;
            }
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            bytes[i] = (byte)x;
        }
        return bytes;
    }
}
