using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Greengage.Protocol.Values;

/// <summary>
/// Reads wire values the way spec section 1.4 says SDKs write them: booleans as <c>true</c>, <c>"true"</c>,
/// <c>"True"</c> or <c>1</c>; numbers as JSON numbers or text (<c>"1.7012345E9"</c>, <c>"1701234567.891000"</c>);
/// JSON-valued parameters as nested JSON or as JSON text; an empty string as absent.
/// </summary>
public static class Lenient
{
    /// <summary>True when the value counts as absent: missing, JSON null or the empty string.</summary>
    public static bool IsAbsent(JsonElement value) =>
        value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
        || (value.ValueKind == JsonValueKind.String && value.ValueEquals(ReadOnlySpan<byte>.Empty));

    /// <summary>Reads a boolean, or null when the value is not one in any accepted spelling.</summary>
    public static bool? ToBool(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when value.TryGetDouble(out var d) => d != 0,
        JsonValueKind.String => ParseBool(value.GetString()!),
        _ => null,
    };

    /// <summary>Parses a boolean written as text.</summary>
    public static bool? ParseBool(string text) => text.Trim() switch
    {
        "true" or "True" or "TRUE" or "1" or "yes" or "YES" => true,
        "false" or "False" or "FALSE" or "0" or "no" or "NO" => false,
        _ => null,
    };

    /// <summary>Reads a finite number, or null.</summary>
    public static double? ToDouble(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetDouble(out var d) && double.IsFinite(d) => d,
        JsonValueKind.String => ParseDouble(value.GetString()!),
        _ => null,
    };

    /// <summary>Parses a finite number written as text in the invariant culture (exponent form included).</summary>
    public static double? ParseDouble(string text) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)
            ? d
            : null;

    /// <summary>Reads a scalar as text: strings as they are, numbers and booleans as written.</summary>
    public static string? ToText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    /// <summary>
    /// Reads a JSON-valued parameter: nested JSON as it is; a string that holds JSON text is decoded.
    /// Returns false when a string does not hold one valid JSON value within <paramref name="maxDepth"/> levels
    /// (unreadable strings included, see <see cref="JsonText"/>).
    /// </summary>
    public static bool TryToJson(JsonElement value, out JsonElement json, int maxDepth = JsonText.DefaultMaxDepth)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            json = value;
            return true;
        }

        try
        {
            json = ParseJsonText(value, maxDepth);
            return true;
        }
        catch (JsonException)
        {
            json = default;
            return false;
        }
    }

    /// <summary>
    /// Parses the JSON text a string element holds from its UTF-8 bytes, without making a string of it: straight from
    /// the document when it has no escapes, else unescaped into a pooled buffer (the parsed value owns a copy).
    /// </summary>
    private static JsonElement ParseJsonText(JsonElement value, int maxDepth)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        raw = raw[1..^1]; // the quotes
        if (raw.IndexOf((byte)'\\') < 0)
            return JsonText.Parse(raw, maxDepth);
        var buffer = ArrayPool<byte>.Shared.Rent(raw.Length);
        try
        {
            var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(value));
            reader.Read();
            var length = reader.CopyString(buffer);
            return JsonText.Parse(buffer.AsSpan(0, length), maxDepth);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
