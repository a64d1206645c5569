using System.Text.Json.Serialization;

namespace Greengage.Engine.Users.Records;

/// <summary>
/// A/B tests at a <c>start</c> or content refresh (spec 6.5): the variants newly assigned, by test id (recorded so that
/// they never change: a re-entering user, another device, or changed percentages keep the recorded variant), and, for
/// a <c>start</c>, every test the session's user is in with its variant (exports' session <c>experiments</c>).
/// </summary>
public sealed record VariantsAssigned : UserRecord
{
    public const string Kind = "ab.assigned";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("a")] public required Dictionary<string, string> Assignments { get; init; }

    /// <summary>The session that started (null for a content refresh).</summary>
    [JsonPropertyName("sid")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SessionId { get; init; }

    /// <summary>Every test the user is in at this start, with the variant.</summary>
    [JsonPropertyName("in")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<ExperimentEntry>? Active { get; init; }
}

/// <summary>
/// The backfill job counted a user's occurrences of (event, parameter, value) tuples that were not counted live (keys
/// as <see cref="Targeting.RuleValues.ParameterKey"/>): each replaces what the previous backfill found for its key.
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
