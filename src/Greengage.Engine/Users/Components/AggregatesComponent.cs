using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>Lifetime per-event counters (spec 6.2). Merge rule: counts and values add; first is the earlier, last the later.</summary>
public sealed class AggregatesComponent : IUserComponent<AggregatesComponent>
{
    [JsonPropertyName("events")] public Dictionary<string, EventAggregate> Events { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        if (record is not EventTracked e || record.IsDeveloper)
            return;
        if (!Events.TryGetValue(e.Name, out var agg))
            Events[e.Name] = agg = new EventAggregate { FirstTimeMs = e.TimeMs, LastTimeMs = e.TimeMs };
        agg.Count++;
        agg.Value += e.Value;
        agg.FirstTimeMs = Math.Min(agg.FirstTimeMs, e.TimeMs);
        agg.LastTimeMs = Math.Max(agg.LastTimeMs, e.TimeMs);
    }

    public void MergeFrom(AggregatesComponent source)
    {
        foreach (var (name, s) in source.Events)
        {
            if (!Events.TryGetValue(name, out var t))
            {
                Events[name] = new EventAggregate { Count = s.Count, Value = s.Value, FirstTimeMs = s.FirstTimeMs, LastTimeMs = s.LastTimeMs };
                continue;
            }
            t.Count += s.Count;
            t.Value += s.Value;
            t.FirstTimeMs = Math.Min(t.FirstTimeMs, s.FirstTimeMs);
            t.LastTimeMs = Math.Max(t.LastTimeMs, s.LastTimeMs);
        }
    }
}

public sealed class EventAggregate
{
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("value")] public double Value { get; set; }
    [JsonPropertyName("firstTime")] public long FirstTimeMs { get; set; }
    [JsonPropertyName("lastTime")] public long LastTimeMs { get; set; }
}
