using System.Text;
using System.Text.Json;
using Greengage.Protocol.Values;

namespace Greengage.Protocol.Tests;

/// <summary>
/// <see cref="JsonText"/> refuses what a later read could not turn into text, whichever way it checks: the one-pass
/// parse for clean text, the string-by-string check when the text has invalid bytes or may hold a surrogate escape.
/// </summary>
public sealed class JsonTextTests
{
    private static JsonElement Parse(string json) => JsonText.Parse(Encoding.UTF8.GetBytes(json), JsonText.DefaultMaxDepth);

    private static byte[] Cat(string head, byte[] middle, string tail) =>
        [.. Encoding.UTF8.GetBytes(head), .. middle, .. Encoding.UTF8.GetBytes(tail)];

    [Theory]
    [InlineData("{\"a\":\"\\ud800\"}")]
    [InlineData("{\"a\":\"x\\uDC00y\"}")]
    [InlineData("{\"\\ud83d\":1}")]
    [InlineData("[\"\\ude00\\ud83d\"]")]
    [InlineData("\"\\udbff\"")]
    public void Parse_LoneSurrogateEscape_Throws(string json) => Assert.ThrowsAny<JsonException>(() => Parse(json));

    [Theory]
    [InlineData("{\"a\":\"\\ud83d\\ude00\"}", "\U0001F600")]
    [InlineData("{\"a\":\"\\\\ud800\"}", "\\ud800")]
    [InlineData("{\"a\":\"\\u0041\\u00e9\"}", "Aé")]
    [InlineData("{\"a\":\"😀 é\"}", "😀 é")]
    public void Parse_ReadableStrings_AreKept(string json, string expected) =>
        Assert.Equal(expected, Parse(json).GetProperty("a").GetString());

    [Fact]
    public void Parse_EscapedBackslashBeforeSurrogateLookalike_IsText()
    {
        // "\\ud800" is a backslash and the letters ud800, not an escape: the slower check must still accept it.
        var element = Parse("[\"\\\\ud800\", \"\\\\uDFFF\"]");
        Assert.Equal(["\\ud800", "\\uDFFF"], element.EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData(new byte[] { 0xC3, 0x28 })]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0xAF })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })]
    public void Parse_InvalidUtf8InStringOrName_Throws(byte[] bad)
    {
        Assert.ThrowsAny<JsonException>(() => JsonText.Parse(Cat("{\"a\":\"x", bad, "\"}"), 64));
        Assert.ThrowsAny<JsonException>(() => JsonText.Parse(Cat("{\"", bad, "\":1}"), 64));
    }

    [Theory]
    [InlineData("{\"a\":1} x")]
    [InlineData("{\"a\":1} {}")]
    [InlineData("")]
    [InlineData("{\"a\":")]
    public void Parse_NotExactlyOneValue_Throws(string json) => Assert.ThrowsAny<JsonException>(() => Parse(json));

    [Fact]
    public void Parse_CommentsAndTrailingCommas_AreTolerated() =>
        Assert.Equal(2, Parse("/* c */ {\"a\":[1,2,],} // end").GetProperty("a").GetArrayLength());

    [Fact]
    public void Parse_DeeperThanTheLimit_Throws()
    {
        Assert.Equal(JsonValueKind.Array, JsonText.Parse("[[[1]]]"u8, 3).ValueKind);
        Assert.ThrowsAny<JsonException>(() => JsonText.Parse("[[[[1]]]]"u8, 3));
    }

    [Fact]
    public void Parse_ValueOutlivesTheBuffer()
    {
        var buffer = Encoding.UTF8.GetBytes("{\"a\":\"kept\"}");
        var element = JsonText.Parse(buffer, 64);
        buffer.AsSpan().Fill((byte)' ');
        Assert.Equal("kept", element.GetProperty("a").GetString());
    }
}
