using System.Text.Json.Serialization;

namespace Greengage.Engine.Users.Records;

/// <summary>
/// The user entered A/B tests (spec 6.5): the variant each was assigned, by test id. Assignments are recorded so that
/// they never change: a re-entering user, another device, or changed percentages keep the recorded variant.
/// </summary>
public sealed record VariantsAssigned : UserRecord
{
    public const string Kind = "ab.assigned";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("a")] public required Dictionary<string, string> Assignments { get; init; }
}

/// <summary>
/// The backfill job counted a user's occurrences of (event, parameter, value) tuples from before the tuples were
/// counted live (keys as <see cref="Targeting.RuleValues.ParameterKey"/>). Applied once per key.
/// </summary>
public sealed record ParamCountsBackfilled : UserRecord
{
    public const string Kind = "params.backfilled";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("c")] public required Dictionary<string, BackfilledCount> Counts { get; init; }
}

/// <summary>Occurrences found by a backfill: how many, first and last time (zero count: none, times 0).</summary>
public sealed record BackfilledCount(
    [property: JsonPropertyName("n")] long Count,
    [property: JsonPropertyName("f")] long FirstTimeMs,
    [property: JsonPropertyName("l")] long LastTimeMs);

/// <summary>An A/B test a session's user was in, and the variant (for exports: <c>experiments</c>).</summary>
public sealed record ExperimentEntry(
    [property: JsonPropertyName("id")] string TestId,
    [property: JsonPropertyName("v")] string VariantId);
