using System.Text.Json;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// Resolves the attribute operations of one <c>setUserAttributes</c> against the current attributes into the values to
/// record (spec 4.2, 6.3), so that the record holds results and its fold needs nothing else. Order: <c>userAttributes</c>
/// first, then values to add, values to remove, increments; each sees the result of the ones before.
/// <list type="bullet">
/// <item>Lists are sets of strings: adding to a missing attribute creates the list; removing from a missing one does
/// nothing; removing every value leaves an empty list.</item>
/// <item>Increments are integers: a missing attribute counts as 0.</item>
/// <item>An operation that does not fit the attribute (adding to a number, incrementing text, a non-integer amount,
/// an overflow) is skipped, and a warning naming it is returned: the rest of the request applies.</item>
/// </list>
/// </summary>
internal static class AttributeOperations
{
    public static Dictionary<string, JsonElement> Resolve(
        IReadOnlyDictionary<string, JsonElement> current,
        Dictionary<string, JsonElement>? set,
        Dictionary<string, List<string>>? add,
        Dictionary<string, List<string>>? remove,
        Dictionary<string, JsonElement>? increment,
        List<string> warnings)
    {
        var changes = new Dictionary<string, JsonElement>(set ?? [], StringComparer.Ordinal);

        JsonElement? Now(string name) =>
            changes.TryGetValue(name, out var changed) ? (changed.ValueKind == JsonValueKind.Null ? null : changed)
            : current.TryGetValue(name, out var value) ? value
            : null;

        foreach (var (name, values) in add ?? [])
        {
            if (ListOf(Now(name), name, "add", warnings) is not { } list)
                continue;
            var added = false;
            foreach (var value in values.Where(v => !list.Contains(v)))
            {
                list.Add(value);
                added = true;
            }
            if (added)
                changes[name] = AttributeParameters.ListElement(list);
        }

        foreach (var (name, values) in remove ?? [])
        {
            if (Now(name) is null || ListOf(Now(name), name, "remove", warnings) is not { } list)
                continue;
            if (list.RemoveAll(values.Contains) > 0)
                changes[name] = AttributeParameters.ListElement(list);
        }

        foreach (var (name, amount) in increment ?? [])
        {
            if (IntegerOf(amount) is not { } by)
            {
                warnings.Add($"Increment of '{name}' skipped: the increment is not an integer.");
                continue;
            }
            long from = 0;
            if (Now(name) is { } value)
            {
                if (IntegerOf(value, textAllowed: false) is not { } integer)
                {
                    warnings.Add($"Increment of '{name}' skipped: its value is not an integer.");
                    continue;
                }
                from = integer;
            }
            long sum;
            try
            {
                sum = checked(from + by);
            }
            catch (OverflowException)
            {
                warnings.Add($"Increment of '{name}' skipped: the result does not fit in 64 bits.");
                continue;
            }
            changes[name] = JsonSerializer.SerializeToElement(sum);
        }
        return changes;
    }

    /// <summary>The attribute's values as a mutable list, or null (with a warning) when it holds a single value.</summary>
    private static List<string>? ListOf(JsonElement? value, string name, string operation, List<string> warnings)
    {
        if (value is null)
            return [];
        if (value.Value.ValueKind == JsonValueKind.Array)
            return value.Value.EnumerateArray().Select(AttributeParameters.ItemText).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        warnings.Add($"Values to {operation} for '{name}' skipped: the attribute is not a list.");
        return null;
    }

    /// <summary>
    /// The value as an integer: a JSON number with no fraction (<c>3</c>, <c>3.0</c>), or, for an amount sent by a client,
    /// its text (<c>"3"</c>, as SDKs write numbers). A stored text value is text, not a number.
    /// </summary>
    private static long? IntegerOf(JsonElement value, bool textAllowed = true)
    {
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (value.TryGetInt64(out var l))
                return l;
            return value.TryGetDouble(out var d) && IsIntegral(d) ? (long)d : null;
        }
        if (textAllowed && value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            return parsed;
        return null;
    }

    private static bool IsIntegral(double d) => double.IsFinite(d) && d == Math.Floor(d) && d >= long.MinValue && d < long.MaxValue;
}
