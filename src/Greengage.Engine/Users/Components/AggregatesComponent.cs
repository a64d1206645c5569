using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// Lifetime per-user counters (spec 6.2): per event <c>count</c>, <c>value</c> (sum), first and last time; per state
/// <c>count</c>, first and last time (the time it was entered). Data sent in development mode is left out.
/// Merge rule: counts and values add; first is the earlier, last the later.
/// </summary>
public sealed class AggregatesComponent : IUserComponent<AggregatesComponent>
{
    [JsonPropertyName("events")] public Dictionary<string, EventAggregate> Events { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("states")] public Dictionary<string, StateAggregate> States { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        if (record.IsDeveloper)
            return;
        switch (record)
        {
            case EventTracked e:
            {
                if (!Events.TryGetValue(e.Name, out var agg))
                    Events[e.Name] = agg = new EventAggregate { FirstTimeMs = e.TimeMs, LastTimeMs = e.TimeMs };
                agg.Count++;
                agg.Value += e.Value;
                agg.FirstTimeMs = Math.Min(agg.FirstTimeMs, e.TimeMs);
                agg.LastTimeMs = Math.Max(agg.LastTimeMs, e.TimeMs);
                break;
            }
            case StateEntered s:
            {
                if (!States.TryGetValue(s.Name, out var agg))
                    States[s.Name] = agg = new StateAggregate { FirstTimeMs = s.TimeMs, LastTimeMs = s.TimeMs };
                agg.Count++;
                agg.FirstTimeMs = Math.Min(agg.FirstTimeMs, s.TimeMs);
                agg.LastTimeMs = Math.Max(agg.LastTimeMs, s.TimeMs);
                break;
            }
            case AggregatesSet a:
                // setUserAttributes `events`/`states` overwrite lifetime stats (rules in AggregateOverride.ApplyTo).
                foreach (var (name, o) in a.Events ?? [])
                    Events[name] = o.ApplyTo(Events.GetValueOrDefault(name), a.TimeMs);
                foreach (var (name, o) in a.States ?? [])
                    States[name] = o.ApplyTo(States.GetValueOrDefault(name), a.TimeMs);
                break;
        }
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
        foreach (var (name, s) in source.States)
        {
            if (!States.TryGetValue(name, out var t))
            {
                States[name] = new StateAggregate { Count = s.Count, FirstTimeMs = s.FirstTimeMs, LastTimeMs = s.LastTimeMs };
                continue;
            }
            t.Count += s.Count;
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

public sealed class StateAggregate
{
    [JsonPropertyName("count")] public long Count { get; set; }
    [JsonPropertyName("firstTime")] public long FirstTimeMs { get; set; }
    [JsonPropertyName("lastTime")] public long LastTimeMs { get; set; }
}
