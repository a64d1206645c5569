using System.Globalization;
using System.Text.Json;
using System.Xml;

namespace Greengage.Engine.Targeting;

/// <summary>How rule values are read: dates absolute or relative, versions, event parameter keys.</summary>
public static class RuleValues
{
    /// <summary>An ISO-8601 date or date-time (a date alone is midnight UTC), as Unix ms.</summary>
    public static bool TryAbsoluteDate(string text, out double ms)
    {
        ms = 0;
        if (text.Length < 10 || !char.IsAsciiDigit(text[0]))
            return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            return false;
        ms = at.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>
    /// A date value of a rule, resolved against the evaluation time: an ISO-8601 date or date-time, or an ISO-8601
    /// duration relative to now (<c>-P7D</c>: seven days ago; <c>P1D</c>: a day from now; <c>PT0S</c>: now).
    /// </summary>
    internal static Func<long, double> Date(JsonElement value, string where)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (TryAbsoluteDate(text, out var at))
                return _ => at;
            if (text.StartsWith('P') || text.StartsWith("-P", StringComparison.Ordinal))
            {
                try
                {
                    var offset = XmlConvert.ToTimeSpan(text).TotalMilliseconds;
                    return now => now + offset;
                }
                catch (FormatException)
                {
                    // Falls through to the error below.
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Number)
        {
            var n = value.GetDouble();
            var ms = Math.Abs(n) < 1e11 ? n * 1000 : n;
            return _ => ms;
        }
        throw new RuleException($"{where}: {value.GetRawText()} is not a date (ISO-8601 like \"2026-03-01\" or \"2026-03-01T12:00:00Z\", a duration relative to now like \"-P7D\", or Unix seconds).");
    }

    /// <summary>A number value of a rule (a JSON number, or text that reads as one).</summary>
    internal static double Number(JsonElement value, string where)
    {
        if (Field.Of(value).TryNumber(out var n))
            return n;
        throw new RuleException($"{where}: {value.GetRawText()} is not a number.");
    }

    /// <summary>Compares versions by their dot-separated parts, numerically where both parts are numbers (1.10 &gt; 1.9; 2 = 2.0).</summary>
    public static int CompareVersions(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            var p = i < x.Length ? x[i].Trim() : "0";
            var q = i < y.Length ? y[i].Trim() : "0";
            int c;
            if (long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var m) && long.TryParse(q, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                c = m.CompareTo(n);
            else
                c = string.Compare(p, q, StringComparison.OrdinalIgnoreCase);
            if (c != 0)
                return c;
        }
        return 0;
    }

    /// <summary>The text an event parameter value is counted under: strings as they are, numbers in shortest invariant form.</summary>
    public static string ParameterText(JsonElement value) => Field.Of(value).AsText();

    /// <summary>The key of one (event, parameter, value) tuple in <see cref="Users.Components.ParamCountsComponent"/>.</summary>
    public static string ParameterKey(string eventName, string parameter, string valueText) =>
        string.Concat(eventName, "\u001f", parameter, "\u001f", valueText);
}
