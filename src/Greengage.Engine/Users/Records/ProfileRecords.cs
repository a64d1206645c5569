using System.Text.Json.Serialization;
using Greengage.Engine.Users.Components;

namespace Greengage.Engine.Users.Records;

// Profile, devices, traffic source, block and deletion (spec 4.2, 6.3). Handlers resolve every rule that depends on
// the current state (list sets, increments, the device cap) before they emit, so applying a record never needs
// anything but the record. Kind and field names are persisted: never rename them.

/// <summary>
/// Overwrites profile fields from <c>setUserAttributes</c>: locale and location (merged field by field), the location
/// accuracy type, and the lifetime counters <c>created</c>, <c>lastActive</c>, <c>totalSessions</c>, <c>timeSpentInApp</c>.
/// </summary>
public sealed record ProfileSet : UserRecord
{
    public const string Kind = "profile.set";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("loc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public LocaleInfo? Locale { get; init; }
    /// <summary><c>IP</c>, <c>CELL</c> or <c>GPS</c> (upper-cased; other values kept as sent).</summary>
    [JsonPropertyName("acc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? LocationAccuracyType { get; init; }
    [JsonPropertyName("created")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? CreatedMs { get; init; }
    [JsonPropertyName("lastActive")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? LastActiveMs { get; init; }
    [JsonPropertyName("sessions")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? TotalSessions { get; init; }
    [JsonPropertyName("timeInApp")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? TimeSpentInApp { get; init; }
}

/// <summary>Channel and category unsubscriptions (set semantics: adds first, then removes).</summary>
public sealed record SubscriptionsChanged : UserRecord
{
    public const string Kind = "unsubscribe";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("chAdd")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? ChannelsToAdd { get; init; }
    [JsonPropertyName("chRem")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? ChannelsToRemove { get; init; }
    [JsonPropertyName("catAdd")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? CategoriesToAdd { get; init; }
    [JsonPropertyName("catRem")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? CategoriesToRemove { get; init; }
}

/// <summary>
/// Devices upserted by id (<c>setDeviceAttributes</c>, the <c>devices</c> of <c>setUserAttributes</c>), after the
/// devices in <see cref="Drop"/> were removed to stay within the per-user cap. Each device in <see cref="Set"/> is
/// seen at the record's time.
/// </summary>
public sealed record DevicesSet : UserRecord
{
    public const string Kind = "devices";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("set")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<DeviceUpdate>? Set { get; init; }
    [JsonPropertyName("drop")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Drop { get; init; }
}

/// <summary>One device's new fields; absent fields keep their old value.</summary>
public sealed record DeviceUpdate
{
    [JsonPropertyName("id")] public required string Id { get; init; }
    [JsonPropertyName("dv")] public required DeviceInfo Info { get; init; }
    /// <summary>iOS notification types (a bit mask).</summary>
    [JsonPropertyName("pt")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? IosPushTypes { get; init; }
    /// <summary>iOS notification category identifiers.</summary>
    [JsonPropertyName("pc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? IosPushCategories { get; init; }
}

/// <summary><c>setTrafficSourceInfo</c>: the install's attribution, replacing the previous one whole.</summary>
public sealed record TrafficSourceSet : UserRecord
{
    public const string Kind = "source";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("src")] public required TrafficSource Source { get; init; }
}

/// <summary>Attribution fields, named as the wire's <c>trafficSource</c> object names them.</summary>
public sealed record TrafficSource
{
    [JsonPropertyName("publisherId")] public string? PublisherId { get; init; }
    [JsonPropertyName("publisherName")] public string? PublisherName { get; init; }
    [JsonPropertyName("publisherSubPublisher")] public string? PublisherSubPublisher { get; init; }
    [JsonPropertyName("publisherSubSite")] public string? PublisherSubSite { get; init; }
    [JsonPropertyName("publisherSubCampaign")] public string? PublisherSubCampaign { get; init; }
    [JsonPropertyName("publisherSubAdGroup")] public string? PublisherSubAdGroup { get; init; }
    [JsonPropertyName("publisherSubAd")] public string? PublisherSubAd { get; init; }
}

/// <summary>
/// Lifetime event and state statistics written by <c>setUserAttributes</c> (<c>events</c>, <c>states</c>): absolute
/// values overwrite, increments add after. Kept out of aggregates when sent in development mode.
/// </summary>
public sealed record AggregatesSet : UserRecord
{
    public const string Kind = "aggregates.set";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("ev")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, AggregateOverride>? Events { get; init; }
    [JsonPropertyName("st")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, AggregateOverride>? States { get; init; }
}

/// <summary>What to write into one lifetime aggregate; null fields are left as they are.</summary>
public sealed record AggregateOverride
{
    [JsonPropertyName("count")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Count { get; init; }
    [JsonPropertyName("countInc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? CountIncrement { get; init; }
    [JsonPropertyName("value")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Value { get; init; }
    [JsonPropertyName("valueInc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ValueIncrement { get; init; }
    [JsonPropertyName("first")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? FirstTimeMs { get; init; }
    [JsonPropertyName("last")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? LastTimeMs { get; init; }

    /// <summary>
    /// The event aggregate after this override: absolute values first, then increments (a count never goes below 0;
    /// a value that would overflow is left as it was).
    /// A new aggregate without times gets <paramref name="timeMs"/> (the record's time) for both.
    /// </summary>
    public EventAggregate ApplyTo(EventAggregate? current, long timeMs)
    {
        var agg = current ?? new EventAggregate { FirstTimeMs = timeMs, LastTimeMs = timeMs };
        agg.Count = Math.Max(0, (Count ?? agg.Count) + (CountIncrement ?? 0));
        // A sum beyond double's range would make the state unwritable (JSON has no infinity): the value stays.
        var value = (Value ?? agg.Value) + (ValueIncrement ?? 0);
        if (double.IsFinite(value))
            agg.Value = value;
        agg.FirstTimeMs = FirstTimeMs ?? agg.FirstTimeMs;
        agg.LastTimeMs = LastTimeMs ?? agg.LastTimeMs;
        return agg;
    }

    /// <summary>The state aggregate after this override (states have no value: the value fields are ignored).</summary>
    public StateAggregate ApplyTo(StateAggregate? current, long timeMs)
    {
        var agg = current ?? new StateAggregate { FirstTimeMs = timeMs, LastTimeMs = timeMs };
        agg.Count = Math.Max(0, (Count ?? agg.Count) + (CountIncrement ?? 0));
        agg.FirstTimeMs = FirstTimeMs ?? agg.FirstTimeMs;
        agg.LastTimeMs = LastTimeMs ?? agg.LastTimeMs;
        return agg;
    }
}

/// <summary><c>block</c>: data collection stops (writes answer 451) and the user's attributes are erased.</summary>
public sealed record UserBlocked : UserRecord
{
    public const string Kind = "block";
    [JsonIgnore] public override string KindName => Kind;
}

/// <summary><c>unblock</c>: data collection resumes.</summary>
public sealed record UserUnblocked : UserRecord
{
    public const string Kind = "unblock";
    [JsonIgnore] public override string KindName => Kind;
}

/// <summary>
/// <c>deleteUser</c>: the live state starts over (the user no longer exists). The retry marks and a block outlive it.
/// <see cref="FullErasure"/> also erases the user's stored activity through this record, in the same commit.
/// </summary>
public sealed record UserDeleted : UserRecord
{
    public const string Kind = "user.delete";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("full")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool FullErasure { get; init; }
}
