using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>Where the user came from (<c>setTrafficSourceInfo</c>). Merge rule: the target's attribution wins; a gap is filled.</summary>
public sealed class TrafficSourceComponent : IUserComponent<TrafficSourceComponent>
{
    [JsonPropertyName("source")] public TrafficSource? Source { get; set; }

    public void Apply(UserRecord record)
    {
        if (record is TrafficSourceSet s)
            Source = s.Source;
    }

    public void MergeFrom(TrafficSourceComponent source) => Source ??= source.Source;
}
