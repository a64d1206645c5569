using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using static Greengage.Engine.Targeting.SegmentTokenKind;

namespace Greengage.Engine.Targeting;

/// <summary>
/// Reads Leanplum's legacy <c>segment</c> strings, the dashboard's "Insert Value" syntax (spec 6.4), into a
/// <see cref="Rule"/>: <c>{Country = "US"} and {App version = 1}</c>. Grammar, operators and the name table are in
/// docs/targeting.md ("Legacy segment strings"). Parsing checks the syntax only; compiling the rule checks the values.
/// </summary>
public static partial class LegacySegment
{
    /// <summary>Longest segment string accepted, in characters.</summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>Dashboard names of built-in fields, lower case without spaces; any other name is a user attribute.</summary>
    private static readonly Dictionary<string, (Subject Subject, string? Name)> BuiltIns = new(StringComparer.Ordinal)
    {
        ["country"] = (Subject.Country, null), ["region"] = (Subject.Region, null), ["city"] = (Subject.City, null),
        ["locale"] = (Subject.Locale, null), ["appversion"] = (Subject.AppVersion, null),
        ["os"] = (Subject.Os, null), ["osname"] = (Subject.Os, null), ["systemname"] = (Subject.Os, null),
        ["osversion"] = (Subject.OsVersion, null), ["systemversion"] = (Subject.OsVersion, null),
        ["devicemodel"] = (Subject.DeviceModel, null), ["browser"] = (Subject.Browser, null), ["browsername"] = (Subject.Browser, null),
        ["userid"] = (Subject.UserId, null), ["userbucket"] = (Subject.UserBucket, null),
        ["sessions"] = (Subject.Sessions, null), ["totalsessions"] = (Subject.Sessions, null),
        ["timeinapp"] = (Subject.TimeInApp, null), ["lifetimevalue"] = (Subject.LifetimeValue, null),
        ["firstrun"] = (Subject.FirstRun, null), ["lastactive"] = (Subject.LastActive, null), ["pushenabled"] = (Subject.PushEnabled, null),
        ["publisherid"] = (Subject.TrafficSource, "publisherId"), ["publishername"] = (Subject.TrafficSource, "publisherName"),
        ["publishersubpublisher"] = (Subject.TrafficSource, "publisherSubPublisher"), ["publishersubsite"] = (Subject.TrafficSource, "publisherSubSite"),
        ["publishercampaign"] = (Subject.TrafficSource, "publisherSubCampaign"), ["publishersubcampaign"] = (Subject.TrafficSource, "publisherSubCampaign"),
        ["publisheradgroup"] = (Subject.TrafficSource, "publisherSubAdGroup"), ["publishersubadgroup"] = (Subject.TrafficSource, "publisherSubAdGroup"),
        ["publisherad"] = (Subject.TrafficSource, "publisherSubAd"), ["publishersubad"] = (Subject.TrafficSource, "publisherSubAd"),
    };

    /// <summary>Words that end a bare name: an operator starts, or the criterion is cut short.</summary>
    private static readonly HashSet<string> NameStops = new(StringComparer.OrdinalIgnoreCase) { "is", "contains", "does", "starts", "ends", "matches", "and", "or" };

    private const string Operators = "an operator (=, !=, <>, <, >, <=, >=, contains, does not contain, is set, is not set, is empty, is between, is after, is before, ...)";

    /// <summary>Parses <paramref name="segment"/>; a <see cref="RuleException"/> says where it went wrong and what was expected.</summary>
    public static Rule Parse(string segment)
    {
        if (string.IsNullOrWhiteSpace(segment))
            throw new RuleException("The segment is empty; expected criteria like {Country = \"US\"} and {App version = 1}.");
        if (segment.Length > MaxLength)
            throw new RuleException($"The segment is {segment.Length} characters long; at most {MaxLength} are accepted.");
        var rule = new Parser(LegacySegmentLexer.Tokenize(segment)).Segment();
        if (Height(rule) > RuleJson.MaxDepth)
            throw new RuleException($"The segment nests and/or/not deeper than {RuleJson.MaxDepth} levels.");
        return rule;
    }

    private static int Height(Rule rule) => rule switch
    {
        AllOf all => 1 + all.Rules.Select(Height).DefaultIfEmpty(0).Max(),
        AnyOf any => 1 + any.Rules.Select(Height).DefaultIfEmpty(0).Max(),
        NotRule not => 1 + Height(not.Inner),
        _ => 0,
    };

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();

    private sealed class Parser(List<SegmentToken> tokens)
    {
        private int _next, _depth, _criteria;

        private SegmentToken Peek => tokens[_next];

        private SegmentToken Take() => tokens[_next < tokens.Count - 1 ? _next++ : _next];

