using System.Text;

namespace Greengage.Engine.Targeting;

/// <summary>The kinds of token in a legacy segment string.</summary>
internal enum SegmentTokenKind
{
    /// <summary>A bare word: a name part, a keyword or a bare value (<c>Country</c>, <c>and</c>, <c>1.0</c>).</summary>
    Word,
    /// <summary>A quoted string, unescaped.</summary>
    Text,
    /// <summary>A comparison: <c>=</c>, <c>==</c>, <c>!=</c>, <c>&lt;&gt;</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&lt;=</c>, <c>&gt;=</c>.</summary>
    Compare,
    /// <summary>One of <c>{ } ( ) [ ] ,</c>.</summary>
    Punct,
    End,
}

/// <summary>One token and where it starts (0-based character offset).</summary>
internal readonly record struct SegmentToken(SegmentTokenKind Kind, string Text, int At)
{
    public bool IsWord(string word) => Kind == SegmentTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    public bool IsPunct(string punct) => Kind == SegmentTokenKind.Punct && Text == punct;

    /// <summary>The token as an error message quotes it.</summary>
    public string Describe() => Kind switch
    {
        SegmentTokenKind.End => "the end",
        SegmentTokenKind.Text => $"the string \"{Short(Text)}\"",
        _ => $"'{Short(Text)}'",
    };

    private static string Short(string text) => text.Length <= 30 ? text : string.Concat(text.AsSpan(0, 30), "...");
}

/// <summary>
/// Splits a legacy segment string into tokens. Strings are quoted with <c>"</c>, <c>'</c> or typographic quotes
/// (<c>“…”</c>, <c>‘…’</c>: text pasted from a word processor) and take backslash escapes; a bare word is any run of
/// characters other than white space, quotes at its start, and <c>{}()[],=!&lt;&gt;</c>.
/// </summary>
internal static class LegacySegmentLexer
{
    private const string Structural = "{}()[],=!<>";

    public static List<SegmentToken> Tokenize(string s)
    {
        var tokens = new List<SegmentToken>();
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
                i++;
            if (i == s.Length)
            {
                tokens.Add(new(SegmentTokenKind.End, "", i));
                return tokens;
            }
            var at = i;
            var c = s[i];
            if (Closer(c) is { } closer)
            {
                tokens.Add(new(SegmentTokenKind.Text, Quoted(s, ref i, closer), at));
            }
            else if ("{}()[],".Contains(c, StringComparison.Ordinal))
            {
                tokens.Add(new(SegmentTokenKind.Punct, c.ToString(), at));
                i++;
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < s.Length ? s.Substring(i, 2) : "";
                var op = two is "==" or "!=" or "<>" or "<=" or ">=" ? two : c.ToString();
                if (op == "!")
                    throw new RuleException($"Segment, character {at + 1}: '!' stands only in '!='.");
                tokens.Add(new(SegmentTokenKind.Compare, op, at));
                i += op.Length;
            }
            else
            {
                while (i < s.Length && !char.IsWhiteSpace(s[i]) && !Structural.Contains(s[i], StringComparison.Ordinal))
                    i++;
                tokens.Add(new(SegmentTokenKind.Word, s[at..i], at));
            }
        }
    }

    private static char? Closer(char open) => open switch
    {
        '"' => '"',
        '\'' => '\'',
        '\u201C' or '\u201D' => '\u201D',
        '\u2018' or '\u2019' => '\u2019',
        _ => null,
    };

    /// <summary>Reads a quoted string starting at <paramref name="i"/>, leaving <paramref name="i"/> after its closing quote.</summary>
    private static string Quoted(string s, ref int i, char closer)
    {
        var start = i++;
        var text = new StringBuilder();
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == closer || (closer == '\u201D' && c == '"'))
                return text.ToString();
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (i == s.Length)
                break;
            var escaped = s[i++];
            text.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
        }
        throw new RuleException($"Segment, character {start + 1}: the string opened here is not closed (expected {closer}).");
    }
}
