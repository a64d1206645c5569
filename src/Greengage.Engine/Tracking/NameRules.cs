namespace Greengage.Engine.Tracking;

/// <summary>
/// Event and state names (spec 6.2, "api-limits"): 1 to <c>MaxNameLength</c> characters, not starting with <c>.</c> or
/// <c>-</c>, not ending with <c>/</c>, none of <c>,</c> <c>|</c> <c>"</c> <c>{</c>, tab or newline, and not numeric.
/// The server's own message event names (<c>.m&lt;id&gt;</c>, <c>.m&lt;id&gt; View</c>) may start with a dot.
/// That an event and a state must not share a name is an app-wide rule and is not checked here.
/// </summary>
public static class NameRules
{
    private static readonly char[] Forbidden = [',', '|', '"', '{', '\t', '\n', '\r'];

    /// <summary>What is wrong with <paramref name="name"/>, or null when it is a valid name.</summary>
    /// <param name="kind">"event" or "state", for the message.</param>
    /// <param name="messageEvent">True for a name the server built from a <c>messageId</c>.</param>
    public static string? Problem(string name, string kind, int maxLength, bool messageEvent = false)
    {
        if (name.Length == 0 || name.Length > maxLength)
            return $"{char.ToUpperInvariant(kind[0])}{kind.AsSpan(1)} names must be 1 to {maxLength} characters long.";
        if (!messageEvent && (name[0] == '.' || name[0] == '-'))
            return $"Invalid {kind} name '{name}': names must not start with '.' or '-'.";
        if (name[^1] == '/')
            return $"Invalid {kind} name '{name}': names must not end with '/'.";
        if (name.IndexOfAny(Forbidden) >= 0)
            return $"Invalid {kind} name '{name}': names must not contain ',', '|', '\"', '{{', tabs or newlines.";
        if (IsNumeric(name))
            return $"Invalid {kind} name '{name}': names must not be numeric.";
        return null;
    }

    /// <summary>True for a name that reads as a finite number (<c>42</c>, <c>3.5</c>, <c>1e3</c>).</summary>
    public static bool IsNumeric(string name) =>
        double.TryParse(name, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
        && double.IsFinite(d);
}