        public Rule Segment()
        {
            var rule = Or();
            if (Peek.Kind != End)
                throw Expected("'and', 'or' or the end of the segment");
            return rule;
        }

        private Rule Or() => Joined("or", And, rules => new AnyOf(rules));

        private Rule And() => Joined("and", Unary, rules => new AllOf(rules));

        /// <summary>Operands joined by a keyword; nested joins of the same kind are flattened.</summary>
        private Rule Joined(string keyword, Func<Rule> operand, Func<List<Rule>, Rule> make)
        {
            var rules = new List<Rule>();
            while (true)
            {
                var rule = operand();
                if (keyword == "and" && rule is AllOf all)
                    rules.AddRange(all.Rules);
                else if (keyword == "or" && rule is AnyOf any)
                    rules.AddRange(any.Rules);
                else
                    rules.Add(rule);
                if (!Words(keyword))
                    return rules.Count == 1 ? rules[0] : make(rules);
            }
        }

        private Rule Unary()
        {
            if (!Peek.IsWord("not"))
                return Primary();
            Enter(Take());
            var inner = Unary();
            _depth--;
            return new NotRule(inner);
        }

        /// <summary>A group (<c>{...}</c> or <c>(...)</c>), a list (<c>[a, b]</c>: all of them) or a bare criterion.</summary>
        private Rule Primary()
        {
            var open = Peek;
            var close = open.Text switch { "{" => "}", "(" => ")", "[" => "]", _ => null };
            if (open.Kind != Punct || close is null)
                return Criterion();
            Enter(Take());
            var rules = new List<Rule> { Or() };
            while (close == "]" && Peek.IsPunct(","))
            {
                Take();
                rules.Add(Or());
            }
            if (!Peek.IsPunct(close))
                throw Expected(close == "]" ? "',' or ']'" : $"'{close}' closing the '{open.Text}' at character {open.At + 1}");
            Take();
            _depth--;
            return rules.Count == 1 ? rules[0] : new AllOf([.. rules.SelectMany(r => r is AllOf all ? all.Rules : [r])]);
        }

        private void Enter(SegmentToken token)
        {
            if (++_depth > RuleJson.MaxDepth)
                throw new RuleException($"Segment, character {token.At + 1}: groups and 'not' nest at most {RuleJson.MaxDepth} deep.");
        }

        private Rule Criterion()
        {
            if (++_criteria > RuleJson.MaxCriteria)
                throw new RuleException($"Segment, character {Peek.At + 1}: a segment holds at most {RuleJson.MaxCriteria} criteria.");
            var measure = Measure.Count;
            ParameterMatch? parameter = null;
            Subject subject;
            string? name;
            if (Behaviour() is { } m)
            {
                measure = m;
                subject = Subject.Event;
                if ((Peek.IsWord("state") || Peek.IsWord("event")) && tokens[_next + 1].Kind == Text)
                    subject = Take().IsWord("state") ? Subject.State : Subject.Event;
                name = Name(stopAtWith: true) ?? throw Expected("the name of an event (\"Purchase\")");
                if (Words("with", "parameter"))
                {
                    var parameterName = Name(stopAtWith: false) ?? throw Expected("a parameter name");
                    if (Peek is not { Kind: Compare, Text: "=" or "==" })
                        throw Expected("'=' and the parameter's value");
                    Take();
                    parameter = new ParameterMatch(parameterName, Value(versionText: false));
                }
            }
            else
            {
                var start = Peek;
                name = Name(stopAtWith: false) ?? throw Expected("a criterion: a name, an operator and a value ({Country = \"US\"})");
                var key = name.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
                if (start.Kind != Text && key is "savedsegment" or "notsavedsegment" or "contentsof")
                    throw new RuleException($"Segment, character {start.At + 1}: saved segments ('{name}') cannot be named in a segment string.");
                (subject, name) = start.Kind != Text && BuiltIns.TryGetValue(key, out var builtIn) ? builtIn : (Subject.Attribute, name);
            }
            if (Operator() is not { } op)
                return new AllOf([]);
            var versionText = subject is Subject.AppVersion or Subject.OsVersion;
            List<JsonElement> values = op switch
            {
                Targeting.Operator.IsSet or Targeting.Operator.IsNotSet or Targeting.Operator.IsEmpty => [],
                Targeting.Operator.Between => [Value(versionText), Words("and") ? Value(versionText) : throw Expected("'and' and the upper bound")],
                _ => [Value(versionText)],
            };
            return new Criterion(subject, name, op, values, measure, parameter);
        }

