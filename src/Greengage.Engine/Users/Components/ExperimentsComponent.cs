using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The A/B tests the user entered and the variant of each, by test id, with when it was assigned (spec 6.5). Recorded
/// once, never changed: stickiness across sessions and devices, and changed percentages affect only new entrants.
/// Merge rule (login): the target's assignments win; the source's fill the tests the target never entered, so an
/// anonymous user who logs in keeps the variants they saw.
/// </summary>
public sealed class ExperimentsComponent : IUserComponent<ExperimentsComponent>
{
    [JsonPropertyName("assigned")] public Dictionary<string, Assignment> Assigned { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        if (record is VariantsAssigned a)
        {
            foreach (var (test, variant) in a.Assignments)
                Assigned.TryAdd(test, new Assignment { VariantId = variant, AtMs = a.TimeMs });
        }
    }

    public void MergeFrom(ExperimentsComponent source)
    {
        foreach (var (test, assignment) in source.Assigned)
            Assigned.TryAdd(test, assignment);
    }
}

public sealed class Assignment
{
    [JsonPropertyName("v")] public required string VariantId { get; set; }
    [JsonPropertyName("at")] public long AtMs { get; set; }
}
