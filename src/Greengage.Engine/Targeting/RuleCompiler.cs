using System.Text.Json;

namespace Greengage.Engine.Targeting;

/// <summary>
/// Compiles a <see cref="Rule"/> into a predicate over a <see cref="TargetingSubject"/>, once per publish: every value
/// is read and checked here (a bad date, a missing name, the wrong number of values fail with a
/// <see cref="RuleException"/>), so evaluation does no parsing and no I/O.
/// </summary>
public sealed class RuleCompiler
{
    private static readonly HashSet<string> TrafficSourceFields = new(StringComparer.Ordinal)
    {
        "publisherId", "publisherName", "publisherSubPublisher", "publisherSubSite", "publisherSubCampaign", "publisherSubAdGroup", "publisherSubAd",
    };

    private readonly Func<string, int?> _audienceIndex;
    private readonly AudienceSet? _audiences;

    /// <param name="audiences">The set audience criteria refer to, and how an audience id maps to its index in it;
    /// null when the rule may not name audiences.</param>
    internal RuleCompiler(AudienceSet? audiences, Func<string, int?> audienceIndex)
    {
        _audiences = audiences;
        _audienceIndex = audienceIndex;
    }

    /// <summary>A compiler for rules that name no audience.</summary>
    public static RuleCompiler Standalone { get; } = new(null, _ => null);

    public Func<TargetingSubject, bool> Compile(Rule rule) => Compile(rule, "rule");

    private Func<TargetingSubject, bool> Compile(Rule rule, string path)
    {
        switch (rule)
        {
            case AllOf all:
            {
                var parts = all.Rules.Select((r, i) => Compile(r, $"{path}.and[{i}]")).ToArray();
                return s =>
                {
                    foreach (var part in parts)
                    {
                        if (!part(s))
                            return false;
                    }
                    return true;
                };
            }
            case AnyOf any:
            {
                var parts = any.Rules.Select((r, i) => Compile(r, $"{path}.or[{i}]")).ToArray();
                return s =>
                {
                    foreach (var part in parts)
                    {
                        if (part(s))
                            return true;
                    }
                    return false;
                };
            }
            case NotRule not:
            {
                var inner = Compile(not.Inner, path + ".not");
                return s => !inner(s);
            }
            case Criterion c:
                return CompileCriterion(c, path);
            default:
                throw new RuleException($"{path}: unknown rule.");
        }
    }

    private Func<TargetingSubject, bool> CompileCriterion(Criterion c, string path)
    {
        var where = $"{path} ({RuleJson.NameOf(c.Subject)})";
        CheckShape(c, where);
        if (c.Subject == Subject.Audience)
        {
            if (_audiences is null || _audienceIndex(c.Name!) is not { } index)
                throw new RuleException($"{where}: no audience with id '{c.Name}'.");
            var audiences = _audiences;
            return c.Operator == Operator.Is ? s => s.InAudience(audiences, index) : s => !s.InAudience(audiences, index);
        }
        var read = Reader(c, where);
        var domain = DomainOf(c);
        var test = Test(c.Operator, c.Values, domain, where);
        return s => test(read(s), s.NowMs);
    }