        /// <summary>The dashboard's behaviour phrases, <c>Occurrences of "Purchase"</c> and the like; null for other names.</summary>
        private Measure? Behaviour() =>
            Words("occurrences", "of") ? Measure.Count
            : Words("value", "of") ? Measure.Value
            : Words("first", "occurrence", "of") ? Measure.FirstTime
            : Words("last", "occurrence", "of") ? Measure.LastTime
            : null;

        /// <summary>A quoted name as it is, or bare words joined by single spaces; null when there is none.</summary>
        private string? Name(bool stopAtWith)
        {
            if (Peek.Kind == Text)
                return Peek.Text.Length > 0 ? Take().Text : throw Expected("a name; \"\" names nothing");
            var words = new List<string>();
            while (Peek.Kind == Word && !NameStops.Contains(Peek.Text) && !(stopAtWith && Peek.IsWord("with")))
                words.Add(Take().Text);
            return words.Count == 0 ? null : string.Join(' ', words);
        }

        /// <summary>The operator; null for "is any" (every user: the criterion holds always).</summary>
        private Operator? Operator()
        {
            var token = Peek;
            if (token.Kind == Compare)
            {
                Take();
                return token.Text switch
                {
                    "=" or "==" => Targeting.Operator.Is,
                    "!=" or "<>" => Targeting.Operator.IsNot,
                    ">" => Targeting.Operator.GreaterThan,
                    "<" => Targeting.Operator.LessThan,
                    ">=" => Targeting.Operator.AtLeast,
                    _ => Targeting.Operator.AtMost,
                };
            }
            if (Words("contains"))
                return Targeting.Operator.Contains;
            if (Words("does", "not", "contain"))
                return Targeting.Operator.NotContains;
            if (token.IsWord("starts") || token.IsWord("ends") || token.IsWord("matches"))
                throw new RuleException($"Segment, character {token.At + 1}: '{token.Text}' is not supported; use contains, is or is not.");
            if (!Words("is"))
                throw Expected(Operators);
            var not = Words("not");
            var after = Peek;
            if (Words("set"))
                return not ? Targeting.Operator.IsNotSet : Targeting.Operator.IsSet;
            if (Words("after"))
                return not ? Targeting.Operator.NotAfter : Targeting.Operator.After;
            if (Words("before"))
                return not ? Targeting.Operator.NotBefore : Targeting.Operator.Before;
            Operator? op = null;
            if (Words("empty"))
            {
                Words("string");
                op = Targeting.Operator.IsEmpty;
            }
            else if (Words("greater", "than"))
                op = Targeting.Operator.GreaterThan;
            else if (Words("less", "than"))
                op = Targeting.Operator.LessThan;
            else if (Words("at", "least"))
                op = Targeting.Operator.AtLeast;
            else if (Words("at", "most"))
                op = Targeting.Operator.AtMost;
            else if (Words("between"))
                op = Targeting.Operator.Between;
            else if (!Words("any"))
                return not ? Targeting.Operator.IsNot : Targeting.Operator.Is;
            if (not)
                throw new RuleException($"Segment, character {after.At + 1}: 'is not {after.Text}' is not supported; write not {{... is {after.Text} ...}}.");
            return op;
        }

        /// <summary>A value: a quoted string, or bare words (one word that is a JSON number or true/false is that).</summary>
        private JsonElement Value(bool versionText)
        {
            if (Peek.Kind == Text)
                return Element(w => w.WriteStringValue(Take().Text));
            var words = new List<string>();
            while (Peek.Kind == Word && !Peek.IsWord("and") && !Peek.IsWord("or"))
                words.Add(Take().Text);
            if (words.Count == 0)
                throw Expected("a value (\"text\", a number or a bare word)");
            var text = string.Join(' ', words);
            if (words.Count == 1 && !versionText && JsonNumber().IsMatch(text) && double.IsFinite(double.Parse(text, CultureInfo.InvariantCulture)))
                return Element(w => w.WriteRawValue(text));
            if (words.Count == 1 && bool.TryParse(text, out var truth))
                return Element(w => w.WriteBooleanValue(truth));
            return Element(w => w.WriteStringValue(text));
        }

        /// <summary>Takes the words if they come next (ignoring case); otherwise takes nothing.</summary>
        private bool Words(params string[] words)
        {
            for (var k = 0; k < words.Length; k++)
            {
                if (_next + k >= tokens.Count || !tokens[_next + k].IsWord(words[k]))
                    return false;
            }
            _next += words.Length;
            return true;
        }

        private RuleException Expected(string what) =>
            new($"Segment, character {Peek.At + 1}: expected {what}, found {Peek.Describe()}.");

        private static JsonElement Element(Action<Utf8JsonWriter> write)
        {
            var buffer = new ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer))
                write(writer);
            using var document = JsonDocument.Parse(buffer.WrittenMemory);
            return document.RootElement.Clone();
        }
    }
}
