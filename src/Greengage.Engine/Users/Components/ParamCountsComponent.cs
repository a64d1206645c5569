using System.Text.Json.Serialization;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// Per-user counts of the (event, parameter, value) tuples that published audiences name (ARCHITECTURE decision 6),
/// keyed by <see cref="RuleValues.ParameterKey"/>. What to count is decided when the event is tracked and written into
/// its record (<see cref="EventTracked.Counted"/>), so the fold never depends on what is published. Occurrences from
/// before a tuple was published are added once by the backfill job (<see cref="ParamCountsBackfilled"/>).
/// Merge rule: counts add; first is the earlier, last the later; backfilled keys are united.
/// </summary>
public sealed class ParamCountsComponent : IUserComponent<ParamCountsComponent>
{
    [JsonPropertyName("counts")] public Dictionary<string, ParamAggregate> Counts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Keys whose earlier occurrences were already backfilled: a second backfill of them adds nothing.</summary>
    [JsonPropertyName("backfilled")] public HashSet<string> Backfilled { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        if (record.IsDeveloper)
            return;
        switch (record)
        {
            case EventTracked { Counted: { } counted, Params: { } parameters } e:
                foreach (var parameter in counted)
                {
                    if (parameters.TryGetValue(parameter, out var value))
                        Add(RuleValues.ParameterKey(e.Name, parameter, RuleValues.ParameterText(value)), 1, e.TimeMs, e.TimeMs);
                }
                break;
            case ParamCountsBackfilled b:
                foreach (var (key, found) in b.Counts)
                {
                    if (Backfilled.Add(key) && found.Count > 0)
                        Add(key, found.Count, found.FirstTimeMs, found.LastTimeMs);
                }
                break;
        }
    }

    public void MergeFrom(ParamCountsComponent source)
    {
        foreach (var (key, s) in source.Counts)
            Add(key, s.Count, s.FirstTimeMs, s.LastTimeMs);
        Backfilled.UnionWith(source.Backfilled);
    }

    private void Add(string key, long count, long first, long last)
    {
        if (!Counts.TryGetValue(key, out var aggregate))
        {
            Counts[key] = new ParamAggregate { Count = count, FirstTimeMs = first, LastTimeMs = last };
            return;
        }
        aggregate.Count += count;
        aggregate.FirstTimeMs = Math.Min(aggregate.FirstTimeMs, first);
        aggregate.LastTimeMs = Math.Max(aggregate.LastTimeMs, last);
    }
}

public sealed class ParamAggregate
{
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("firstTime")] public long FirstTimeMs { get; set; }
    [JsonPropertyName("lastTime")] public long LastTimeMs { get; set; }
}
