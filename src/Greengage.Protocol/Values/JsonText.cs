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

    /// <summary>Parses one JSON value from UTF-8 text. The value owns a copy: the span may be reused afterwards.</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value within <paramref name="maxDepth"/> levels.</exception>
    public static JsonElement Parse(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        // One pass for almost every request: when the whole text is valid UTF-8, so is every unescaped string, and
        // when it holds no \uD800-\uDFFF escape, no escaped string can hold a lone surrogate (the parser checks the
        // other escapes). Otherwise every string is checked first, one by one: the same verdicts, only slower.
        if (!Utf8.IsValid(utf8) || MayHoldSurrogateEscape(utf8))
            CheckStrings(utf8, maxDepth);
        return JsonElement.Parse(utf8, new JsonDocumentOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
    }

    /// <summary>Parses one JSON value from text.</summary>
    /// <exception cref="JsonException">The text is not one valid JSON value within <paramref name="maxDepth"/> levels.</exception>
    public static JsonElement Parse(string text, int maxDepth) => Parse(Encoding.UTF8.GetBytes(text), maxDepth);

    /// <summary>
    /// True when <paramref name="utf8"/> holds <c>\u</c> followed by <c>D8</c>-<c>DF</c> in either case (an escaped
    /// backslash followed by such text counts too: a false alarm only costs the slower check).
    /// </summary>
    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> utf8)
    {
        var at = utf8.IndexOf("\\u"u8);
        while (at >= 0)
        {
            utf8 = utf8[(at + 2)..];
            if (utf8.Length < 2 || ((utf8[0] | 0x20) == 'd' && IsSurrogateNibble(utf8[1])))
                return true;
            at = utf8.IndexOf("\\u"u8);
        }
        return false;
    }

    private static bool IsSurrogateNibble(byte b) => b is (>= (byte)'8' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f') or (>= (byte)'A' and <= (byte)'F');

    /// <summary>Reads every token and checks every string and property name; throws at the first unreadable one.</summary>
    private static void CheckStrings(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        var check = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            MaxDepth = maxDepth,
            AllowTrailingCommas = true,
            CommentHandling = JsonCommentHandling.Skip,
        });
        while (check.Read())
        {
            if (check.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !IsReadable(ref check))
                throw new JsonException("A string is not valid UTF-8 or holds an unpaired surrogate.");
        }
    }

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