    private static void CheckShape(Criterion c, string where)
    {
        var named = c.Subject is Subject.Attribute or Subject.Event or Subject.State or Subject.TrafficSource or Subject.Audience;
        if (named && string.IsNullOrEmpty(c.Name))
            throw new RuleException($"{where}: 'name' must be provided.");
        if (!named && c.Name is not null)
            throw new RuleException($"{where}: takes no 'name'.");
        if (c.Subject == Subject.TrafficSource && !TrafficSourceFields.Contains(c.Name!))
            throw new RuleException($"{where}: unknown traffic source field '{c.Name}'; expected one of {string.Join(", ", TrafficSourceFields)}.");
        if (c.Measure != Measure.Count && c.Subject is not (Subject.Event or Subject.State))
            throw new RuleException($"{where}: 'measure' applies to events and states only.");
        if (c.Measure == Measure.Value && c.Subject != Subject.Event)
            throw new RuleException($"{where}: states have no value.");
        if (c.Parameter is not null && c.Subject != Subject.Event)
            throw new RuleException($"{where}: 'param' applies to events only.");
        if (c.Parameter is not null && c.Measure == Measure.Value)
            throw new RuleException($"{where}: with 'param', the measure is count, firstTime or lastTime.");
        if (c.Subject == Subject.Audience && c.Operator is not (Operator.Is or Operator.IsNot))
            throw new RuleException($"{where}: an audience criterion takes 'is' or 'isNot'.");
        var count = c.Values.Count;
        var (min, max) = c.Subject == Subject.Audience ? (0, 0) : c.Operator switch
        {
            Operator.IsSet or Operator.IsNotSet or Operator.IsEmpty => (0, 0),
            Operator.Is or Operator.IsNot or Operator.IsAny or Operator.Contains or Operator.NotContains => (1, int.MaxValue),
            Operator.Between => (2, 2),
            _ => (1, 1),
        };
        if (count < min || count > max)
        {
            var expected = min == max ? $"{min}" : max == int.MaxValue ? $"at least {min}" : $"{min} to {max}";
            throw new RuleException($"{where}: '{RuleJson.NameOf(c.Operator)}' takes {expected} value(s), got {count}.");
        }
    }

    private enum Domain
    {
        Text,
        Number,
        Version,
        Time,
        Bool,
        /// <summary>An attribute: the operator and values decide (dates for date operators, numbers for comparisons).</summary>
        Any,
    }

    private static Domain DomainOf(Criterion c) => c.Subject switch
    {
        Subject.Event or Subject.State => c.Measure is Measure.FirstTime or Measure.LastTime ? Domain.Time : Domain.Number,
        Subject.Sessions or Subject.TimeInApp or Subject.LifetimeValue or Subject.UserBucket => Domain.Number,
        Subject.FirstRun or Subject.LastActive => Domain.Time,
        Subject.AppVersion or Subject.OsVersion => Domain.Version,
        Subject.PushEnabled => Domain.Bool,
        Subject.Attribute => Domain.Any,
        _ => Domain.Text,
    };

    private static Func<TargetingSubject, Field> Reader(Criterion c, string where)
    {
        var name = c.Name;
        switch (c.Subject)
        {
            case Subject.Attribute:
                return s => s.State.Profile.Attributes.TryGetValue(name!, out var v) ? Field.Of(v) : Field.Missing;
            case Subject.Event when c.Parameter is { } p:
            {
                var key = RuleValues.ParameterKey(name!, p.Name, RuleValues.ParameterText(p.Value));
                var measure = c.Measure;
                return s => Measured(s.State.ParamCounts.Get(key), measure);
            }
            case Subject.Event:
            {
                var measure = c.Measure;
                return s => s.State.Aggregates.Events.TryGetValue(name!, out var e)
                    ? measure switch
                    {
                        Measure.Value => Field.Of(e.Value),
                        Measure.FirstTime => Field.Time(e.FirstTimeMs),
                        Measure.LastTime => Field.Time(e.LastTimeMs),
                        _ => Field.Of(e.Count),
                    }
                    : measure is Measure.FirstTime or Measure.LastTime ? Field.Missing : Field.Of(0);
            }
            case Subject.State:
            {
                var measure = c.Measure;
                return s => s.State.Aggregates.States.TryGetValue(name!, out var e)
                    ? measure switch
                    {
                        Measure.FirstTime => Field.Time(e.FirstTimeMs),
                        Measure.LastTime => Field.Time(e.LastTimeMs),
                        _ => Field.Of(e.Count),
                    }
                    : measure == Measure.Count ? Field.Of(0) : Field.Missing;
            }
            case Subject.Sessions: return s => Field.Of(s.State.Profile.TotalSessions);
            case Subject.TimeInApp: return s => Field.Of(s.State.Profile.TimeSpentInApp);
            case Subject.LifetimeValue: return s => Field.Of(s.State.Aggregates.Events.TryGetValue("Purchase", out var e) ? e.Value : 0);
            case Subject.FirstRun: return s => Field.Time(s.State.Profile.CreatedMs);
            case Subject.LastActive: return s => Field.Time(s.State.Profile.LastActiveMs);
            case Subject.AppVersion: return s => Field.Of(s.Device?.AppVersion);
            case Subject.Os: return s => Field.Of(s.Device?.SystemName);
            case Subject.OsVersion: return s => Field.Of(s.Device?.SystemVersion);
            case Subject.DeviceModel: return s => Field.Of(s.Device?.DeviceModel);
            case Subject.Browser: return s => Field.Of(s.Device?.BrowserName);
            case Subject.Locale: return s => Field.Of(s.State.Profile.Locale?.Locale);
            case Subject.Country: return s => Field.Of(s.State.Profile.Locale?.Country);
            case Subject.Region: return s => Field.Of(s.State.Profile.Locale?.Region);
            case Subject.City: return s => Field.Of(s.State.Profile.Locale?.City);
            case Subject.UserBucket: return s => Field.Of(s.Bucket);
            case Subject.UserId: return s => Field.Of(s.UserId);
            case Subject.PushEnabled: return s => Field.Of(PushEnabled(s));
            case Subject.TrafficSource:
                return name switch
                {
                    "publisherId" => s => Field.Of(s.State.Source.Source?.PublisherId),
                    "publisherName" => s => Field.Of(s.State.Source.Source?.PublisherName),
                    "publisherSubPublisher" => s => Field.Of(s.State.Source.Source?.PublisherSubPublisher),
                    "publisherSubSite" => s => Field.Of(s.State.Source.Source?.PublisherSubSite),
                    "publisherSubCampaign" => s => Field.Of(s.State.Source.Source?.PublisherSubCampaign),
                    "publisherSubAdGroup" => s => Field.Of(s.State.Source.Source?.PublisherSubAdGroup),
                    _ => s => Field.Of(s.State.Source.Source?.PublisherSubAd),
                };
            default:
                throw new RuleException($"{where}: cannot be read.");
        }
    }

