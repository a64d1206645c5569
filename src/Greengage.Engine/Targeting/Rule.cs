using System.Text.Json;

namespace Greengage.Engine.Targeting;

/// <summary>
/// A targeting rule (spec 6.4): criteria on one user combined with and, or, not. An audience, an A/B test's
/// targeting and a message's audience are all rules. The JSON form (<see cref="RuleJson"/>) is what the admin API
/// takes; the legacy <c>segment</c> strings parse into the same tree. Rules are compiled once when content is
/// published (<see cref="RuleCompiler"/>) and evaluated per user with no I/O.
/// </summary>
public abstract record Rule;

/// <summary>Every inner rule holds (an empty list: every user).</summary>
public sealed record AllOf(IReadOnlyList<Rule> Rules) : Rule;

/// <summary>At least one inner rule holds (an empty list: no user).</summary>
public sealed record AnyOf(IReadOnlyList<Rule> Rules) : Rule;

/// <summary>The inner rule does not hold.</summary>
public sealed record NotRule(Rule Inner) : Rule;

/// <summary>
/// One criterion: a <see cref="Subject"/> of the user (for some subjects named: the attribute, the event, the
/// audience, the traffic-source field), an operator and its values.
/// </summary>
/// <param name="Measure">For events and states: what of them is compared (count by default).</param>
/// <param name="Parameter">For events: only occurrences whose parameter has this value count (ARCHITECTURE
/// decision 6: per-user counts of the tuples published audiences name).</param>
public sealed record Criterion(
    Subject Subject,
    string? Name,
    Operator Operator,
    IReadOnlyList<JsonElement> Values,
    Measure Measure = Measure.Count,
    ParameterMatch? Parameter = null) : Rule;

/// <summary>An event parameter and the value it must have.</summary>
public sealed record ParameterMatch(string Name, JsonElement Value);

/// <summary>What a criterion looks at. The JSON names are in <see cref="RuleJson"/>.</summary>
public enum Subject
{
    /// <summary>A user attribute (named).</summary>
    Attribute,
    /// <summary>An event's occurrences (named): count, value, first and last time; optionally with a parameter.</summary>
    Event,
    /// <summary>A state's occurrences (named): count, first and last time.</summary>
    State,
    /// <summary>The user's lifetime sessions.</summary>
    Sessions,
    /// <summary>The user's lifetime time in app, seconds.</summary>
    TimeInApp,
    /// <summary>The sum of the user's <c>Purchase</c> values, in the app's currency.</summary>
    LifetimeValue,
    /// <summary>When the user was first seen (first run).</summary>
    FirstRun,
    /// <summary>When the user was last active.</summary>
    LastActive,
    AppVersion,
    /// <summary>The operating system's name (<c>systemName</c>).</summary>
    Os,
    OsVersion,
    DeviceModel,
    /// <summary>The browser's name (<c>browserName</c>).</summary>
    Browser,
    Locale,
    Country,
    Region,
    City,
    /// <summary>The user's bucket, 0-999, stable per user id.</summary>
    UserBucket,
    /// <summary>True when one of the user's devices has a push token or web push subscription.</summary>
    PushEnabled,
    /// <summary>A traffic source field (named: <c>publisherName</c>, <c>publisherSubCampaign</c>, ...).</summary>
    TrafficSource,
    UserId,
    /// <summary>Membership of another audience (named by its id): <c>is</c> or <c>isNot</c>.</summary>
    Audience,
}

/// <summary>What of an event or state a criterion compares.</summary>
public enum Measure
{
    Count,
    /// <summary>The sum of the event's values.</summary>
    Value,
    FirstTime,
    LastTime,
}

/// <summary>The operators of spec 6.4. The JSON names are in <see cref="RuleJson"/>.</summary>
public enum Operator
{
    /// <summary>Equal to any of the values (the dashboard's "is any of"; strings compare ignoring case).</summary>
    IsAny,
    IsSet,
    IsNotSet,
    /// <summary>Equal to the value (strings compare ignoring case; several values: any of them).</summary>
    Is,
    /// <summary>Equal to none of the values; a missing value is "not" any of them.</summary>
    IsNot,
    IsEmpty,
    Contains,
    NotContains,
    GreaterThan,
    LessThan,
    AtLeast,
    AtMost,
    /// <summary>Between two values, both included (numbers, versions or dates).</summary>
    Between,
    After,
    NotAfter,
    Before,
    NotBefore,
}
