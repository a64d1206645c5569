using System.Text;
using Greengage.Protocol.Requests;

namespace Greengage.Protocol.Tests;

/// <summary>Spec section 1.6: the four shapes of <c>multi</c>, and the merge of query, form and JSON body.</summary>
public sealed class RequestParserTests
{
    private static readonly ProtocolLimits Limits = new();

    private static KeyValuePair<string, string> P(string k, string v) => new(k, v);

    [Fact]
    public void Parse_ShapeA_FormFieldHoldingWrappedObject_ReadsItems()
    {
        var request = RequestParser.Parse([],
            [P("appId", "app_1"), P("clientKey", "k"), P("action", "multi"), P("data", "{\"data\":[{\"action\":\"start\"},{\"action\":\"track\"}]}")],
            default, Limits);
        Assert.True(request.IsMulti);
        Assert.Equal(["start", "track"], request.Items.Select(i => i.Action));
        Assert.Equal("app_1", request.Items[1].Parameters.String("appId"));
    }

    [Fact]
    public void Parse_ShapeB_TextBodyWithQueryAuth_ReadsItems()
    {
        var request = RequestParser.Parse([P("appId", "app_1"), P("action", "multi")], [],
            Encoding.UTF8.GetBytes("{\"data\":[{\"action\":\"start\",\"reqId\":\"r1\"}]}"), Limits);
        Assert.Single(request.Items);
        Assert.Equal("r1", request.Items[0].ReqId);
    }

    [Fact]
    public void Parse_ShapeC_JsonBodyWithActionInside_ReadsItems()
    {
        var request = RequestParser.Parse([], [],
            Encoding.UTF8.GetBytes("{\"action\":\"multi\",\"appId\":\"a\",\"clientKey\":\"k\",\"data\":[{\"action\":\"stop\"}]}"), Limits);
        Assert.True(request.IsMulti);
        Assert.Equal("stop", request.Items[0].Action);
        Assert.Equal("k", request.Items[0].Parameters.String("clientKey"));
    }

    [Fact]
    public void Parse_ShapeD_FieldHoldingBareArray_ReadsItems()
    {
        var request = RequestParser.Parse([P("action", "multi"), P("data", "[{\"action\":\"a\"},{\"action\":\"b\"},{\"action\":\"c\"}]")], [], default, Limits);
        Assert.Equal(3, request.Items.Count);
    }

    [Fact]
    public void Parse_ItemOwnAuth_WinsOverEnvelope()
    {
        var request = RequestParser.Parse([P("action", "multi"), P("clientKey", "outer")], [],
            Encoding.UTF8.GetBytes("{\"data\":[{\"action\":\"x\",\"clientKey\":\"inner\"},{\"action\":\"y\"}]}"), Limits);
        Assert.Equal("inner", request.Items[0].Parameters.String("clientKey"));
        Assert.Equal("outer", request.Items[1].Parameters.String("clientKey"));
    }

    [Fact]
    public void Parse_NonObjectElement_BecomesAnItemWithAnError()
    {
        var request = RequestParser.Parse([P("action", "multi"), P("data", "[{\"action\":\"a\"},5,{\"action\":\"b\"}]")], [], default, Limits);
        Assert.Equal(3, request.Items.Count);
        Assert.NotNull(request.Items[1].ParseError);
        Assert.Null(request.Items[2].ParseError);
    }

    [Fact]
    public void Parse_SingleAction_IsOneItemOfTheEnvelope()
    {
        var request = RequestParser.Parse([P("action", "track"), P("event", "e")], [], default, Limits);
        Assert.False(request.IsMulti);
        Assert.Equal("e", request.Items[0].Parameters.String("event"));
    }

    [Fact]
    public void Parse_BodyWinsOverQuery()
    {
        var request = RequestParser.Parse([P("action", "track"), P("event", "fromQuery")], [], Encoding.UTF8.GetBytes("{\"event\":\"fromBody\"}"), Limits);
        Assert.Equal("fromBody", request.Items[0].Parameters.String("event"));
    }

    [Fact]
    public void Parse_TooManyItems_Is403()
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.Parse([P("action", "multi"), P("data", "[{},{},{}]")], [], default,
            new ProtocolLimits { MaxItemsPerRequest = 2 }));
        Assert.Equal(403, e.Status);
    }

    [Theory]
    [InlineData("{\"data\":5}")]
    [InlineData("{\"data\":{}}")]
    [InlineData("{\"data\":[]}")]
    [InlineData("{\"nodata\":[]}")]
    public void Parse_DataNotABatch_Is400(string body)
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.Parse([P("action", "multi")], [], Encoding.UTF8.GetBytes(body), Limits));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public void Parse_MalformedJson_Is400()
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.Parse([], [], "{\"action\":"u8, Limits));
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public void ParseFormUrlEncoded_DecodesPlusAndPercent()
    {
        var pairs = RequestParser.ParseFormUrlEncoded("a=1+2&b=%7B%22x%22%3A1%7D&c"u8);
        Assert.Equal(["1 2", "{\"x\":1}", ""], pairs.Select(p => p.Value));
    }
}