    private static Field Measured((long Count, long? FirstTimeMs, long? LastTimeMs) aggregate, Measure measure) => measure switch
    {
        Measure.FirstTime => Field.Time(aggregate.FirstTimeMs),
        Measure.LastTime => Field.Time(aggregate.LastTimeMs),
        _ => Field.Of(aggregate.Count),
    };

    private static bool PushEnabled(TargetingSubject s)
    {
        foreach (var device in s.State.Devices.Devices.Values)
        {
            if (device.IosPushToken is not null || device.GcmRegistrationId is not null || device.HuaweiPushRegId is not null || device.WebPushSubscription is not null)
                return true;
        }
        return false;
    }

    /// <summary>The operator's test over a field, given the evaluation time.</summary>
    private static Func<Field, long, bool> Test(Operator op, IReadOnlyList<JsonElement> values, Domain domain, string where)
    {
        switch (op)
        {
            case Operator.IsSet:
                return domain == Domain.Number ? (f, _) => f.TryNumber(out var n) && n > 0 : (f, _) => !f.IsMissing;
            case Operator.IsNotSet:
                return domain == Domain.Number ? (f, _) => !f.TryNumber(out var n) || n <= 0 : (f, _) => f.IsMissing;
            case Operator.IsEmpty:
                return (f, _) => f.Kind == FieldKind.Text && f.Text!.Length == 0;
            case Operator.Is or Operator.IsAny or Operator.IsNot:
            {
                var equals = values.Select(v => Equality(v, domain, where)).ToArray();
                bool Any(Field f, long now)
                {
                    foreach (var eq in equals)
                    {
                        if (eq(f, now))
                            return true;
                    }
                    return false;
                }
                return op == Operator.IsNot ? (f, now) => !Any(f, now) : Any;
            }
            case Operator.Contains or Operator.NotContains:
            {
                var parts = values.Select(v => Field.Of(v).AsText()).ToArray();
                bool Has(Field f) => !f.IsMissing && parts.Any(p => f.AsText().Contains(p, StringComparison.OrdinalIgnoreCase));
                return op == Operator.Contains ? (f, _) => Has(f) : (f, _) => !Has(f);
            }
            case Operator.After or Operator.NotAfter or Operator.Before or Operator.NotBefore:
            {
                if (domain is not (Domain.Time or Domain.Any))
                    throw new RuleException($"{where}: '{RuleJson.NameOf(op)}' compares dates; this subject is not a date.");
                var bound = RuleValues.Date(values[0], where);
                return op switch
                {
                    Operator.After => (f, now) => f.TryTime(out var t) && t > bound(now),
                    Operator.NotAfter => (f, now) => f.TryTime(out var t) && t <= bound(now),
                    Operator.Before => (f, now) => f.TryTime(out var t) && t < bound(now),
                    _ => (f, now) => f.TryTime(out var t) && t >= bound(now),
                };
            }
            default:
                return Ordering(op, values, domain, where);
        }
    }

