using System.Text.Json;

namespace Greengage.Protocol.Values;

/// <summary>
/// The parameters of one request or one batched item, by exact name, with lenient typed readers. A parameter that
/// is present but of the wrong type makes the reader throw <see cref="InvalidParameterException"/>, which the
/// envelope turns into a per-item error.
/// <para>
/// Held as two parallel arrays searched in order (an item names a dozen parameters or so, most of them the same
/// string instances: <c>WireNames</c> and the parser's known names), with a dictionary index only for large sets.
/// A batched item reads the envelope's inherited parameters (app, key, client...) through a reference to the envelope
/// instead of a copy of them. Text values are decoded once per set, however often a handler, the dispatcher and
/// the response read them, and so is the last JSON-text value read.
/// </para>
/// </summary>
public sealed class ParameterSet
{
    /// <summary>From this many parameters on, lookups go through a dictionary.</summary>
    internal const int IndexedFrom = 16;

    private readonly string[] _names;
    private readonly JsonElement[] _values;
    private readonly int _count;
    private readonly Dictionary<string, int>? _index;
    private readonly ParameterSet? _inheritFrom;
    private readonly string[]? _inherited;

    // Decoded once on first read; a race decodes twice and keeps either (equal) result.
    private string?[]? _texts;

    // The last JSON-text value parsed (an item has one at most, as a rule: params or userAttributes, read by the
    // dispatcher for its names and by the handler), published whole so a racing reader never sees half of it.
    private ParsedJson? _json;

    private sealed record ParsedJson(int At, JsonElement? Value);

    public ParameterSet(Dictionary<string, JsonElement> values)
        : this([.. values.Keys], [.. values.Values], values.Count, null, null)
    {
    }

    /// <param name="inheritFrom">Read for the <paramref name="inherited"/> names this set lacks (absent counts as lacking).</param>
    internal ParameterSet(string[] names, JsonElement[] values, int count, ParameterSet? inheritFrom, string[]? inherited)
    {
        _names = names;
        _values = values;
        _count = count;
        _inheritFrom = inheritFrom;
        _inherited = inheritFrom is null ? null : inherited;
        if (count >= IndexedFrom)
        {
            _index = new Dictionary<string, int>(count, StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
                _index[names[i]] = i;
        }
    }

    public static ParameterSet Empty { get; } = new([], [], 0, null, null);

    /// <summary>The raw values (with what this set inherits), for serialisation.</summary>
    public IReadOnlyDictionary<string, JsonElement> Values
    {
        get
        {
            var all = new Dictionary<string, JsonElement>(_count, StringComparer.Ordinal);
            for (var i = 0; i < _count; i++)
                all[_names[i]] = _values[i];
            if (_inheritFrom is not null)
            {
                foreach (var name in _inherited!)
                {
                    if (!(all.TryGetValue(name, out var mine) && !Lenient.IsAbsent(mine)) && _inheritFrom.TryGet(name, out var value))
                        all[name] = value;
                }
            }
            return all;
        }
    }

    public int Count => Values.Count;

    /// <summary>The deepest nesting accepted in a parameter that holds JSON text (the configured request limit).</summary>
    public int MaxJsonDepth { get; init; } = JsonText.DefaultMaxDepth;

    /// <summary>The raw value, or false when the parameter is absent (missing, null or empty string).</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            value = _values[i];
            if (!Lenient.IsAbsent(value))
                return true;
        }
        if (_inheritFrom is not null && Inherits(name))
            return _inheritFrom.TryGet(name, out value);
        value = default;
        return false;
    }

    public bool Has(string name) => TryGet(name, out _);

    /// <summary>The value as sent, absent ones (null, empty string) included; false only when the name is missing.</summary>
    public bool TryGetRaw(string name, out JsonElement value)
    {
        if (TryGet(name, out value))
            return true;
        var i = IndexOf(name);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    public string? String(string name)
    {
        if (!TryGetText(name, out var text, out var present))
            return present ? throw Invalid(name, "text") : null;
        return text;
    }

    /// <summary>
    /// Whether <see cref="String"/> would answer <paramref name="expected"/> (null: absent), compared without making the
    /// string when the value is JSON text. Throws as <see cref="String"/> does for a value that is not text.
    /// </summary>
    public bool SameText(string name, string? expected)
    {
        var i = IndexOf(name);
        if (i < 0 || Lenient.IsAbsent(_values[i]))
            return _inheritFrom is not null && Inherits(name) ? _inheritFrom.SameText(name, expected) : expected is null;
        if (_texts?[i] is { } text)
            return string.Equals(text, expected, StringComparison.Ordinal);
        if (_values[i].ValueKind == JsonValueKind.String)
            return expected is not null && _values[i].ValueEquals(expected);
        return string.Equals(String(name), expected, StringComparison.Ordinal);
    }

    /// <summary>The text value, or null when it is absent or not text (never throws: for echoing and routing).</summary>
    public string? StringOrNull(string name) => TryGetText(name, out var text, out _) ? text : null;

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
        var i = IndexOf(name);
        if (i < 0 || Lenient.IsAbsent(_values[i]))
            return _inheritFrom is not null && Inherits(name) ? _inheritFrom.Json(name) : null;
        if (_json is { } cached && cached.At == i)
            return cached.Value;
        if (!Lenient.TryToJson(_values[i], out var json, MaxJsonDepth))
            throw new InvalidParameterException($"'{name}' must be JSON");
        JsonElement? value = Lenient.IsAbsent(json) ? null : json;
        _json = new ParsedJson(i, value);
        return value;
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
            merged ??= new Dictionary<string, JsonElement>(Values, StringComparer.Ordinal);
            merged[name] = value;
        }
        return merged is null ? this : new ParameterSet(merged) { MaxJsonDepth = MaxJsonDepth };
    }

    /// <summary>This set without <paramref name="name"/> (itself when it has no such parameter).</summary>
    public ParameterSet Without(string name)
    {
        var all = Values;
        if (!all.ContainsKey(name))
            return this;
        var rest = new Dictionary<string, JsonElement>(all, StringComparer.Ordinal);
        rest.Remove(name);
        return new ParameterSet(rest) { MaxJsonDepth = MaxJsonDepth };
    }

    private bool TryGetText(string name, out string? text, out bool present)
    {
        var i = IndexOf(name);
        if (i < 0 || Lenient.IsAbsent(_values[i]))
        {
            if (_inheritFrom is not null && Inherits(name))
                return _inheritFrom.TryGetText(name, out text, out present);
            text = null;
            present = false;
            return false;
        }
        present = true;
        text = _texts?[i];
        if (text is not null)
            return true;
        text = Lenient.ToText(_values[i]);
        if (text is null)
            return false;
        (_texts ??= new string?[_count])[i] = text;
        return true;
    }

    private int IndexOf(string name)
    {
        if (_index is not null)
            return _index.TryGetValue(name, out var at) ? at : -1;
        var names = _names;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private bool Inherits(string name)
    {
        foreach (var inherited in _inherited!)
        {
            if (string.Equals(inherited, name, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private static InvalidParameterException Invalid(string name, string expected) =>
        new($"Invalid value for '{name}': expected {expected}");
}
