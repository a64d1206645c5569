using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Greengage.Protocol.Values;

/// <summary>
/// Reads client JSON strictly where it matters: exactly one value (trailing content is refused), no deeper than the
/// limit, and every string and property name readable as text (valid UTF-8, no unpaired surrogate escapes), so that
/// no later read of a value can throw. Comments and trailing commas stay tolerated.
/// </summary>
public static class JsonText
{
    public const int DefaultMaxDepth = 64;

    /// <summary>Parses one JSON value from UTF-8 text.</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value within <paramref name="maxDepth"/> levels.</exception>
    public static JsonElement Parse(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var options = new JsonReaderOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        };
        // The first pass checks every token, and fails on anything after the value (the reader sees a final block).
        var check = new Utf8JsonReader(utf8, options);
        while (check.Read())
        {
            if (check.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsReadable(ref check))
                throw new JsonException("A string is not valid UTF-8 or holds an unpaired surrogate.");
        }
        var reader = new Utf8JsonReader(utf8, options);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>Parses one JSON value from text.</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value within <paramref name="maxDepth"/> levels.</exception>
    public static JsonElement Parse(string text, int maxDepth) => Parse(Encoding.UTF8.GetBytes(text), maxDepth);

    private static bool IsReadable(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
            return Utf8.IsValid(reader.ValueSpan);
        try
        {
            reader.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