    private static Func<Field, long, bool> Ordering(Operator op, IReadOnlyList<JsonElement> values, Domain domain, string where)
    {
        if (domain is Domain.Text or Domain.Bool)
            throw new RuleException($"{where}: '{RuleJson.NameOf(op)}' compares numbers, versions or dates; this subject is text.");
        Func<Field, long, int?> compareTo(JsonElement value)
        {
            switch (domain)
            {
                case Domain.Version:
                {
                    var v = Field.Of(value).AsText();
                    return (f, _) => f.IsMissing ? null : RuleValues.CompareVersions(f.AsText(), v);
                }
                case Domain.Time:
                {
                    var bound = RuleValues.Date(value, where);
                    return (f, now) => f.TryTime(out var t) ? t.CompareTo(bound(now)) : null;
                }
                case Domain.Any when !Field.Of(value).TryNumber(out _):
                {
                    // An attribute compared with a date: both read as dates.
                    var bound = RuleValues.Date(value, where);
                    return (f, now) => f.TryTime(out var t) ? t.CompareTo(bound(now)) : null;
                }
                default:
                {
                    var n = RuleValues.Number(value, where);
                    return (f, _) => f.TryNumber(out var x) ? x.CompareTo(n) : null;
                }
            }
        }
        var first = compareTo(values[0]);
        return op switch
        {
            Operator.GreaterThan => (f, now) => first(f, now) > 0,
            Operator.LessThan => (f, now) => first(f, now) < 0,
            Operator.AtLeast => (f, now) => first(f, now) >= 0,
            Operator.AtMost => (f, now) => first(f, now) <= 0,
            Operator.Between => Between(first, compareTo(values[1])),
            _ => throw new RuleException($"{where}: unknown operator."),
        };
    }

    private static Func<Field, long, bool> Between(Func<Field, long, int?> low, Func<Field, long, int?> high) =>
        (f, now) => low(f, now) >= 0 && high(f, now) <= 0;

    /// <summary>Equality with one rule value: numbers numerically, versions by their parts, booleans by truth, text ignoring case.</summary>
    private static Func<Field, long, bool> Equality(JsonElement value, Domain domain, string where)
    {
        var expected = Field.Of(value);
        switch (domain)
        {
            case Domain.Version:
            {
                var v = expected.AsText();
                return (f, _) => !f.IsMissing && RuleValues.CompareVersions(f.AsText(), v) == 0;
            }
            case Domain.Time:
            {
                var bound = RuleValues.Date(value, where);
                return (f, now) => f.TryTime(out var t) && t == bound(now);
            }
            case Domain.Bool:
            {
                var truth = expected.Kind == FieldKind.Bool ? expected.Number != 0 : string.Equals(expected.AsText(), "true", StringComparison.OrdinalIgnoreCase);
                return (f, _) => f.Kind == FieldKind.Bool && (f.Number != 0) == truth;
            }
        }
        if (expected.TryNumber(out var number))
        {
            var text = expected.AsText();
            return (f, _) => f.TryNumber(out var x) ? x == number : string.Equals(f.AsText(), text, StringComparison.OrdinalIgnoreCase) && !f.IsMissing;
        }
        var expectedText = expected.AsText();
        return (f, _) => !f.IsMissing && string.Equals(f.AsText(), expectedText, StringComparison.OrdinalIgnoreCase);
    }
}
