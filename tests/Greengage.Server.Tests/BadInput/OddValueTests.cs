using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// Odd but acceptable values are stored sanely: absurd client times never store an absurd event time (a time in the
/// future is clamped to arrival, ARCHITECTURE "Clock skew"), and attributes holding lists or objects export.
/// </summary>
public sealed class OddValueTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    [Fact]
    public async Task ExportUser_AttributesHoldingArrayAndObject_ExportsThem()
    {
        var http = RawApi.Client(factory);
        var user = "o" + Guid.NewGuid().ToString("N");
        var set = await RawApi.SendAsync(http, RawApi.Post("/api", RawApi.Form(("appId", factory.AppId), ("clientKey", factory.ProductionKey),
            ("action", "setUserAttributes"), ("userId", user), ("userAttributes", "{\"tags\":[\"a\",\"b\"],\"address\":{\"city\":\"Oslo\"}}"))));
        Assert.True(set.Code == 200, set.ToString());

        var export = await RawApi.AssertUserStoredAsync(http, factory, user);

        Assert.Equal("[\"a\",\"b\"]", export["userAttributes"]!["tags"]!.ToJsonString());
        Assert.Equal("Oslo", (string?)export["userAttributes"]!["address"]!["city"]);
    }

    /// <summary>
    /// Comments are skipped in JSON (some SDK builds send them), but bytes that are not UTF-8 inside one must not get
    /// past the parser into a value whose raw text a handler reads later (that would throw: a 500).
    /// </summary>
    [Fact]
    public async Task InvalidUtf8InsideAJsonComment_IsAnsweredInTheEnvelope_NeverA500()
    {
        var http = RawApi.Client(factory);
        var user = "c" + Guid.NewGuid().ToString("N");
        byte[] Utf8WithBadComment(string before, string after) =>
            [.. System.Text.Encoding.UTF8.GetBytes(before + "/*"), 0xFF, 0xFE, .. System.Text.Encoding.UTF8.GetBytes("*/" + after)];

        // A whole body with the comment inside an item, and JSON parameters (params, userAttributes) holding one.
        var query = RawApi.Query(("appId", factory.AppId), ("clientKey", factory.ProductionKey), ("action", "multi"));
        var body = Utf8WithBadComment($"{{\"data\":[{{\"action\":\"track\",\"userId\":\"{user}\",\"event\":\"E\",\"params\":{{\"a\":1 ", "}}]}");
        var replies = new List<RawReply>
        {
            await RawApi.SendAsync(http, RawApi.Post("/api?" + query, RawApi.Bytes(body, "text/plain"))),
        };
        foreach (var (action, name) in new[] { ("track", "params"), ("setUserAttributes", "userAttributes") })
        {
            var value = Utf8WithBadComment("{\"a\":1 ", "}");
            var form = "appId=" + factory.AppId + "&clientKey=" + Uri.EscapeDataString(factory.ProductionKey) + "&action=" + action
                + "&userId=" + user + "&event=E&" + name + "=" + string.Concat(value.Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            replies.Add(await RawApi.SendAsync(http, RawApi.Post("/api", RawApi.Text(form, "application/x-www-form-urlencoded"))));
        }

        foreach (var reply in replies)
        {
            Assert.True(reply.Code < 500, reply.ToString());
            RawApi.AssertEnvelope(reply);
        }
        // Whatever was accepted exports (reading every stored value's text).
        if (replies.Any(r => r.Code == 200 && r.Text.Contains("\"success\":true", StringComparison.Ordinal)))
            await RawApi.AssertUserStoredAsync(http, factory, user);
    }

    [Theory]
    [InlineData(true, "1e300")]
    [InlineData(true, "1.7976931348623157E308")]
    public async Task Track_ItemTimeFarInFutureWithEnvelopeTime_IsClampedToArrival(bool withEnvelopeTime, string itemTime) =>
        await AssertClampedAsync(withEnvelopeTime, itemTime);

    [Theory]
    [InlineData(false, "1e300")]
    [InlineData(false, "1.7976931348623157E308")]
    [InlineData(true, "1e15")]
    [InlineData(false, "1e15")]
    public async Task Track_ItemTimeInFuture_IsClampedToArrival(bool withEnvelopeTime, string itemTime) =>
        await AssertClampedAsync(withEnvelopeTime, itemTime);

    private async Task AssertClampedAsync(bool withEnvelopeTime, string itemTime)
    {
        var http = RawApi.Client(factory);
        var user = "t" + Guid.NewGuid().ToString("N");
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var query = RawApi.Query(("appId", factory.AppId), ("clientKey", factory.ProductionKey), ("action", "multi"));
        if (withEnvelopeTime)
            query += "&time=" + ApiClient.Now();
        var body = new JsonObject
        {
            ["data"] = new JsonArray(new JsonObject { ["action"] = "track", ["userId"] = user, ["event"] = "E", ["time"] = itemTime }),
        };

        var reply = await RawApi.SendAsync(http, RawApi.Post("/api?" + query, RawApi.Text(body.ToJsonString(), "text/plain")));
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        RawApi.AssertEnvelope(reply);
        Assert.True((bool)reply.Element(0)["success"]!, reply.ToString());
        var export = await RawApi.AssertUserStoredAsync(http, factory, user);
        var firstTime = (double)export["events"]!["E"]!["firstTime"]!;
        Assert.InRange(firstTime, before - 1, after + 1);
    }
}
