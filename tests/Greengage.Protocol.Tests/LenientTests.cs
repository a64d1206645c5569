using System.Text.Json;
using Greengage.Protocol.Values;

namespace Greengage.Protocol.Tests;

/// <summary>Spec section 1.4: the spellings SDKs use for booleans, numbers and JSON-valued parameters.</summary>
public sealed class LenientTests
{
    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement;

    [Theory]
    [InlineData("true", true)]
    [InlineData("\"true\"", true)]
    [InlineData("\"True\"", true)]
    [InlineData("1", true)]
    [InlineData("\"1\"", true)]
    [InlineData("false", false)]
    [InlineData("\"False\"", false)]
    [InlineData("0", false)]
    public void ToBool_SdkSpellings_Read(string json, bool expected) => Assert.Equal(expected, Lenient.ToBool(J(json)));

    [Theory]
    [InlineData("\"maybe\"")]
    [InlineData("{}")]
    [InlineData("[]")]
    public void ToBool_OtherValues_AreNotBooleans(string json) => Assert.Null(Lenient.ToBool(J(json)));

    [Theory]
    [InlineData("\"1.7012345E9\"", 1701234500.0)]
    [InlineData("\"1701234567.891000\"", 1701234567.891)]
    [InlineData("\"0.000000\"", 0.0)]
    [InlineData("\"0.0\"", 0.0)]
    [InlineData("1796106374.328", 1796106374.328)]
    public void ToDouble_SdkSpellings_Read(string json, double expected) =>
        Assert.Equal(expected, Lenient.ToDouble(J(json))!.Value, 6);

    [Theory]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("\"abc\"")]
    [InlineData("true")]
    public void ToDouble_NonNumbers_AreRefused(string json) => Assert.Null(Lenient.ToDouble(J(json)));

    [Fact]
    public void Object_JsonText_IsDecoded()
    {
        var p = new ParameterSet(new() { ["userAttributes"] = J("\"{\\\"a\\\":1}\"") });
        Assert.Equal(1, p.Object("userAttributes")!.Value.GetProperty("a").GetInt32());
    }

    [Fact]
    public void Object_NestedJson_IsTakenAsIs()
    {
        var p = new ParameterSet(new() { ["userAttributes"] = J("{\"a\":1}") });
        Assert.Equal(1, p.Object("userAttributes")!.Value.GetProperty("a").GetInt32());
    }

    [Fact]
    public void EmptyString_CountsAsAbsent()
    {
        var p = new ParameterSet(new() { ["newUserId"] = J("\"\""), ["userAttributes"] = J("\"\"") });
        Assert.Null(p.String("newUserId"));
        Assert.Null(p.Object("userAttributes"));
        Assert.False(p.Has("newUserId"));
    }

    [Fact]
    public void Double_WrongType_ThrowsAClearMessage()
    {
        var p = new ParameterSet(new() { ["value"] = J("\"abc\"") });
        var e = Assert.Throws<InvalidParameterException>(() => p.Double("value"));
        Assert.Contains("'value'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_TextThatIsNotJson_Throws()
    {
        var p = new ParameterSet(new() { ["params"] = J("\"{not json\"") });
        Assert.Throws<InvalidParameterException>(() => p.Object("params"));
    }

    [Fact]
    public void Long_Fraction_IsRefused()
    {
        var p = new ParameterSet(new() { ["timezoneOffsetSeconds"] = J("1.5") });
        Assert.Throws<InvalidParameterException>(() => p.Long("timezoneOffsetSeconds"));
    }

    [Theory]
    [InlineData("\"[1,2]\"", "[1,2]")]
    [InlineData("\"{\\\"a\\\":\\\"\\\\u00e9\\\"}\"", "{\"a\":\"\\u00e9\"}")]
    [InlineData("\"{\\u0022a\\u0022:1}\"", "{\"a\":1}")]
    public void TryToJson_JsonTextInAString_IsParsed(string json, string expected)
    {
        Assert.True(Lenient.TryToJson(J(json), out var parsed));
        Assert.Equal(expected, parsed.GetRawText());
    }

    [Theory]
    [InlineData("\"[\\\"\\\\ud800\\\"]\"")]
    [InlineData("\"[1,\"")]
    [InlineData("\"[1] [2]\"")]
    public void TryToJson_TextThatIsNotOneReadableValue_IsRefused(string json) =>
        Assert.False(Lenient.TryToJson(J(json), out _));

    [Fact]
    public void TryToJson_DeeperThanTheLimit_IsRefused()
    {
        Assert.True(Lenient.TryToJson(J("\"[[1]]\""), out _, maxDepth: 2));
        Assert.False(Lenient.TryToJson(J("\"[[[1]]]\""), out _, maxDepth: 2));
    }
}
