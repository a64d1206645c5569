using System.Text.Json;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// Reads user-attribute parameters and checks names against the limits. Values are kept typed (spec 6.3): numbers,
/// booleans and text (ISO-8601 dates are text) as sent; a list becomes a set of strings (numbers and booleans as
/// written, duplicates and nulls dropped); an object, which no attribute type names, is kept as sent and exported as is.
/// </summary>
internal static class AttributeParameters
{
    /// <summary>Reads an object of attribute values (<c>userAttributes</c>); a JSON null value clears that attribute.</summary>
    public static Dictionary<string, JsonElement>? Read(ParameterSet p, string name, ProtocolLimits limits)
    {
        if (p.Object(name) is not { } obj)
            return null;
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var attr in obj.EnumerateObject())
        {
            CheckName(attr.Name, limits);
            values[attr.Name] = Normalize(attr.Value);
        }
        return values.Count == 0 ? null : values;
    }

    /// <summary>
    /// Reads an object of name to value(s) for list operations (<c>userAttributeValuesToAdd</c> / <c>ToRemove</c>): a
    /// single value or an array of values, each as text.
    /// </summary>
    public static Dictionary<string, List<string>>? ReadLists(ParameterSet p, string name, ProtocolLimits limits)
    {
        if (p.Object(name) is not { } obj)
            return null;
        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var attr in obj.EnumerateObject())
        {
            CheckName(attr.Name, limits);
            var items = attr.Value.ValueKind == JsonValueKind.Array ? attr.Value.EnumerateArray().ToList() : [attr.Value];
            var list = new List<string>();
            foreach (var item in items)
            {
                if (ItemText(item) is { } text && !list.Contains(text))
                    list.Add(text);
            }
            if (list.Count > 0)
                values[attr.Name] = list;
        }
        return values.Count == 0 ? null : values;
    }

    /// <summary>
    /// Reads <c>userAttributeValuesToIncrement</c> as sent: whether each amount is an integer is decided when it is
    /// applied (a non-integer is skipped with a warning, not refused).
    /// </summary>
    public static Dictionary<string, JsonElement>? ReadRaw(ParameterSet p, string name, ProtocolLimits limits)
    {
        if (p.Object(name) is not { } obj)
            return null;
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var attr in obj.EnumerateObject())
        {
            CheckName(attr.Name, limits);
            values[attr.Name] = attr.Value.Clone();
        }
        return values.Count == 0 ? null : values;
    }

    /// <summary>A value as an attribute holds it (see the class summary).</summary>
    public static JsonElement Normalize(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => ListElement(value.EnumerateArray().Select(ItemText).OfType<string>().Distinct(StringComparer.Ordinal)),
        _ => value.Clone(),
    };

    /// <summary>A JSON array of the given strings.</summary>
    public static JsonElement ListElement(IEnumerable<string> items) => JsonSerializer.SerializeToElement(items.ToArray());

    /// <summary>One list item as text: scalars as written, nested JSON as its text, null as nothing.</summary>
    public static string? ItemText(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        JsonValueKind.Object or JsonValueKind.Array => item.GetRawText(),
        _ => Lenient.ToText(item),
    };

    private static void CheckName(string name, ProtocolLimits limits)
    {
        if (name.Length == 0 || name.Length > limits.MaxNameLength)
            throw new InvalidParameterException($"Attribute names must be 1 to {limits.MaxNameLength} characters long.");
    }
}
