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
