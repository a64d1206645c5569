using System.Text.Json.Serialization;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// Per-user counts of the (event, parameter, value) tuples that published audiences name (ARCHITECTURE decision 6),
/// keyed by <see cref="RuleValues.ParameterKey"/>. What to count is decided when the event is tracked and written into
/// its record (<see cref="EventTracked.Counted"/>), so the fold never depends on what is published: those are
/// <see cref="Counts"/>. The occurrences that were not counted then (from before the tuple was published, or while it
/// was not) are counted from the log by the backfill job and kept apart in <see cref="Earlier"/>, replaced whole by
/// each backfill (<see cref="ParamCountsBackfilled"/>), so a backfill run twice counts nothing twice.
/// Merge rule: both add; first is the earlier, last the later.
/// </summary>
public sealed class ParamCountsComponent : IUserComponent<ParamCountsComponent>
{
    [JsonPropertyName("counts")] public Dictionary<string, ParamAggregate> Counts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Occurrences the live count missed, as the last backfill found them.</summary>
    [JsonPropertyName("earlier")] public Dictionary<string, ParamAggregate> Earlier { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Live and backfilled occurrences of one tuple together (count 0 and no times when none).</summary>
    public (long Count, long? FirstTimeMs, long? LastTimeMs) Get(string key)
    {
        var live = Counts.GetValueOrDefault(key);
        var earlier = Earlier.GetValueOrDefault(key);
        if (live is null && earlier is null)
            return (0, null, null);
        if (live is null || earlier is null)
        {
            var one = live ?? earlier!;
            return (one.Count, one.FirstTimeMs, one.LastTimeMs);
        }
        return (live.Count + earlier.Count, Math.Min(live.FirstTimeMs, earlier.FirstTimeMs), Math.Max(live.LastTimeMs, earlier.LastTimeMs));
    }

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
                        Add(Counts, RuleValues.ParameterKey(e.Name, parameter, RuleValues.ParameterText(value)), 1, e.TimeMs, e.TimeMs);
                }
                break;
            case ParamCountsBackfilled b:
                foreach (var (key, found) in b.Counts)
                {
                    if (found.Count > 0)
                        Earlier[key] = new ParamAggregate { Count = found.Count, FirstTimeMs = found.FirstTimeMs, LastTimeMs = found.LastTimeMs };
                    else
                        Earlier.Remove(key);
                }
                break;
        }
    }

    public void MergeFrom(ParamCountsComponent source)
    {
        foreach (var (key, s) in source.Counts)
            Add(Counts, key, s.Count, s.FirstTimeMs, s.LastTimeMs);
        foreach (var (key, s) in source.Earlier)
            Add(Earlier, key, s.Count, s.FirstTimeMs, s.LastTimeMs);
    }

    private static void Add(Dictionary<string, ParamAggregate> counts, string key, long count, long first, long last)
    {
        if (!counts.TryGetValue(key, out var aggregate))
        {
            counts[key] = new ParamAggregate { Count = count, FirstTimeMs = first, LastTimeMs = last };
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
