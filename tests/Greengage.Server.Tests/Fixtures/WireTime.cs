using System.Globalization;

namespace Greengage.Server.Tests.Fixtures;

/// <summary>
/// Client clock texts in the spellings of spec 1.3 (<c>time</c>) and 1.4 (numbers): Android's Java double text
/// (<c>"1.701234567891E9"</c>), iOS's <c>"%f"</c> (<c>"1701234567.891234"</c>) and JS's <c>String(ms / 1000)</c>.
/// </summary>
public static class WireTime
{
    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Java's <c>Double.toString</c> of <paramref name="ms"/>/1000 for a present-day time: <c>"1.770000000123E9"</c>.</summary>
    public static string Java(long ms)
    {
        // Seconds with three decimals, written as d.ddddE9 the way Java writes doubles of 10^7 and more.
        var digits = ms.ToString(CultureInfo.InvariantCulture);
        var exponent = digits.Length - 4;
        var fraction = digits[1..].TrimEnd('0');
        return $"{digits[0]}.{(fraction.Length == 0 ? "0" : fraction)}E{exponent}";
    }

    /// <summary>iOS's <c>[NSString stringWithFormat:@"%f", seconds]</c>: six decimals.</summary>
    public static string PercentF(long ms) => (ms / 1000.0).ToString("F6", CultureInfo.InvariantCulture);

    /// <summary>The JS SDK's <c>String(Date.now() / 1000)</c>.</summary>
    public static string Js(long ms) => (ms / 1000.0).ToString("R", CultureInfo.InvariantCulture);
}
