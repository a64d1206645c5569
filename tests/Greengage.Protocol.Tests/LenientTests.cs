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
}
