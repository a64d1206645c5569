using System.Text;
using System.Text.Json;
using Greengage.Protocol.Requests;

namespace Greengage.Protocol.Tests;

/// <summary>
/// <see cref="RequestParser.ParseForm"/> decodes a form body from its bytes: the same request as the decoded pairs
/// give <see cref="RequestParser.Parse"/>, the same refusals, and escapes decoded as Uri.UnescapeDataString does.
/// </summary>
public sealed class FormParserTests
{
    private static readonly ProtocolLimits Limits = new();

    private static byte[] Form(params (string Name, string Value)[] fields) =>
        Encoding.UTF8.GetBytes(string.Join('&', fields.Select(f => Uri.EscapeDataString(f.Name) + "=" + Uri.EscapeDataString(f.Value))));

    private static byte[] Cat(string head, byte[] middle, string tail) =>
        [.. Encoding.UTF8.GetBytes(head), .. middle, .. Encoding.UTF8.GetBytes(tail)];

    [Theory]
    [InlineData("{\"data\":[{\"action\":\"start\",\"userAttributes\":{\"a\":[1,2]}},{\"action\":\"track\",\"event\":\"é 😀\",\"params\":\"{\\\"x\\\":1}\"}]}")]
    [InlineData("[{\"action\":\"a\"},5,{\"action\":\"b\",\"clientKey\":\"\"}]")]
    public void ParseForm_Batch_IsTheRequestTheDecodedPairsGive(string data)
    {
        var body = Form(("appId", "app_1"), ("clientKey", "k"), ("action", "multi"), ("data", data), ("time", "1.5"));
        var fromBytes = RequestParser.ParseForm([], body, Limits);
        var fromPairs = RequestParser.Parse([], RequestParser.ParseFormUrlEncoded(body), default, Limits);
        Assert.True(fromBytes.IsMulti);
        Assert.Equal(Describe(fromPairs), Describe(fromBytes));
    }

    [Fact]
    public void ParseForm_ValuesOutliveTheBody()
    {
        var body = Form(("action", "multi"), ("appId", "app_1"), ("data", "[{\"action\":\"track\",\"event\":\"kept\"}]"));
        var request = RequestParser.ParseForm([], body, Limits);
        body.AsSpan().Fill((byte)'x');
        Assert.Equal("kept", request.Items[0].Parameters.String("event"));
        Assert.Equal("app_1", request.Items[0].Parameters.String("appId"));
    }

    [Fact]
    public void ParseForm_DataOfAnotherAction_IsText()
    {
        var request = RequestParser.ParseForm([], Form(("action", "uploadFile"), ("data", "[{\"filename\":\"a.png\"}]")), Limits);
        Assert.False(request.IsMulti);
        Assert.Equal("[{\"filename\":\"a.png\"}]", request.Envelope.String("data"));
        Assert.Equal(1, request.Envelope.Array("data")!.Value.GetArrayLength());
    }

    [Fact]
    public void ParseForm_FormDataWinsOverQueryData()
    {
        var request = RequestParser.ParseForm([new("action", "multi"), new("data", "[{\"action\":\"fromQuery\"}]")],
            Form(("data", "[{\"action\":\"fromForm\"}]")), Limits);
        Assert.Equal("fromForm", request.Items[0].Action);
    }

