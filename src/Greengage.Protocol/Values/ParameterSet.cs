using System.Text.Json;

namespace Greengage.Protocol.Values;

/// <summary>
/// The parameters of one request or one batched item, by exact name, with lenient typed readers. A parameter that
/// is present but of the wrong type makes the reader throw <see cref="InvalidParameterException"/>, which the
/// envelope turns into a per-item error.
/// </summary>
public sealed class ParameterSet
{
    private readonly Dictionary<string, JsonElement> _values;

    public ParameterSet(Dictionary<string, JsonElement> values) => _values = values;

    public static ParameterSet Empty { get; } = new([]);

    /// <summary>The raw values, for serialisation.</summary>
    public IReadOnlyDictionary<string, JsonElement> Values => _values;

    public int Count => _values.Count;

    /// <summary>The deepest nesting accepted in a parameter that holds JSON text (the configured request limit).</summary>
    public int MaxJsonDepth { get; init; } = JsonText.DefaultMaxDepth;

    /// <summary>The raw value, or false when the parameter is absent (missing, null or empty string).</summary>
    public bool TryGet(string name, out JsonElement value) =>
        _values.TryGetValue(name, out value) && !Lenient.IsAbsent(value);

    public bool Has(string name) => TryGet(name, out _);

    public string? String(string name)
    {
        if (!TryGet(name, out var v))
            return null;
        return Lenient.ToText(v) ?? throw Invalid(name, "text");
    }

    /// <summary>The text value, or null when it is absent or not text (never throws: for echoing and routing).</summary>
    public string? StringOrNull(string name) =>
        TryGet(name, out var v) ? Lenient.ToText(v) : null;

    public string RequiredString(string name) =>
        String(name) ?? throw new InvalidParameterException($"'{name}' must be provided");

    public bool? Bool(string name)
    {
        if (!TryGet(name, out var v))
            return null;
        return Lenient.ToBool(v) ?? throw Invalid(name, "a boolean");
    }

    public bool Flag(string name, bool whenAbsent = false) => Bool(name) ?? whenAbsent;

    public double? Double(string name)
    {
        if (!TryGet(name, out var v))
            return null;
        return Lenient.ToDouble(v) ?? throw Invalid(name, "a number");
    }

    public long? Long(string name)
    {
        var d = Double(name);
        if (d is null)
            return null;
        if (d.Value != Math.Floor(d.Value) || d.Value > long.MaxValue || d.Value < long.MinValue)
            throw Invalid(name, "an integer");
        return (long)d.Value;
    }

    /// <summary>Reads a JSON-valued parameter (nested JSON or JSON text).</summary>
    public JsonElement? Json(string name)
    {
        if (!TryGet(name, out var v))
            return null;
        if (!Lenient.TryToJson(v, out var json, MaxJsonDepth))
            throw new InvalidParameterException($"'{name}' must be JSON");
        return Lenient.IsAbsent(json) ? null : json;
    }

    /// <summary>Reads a JSON object parameter.</summary>
    public JsonElement? Object(string name)
    {
        var json = Json(name);
        if (json is { ValueKind: not JsonValueKind.Object })
            throw Invalid(name, "a JSON object");
        return json;
    }

    /// <summary>Reads a JSON array parameter.</summary>
    public JsonElement? Array(string name)
    {
        var json = Json(name);
        if (json is { ValueKind: not JsonValueKind.Array })
            throw Invalid(name, "a JSON array");
        return json;
    }

    /// <summary>A set that reads this set first and <paramref name="fallback"/> for what this set lacks.</summary>
    public ParameterSet WithFallback(ParameterSet fallback, IEnumerable<string> names)
    {
        Dictionary<string, JsonElement>? merged = null;
        foreach (var name in names)
        {
            if (Has(name) || !fallback.TryGet(name, out var value))
                continue;
            merged ??= new Dictionary<string, JsonElement>(_values, StringComparer.Ordinal);
            merged[name] = value;
        }
        return merged is null ? this : new ParameterSet(merged) { MaxJsonDepth = MaxJsonDepth };
    }

    /// <summary>This set without <paramref name="name"/> (itself when it has no such parameter).</summary>
    public ParameterSet Without(string name)
    {
        if (!_values.ContainsKey(name))
            return this;
        var rest = new Dictionary<string, JsonElement>(_values, StringComparer.Ordinal);
        rest.Remove(name);
        return new ParameterSet(rest) { MaxJsonDepth = MaxJsonDepth };
    }

    private static InvalidParameterException Invalid(string name, string expected) =>
        new($"Invalid value for '{name}': expected {expected}");
}
