using System.Text;
using System.Text.Json;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Protocol.Tests;

/// <summary>
/// A batched item's parameters: its own, the envelope's inherited ones it lacks read through the envelope, repeated
/// names, large items (indexed) and values decoded once.
/// </summary>
public sealed class ParameterSetTests
{
    private static readonly ProtocolLimits Limits = new();

    private static ApiRequest Multi(string envelopeQuery, string data) =>
        RequestParser.Parse(
            [.. envelopeQuery.Split('&').Select(p => p.Split('=')).Select(p => new KeyValuePair<string, string>(p[0], p[1])),
                new("action", "multi")],
            [], Encoding.UTF8.GetBytes("{\"data\":" + data + "}"), Limits);

    [Fact]
    public void Item_LackingAnInheritedParameter_ReadsTheEnvelopes()
    {
        var item = Multi("appId=a1&clientKey=outer&client=js", """[{"action":"track","userId":"u"}]""").Items[0].Parameters;

        Assert.Equal("a1", item.String(WireNames.AppId));
        Assert.Equal("outer", item.String(WireNames.ClientKey));
        Assert.Equal("js", item.String(WireNames.Client));
        Assert.True(item.Values.ContainsKey(WireNames.ClientKey));
    }

    [Fact]
    public void Item_OwnOrAbsentInheritedParameter_OwnWinsAbsentInherits()
    {
        var items = Multi("appId=a1&clientKey=outer", """[{"action":"track","clientKey":"inner"},{"action":"track","clientKey":""},{"action":"track","clientKey":null}]""").Items;

        Assert.Equal("inner", items[0].Parameters.String(WireNames.ClientKey));
        Assert.Equal("outer", items[1].Parameters.String(WireNames.ClientKey));
        Assert.Equal("outer", items[2].Parameters.String(WireNames.ClientKey));
        Assert.Equal("outer", items[1].Parameters.Values[WireNames.ClientKey].GetString());
    }

    [Fact]
    public void Item_EnvelopeParameterNotInherited_IsNotRead()
    {
        // userId and deviceId belong to each item; only app, key, client, SDK version, devMode and uuid are inherited.
        var item = Multi("appId=a1&userId=envelope-user&event=outer", """[{"action":"track"}]""").Items[0].Parameters;

        Assert.Null(item.String(WireNames.UserId));
        Assert.Null(item.String("event"));
        Assert.False(item.Values.ContainsKey(WireNames.UserId));
    }

    [Fact]
    public void Item_RepeatedName_TheLaterWins()
    {
        var item = Multi("appId=a1", """[{"action":"track","event":"first","event":"second"}]""").Items[0].Parameters;

        Assert.Equal("second", item.String("event"));
        Assert.Single(item.Values, v => v.Key == "event");
    }

    [Fact]
    public void Item_ManyParameters_EachFoundAndRepeatsReplaced()
    {
        var fields = Enumerable.Range(0, 40).Select(i => $"\"p{i}\":{i}").Append("\"p7\":\"again\"");
        var item = Multi("appId=a1", "[{\"action\":\"track\"," + string.Join(',', fields) + "}]").Items[0].Parameters;

        for (var i = 0; i < 40; i++)
            Assert.Equal(i == 7 ? "again" : i.ToString(System.Globalization.CultureInfo.InvariantCulture), item.String($"p{i}"));
        Assert.Equal("a1", item.String(WireNames.AppId));
        Assert.Equal(42, item.Count);
    }

    [Fact]
    public void Values_ReadTwice_AreDecodedOnce()
    {
        var item = Multi("appId=a1", """[{"action":"track","event":"Open","params":"{\"a\":1}"}]""").Items[0].Parameters;

        Assert.Same(item.String("event"), item.String("event"));
        var first = item.Object("params")!.Value;
        var second = item.Object("params")!.Value;
        Assert.Equal(1, first.GetProperty("a").GetInt32());
        Assert.Equal(1, second.GetProperty("a").GetInt32());
        Assert.Equal(first.GetRawText(), second.GetRawText());
    }

    [Fact]
    public void WrongTypes_StillThrow_AfterACachedRead()
    {
        var p = new ParameterSet(new Dictionary<string, JsonElement>
        {
            ["o"] = JsonDocument.Parse("{\"x\":1}").RootElement,
            ["t"] = JsonDocument.Parse("\"not json\"").RootElement,
        });

        Assert.Throws<InvalidParameterException>(() => p.String("o"));
        Assert.Null(p.StringOrNull("o"));
        Assert.Throws<InvalidParameterException>(() => p.Json("t"));
        Assert.Throws<InvalidParameterException>(() => p.Json("t"));
        Assert.Equal("not json", p.String("t"));
    }

    [Fact]
    public void TryGetRaw_AbsentValues_AreSeenAsSent()
    {
        var p = new ParameterSet(new Dictionary<string, JsonElement> { ["state"] = JsonDocument.Parse("\"\"").RootElement });

        Assert.False(p.TryGet("state", out _));
        Assert.True(p.TryGetRaw("state", out var raw));
        Assert.Equal(JsonValueKind.String, raw.ValueKind);
        Assert.False(p.TryGetRaw("missing", out _));
    }
}