    [Fact]
    public void ParseForm_EmptyDataField_IsMissing()
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.ParseForm([new("data", "[{\"action\":\"q\"}]")],
            "action=multi&data="u8.ToArray(), Limits));
        Assert.Equal(400, e.Status);
        Assert.Contains("must be provided", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseForm_DataFieldHoldingAJsonString_IsNotParsedTwice()
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.ParseForm([], Form(("action", "multi"), ("data", "\"[{}]\"")), Limits));
        Assert.Contains("must be a JSON array", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseForm_EscapesThatAreNotUtf8InsideData_StayAsWritten()
    {
        // %FF and an encoded surrogate (%ED%A0%80) are not UTF-8: kept as the text "%FF", as Uri.UnescapeDataString keeps them.
        var body = "action=multi&data=%5B%7B%22action%22%3A%22track%22%2C%22event%22%3A%22a%FFb%ED%A0%80%C3%A9%22%7D%5D"u8.ToArray();
        var request = RequestParser.ParseForm([], body, Limits);
        Assert.Equal("a%FFb%ED%A0%80é", request.Items[0].Parameters.String("event"));
    }

    [Fact]
    public void ParseForm_RawInvalidUtf8InsideData_Is400()
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.ParseForm([], Cat("action=multi&data=[{\"event\":\"a", [0xC3, 0x28], "\"}]"), Limits));
        Assert.Equal(400, e.Status);
        Assert.Equal("The form body is not valid UTF-8 text.", e.Message);
    }

    [Theory]
    [InlineData("[{\"action\":\"track\",\"event\":\"\\ud800\"}]")]
    [InlineData("[{\"action\":\"track\",\"\\udfff\":1}]")]
    public void ParseForm_LoneSurrogateEscapeInsideData_Is400(string data)
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.ParseForm([], Form(("action", "multi"), ("data", data)), Limits));
        Assert.Equal(400, e.Status);
        Assert.StartsWith("'data' is not valid JSON", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseForm_SurrogatePairEscapeInsideData_IsRead()
    {
        var request = RequestParser.ParseForm([], Form(("action", "multi"), ("data", "[{\"action\":\"track\",\"event\":\"\\ud83d\\ude00\"}]")), Limits);
        Assert.Equal("😀", request.Items[0].Parameters.String("event"));
    }

    [Theory]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x7F })]
    [InlineData(new byte[] { 0xC2, 0x85 })]
    public void ParseForm_ControlCharacters_Are400(byte[] control)
    {
        var e = Assert.Throws<EnvelopeException>(() => RequestParser.ParseForm([], Cat("action=track&event=a", control, "b"), Limits));
        Assert.Equal(400, e.Status);
        Assert.Contains("control characters", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseForm_TabsAndNonControlCharacters_AreText()
    {
        var request = RequestParser.ParseForm([], Cat("action=track&event=a\t", [0xC2, 0xA0, 0xC3, 0xA9], "b"), Limits);
        Assert.Equal("a\t\u00A0éb", request.Items[0].Parameters.String("event"));
    }

    [Theory]
    [InlineData("a=%zz", "%zz")]
    [InlineData("a=%", "%")]
    [InlineData("a=50%4", "50%4")]
    [InlineData("a=%C3", "%C3")]
    [InlineData("a=%C3%A9%C3", "é%C3")]
    [InlineData("a=%2B+%2b", "+ +")]
    [InlineData("a=x=y", "x=y")]
    [InlineData("a=%f0%9f%98%80", "😀")]
    public void ParseFormUrlEncoded_DecodesAsUnescapeDataString(string body, string expected)
    {
        var pairs = RequestParser.ParseFormUrlEncoded(Encoding.UTF8.GetBytes(body));
        Assert.Equal(expected, Assert.Single(pairs).Value);
    }

    [Fact]
    public void ParseFormUrlEncoded_EmptyPartsAndEscapedNames_AreRead()
    {
        var pairs = RequestParser.ParseFormUrlEncoded("&&a%20b=1&&c&%C3%A9="u8);
        Assert.Equal(["a b", "c", "é"], pairs.Select(p => p.Key));
        Assert.Equal(["1", "", ""], pairs.Select(p => p.Value));
    }

    private static string Describe(ApiRequest request) =>
        string.Join('\n', request.Items.Select(i => $"{i.Index} {i.ParseError} " + string.Join(';',
            i.Parameters.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key + "=" + v.Value.ValueKind + ":" +
                (v.Value.ValueKind == JsonValueKind.String ? v.Value.GetString() : v.Value.GetRawText())))));
}
