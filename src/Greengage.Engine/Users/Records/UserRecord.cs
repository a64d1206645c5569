using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Apps;

namespace Greengage.Engine.Users.Records;

/// <summary>
/// One fact in a user's activity log. The user's state is the fold of these records over an empty state, so an
/// activation replays the log tail after its snapshot. Kind names and field names are persisted: never rename them
/// (a test freezes them).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "k")]
[JsonDerivedType(typeof(SessionStarted), SessionStarted.Kind)]
[JsonDerivedType(typeof(SessionEnded), SessionEnded.Kind)]
[JsonDerivedType(typeof(SessionPaused), SessionPaused.Kind)]
[JsonDerivedType(typeof(SessionResumed), SessionResumed.Kind)]
[JsonDerivedType(typeof(Heartbeat), Heartbeat.Kind)]
[JsonDerivedType(typeof(EventTracked), EventTracked.Kind)]
[JsonDerivedType(typeof(StateEntered), StateEntered.Kind)]
[JsonDerivedType(typeof(StateLeft), StateLeft.Kind)]
[JsonDerivedType(typeof(StatePaused), StatePaused.Kind)]
[JsonDerivedType(typeof(StateResumed), StateResumed.Kind)]
[JsonDerivedType(typeof(AttributesSet), AttributesSet.Kind)]
[JsonDerivedType(typeof(ProfileSet), ProfileSet.Kind)]
[JsonDerivedType(typeof(SubscriptionsChanged), SubscriptionsChanged.Kind)]
[JsonDerivedType(typeof(DevicesSet), DevicesSet.Kind)]
[JsonDerivedType(typeof(TrafficSourceSet), TrafficSourceSet.Kind)]
[JsonDerivedType(typeof(AggregatesSet), AggregatesSet.Kind)]
[JsonDerivedType(typeof(UserBlocked), UserBlocked.Kind)]
[JsonDerivedType(typeof(UserUnblocked), UserUnblocked.Kind)]
[JsonDerivedType(typeof(UserDeleted), UserDeleted.Kind)]
[JsonDerivedType(typeof(UserMerged), UserMerged.Kind)]
[JsonDerivedType(typeof(UserMoved), UserMoved.Kind)]
[JsonDerivedType(typeof(UserSwitched), UserSwitched.Kind)]
[JsonDerivedType(typeof(VariantsAssigned), VariantsAssigned.Kind)]
[JsonDerivedType(typeof(ParamCountsBackfilled), ParamCountsBackfilled.Kind)]
[JsonDerivedType(typeof(MessagesDecided), MessagesDecided.Kind)]
[JsonDerivedType(typeof(InAppQueued), InAppQueued.Kind)]
[JsonDerivedType(typeof(InboxItemAdded), InboxItemAdded.Kind)]
[JsonDerivedType(typeof(InboxItemRead), InboxItemRead.Kind)]
[JsonDerivedType(typeof(InboxItemDeleted), InboxItemDeleted.Kind)]
[JsonDerivedType(typeof(PushTokenRemoved), PushTokenRemoved.Kind)]
[JsonDerivedType(typeof(MessageSent), MessageSent.Kind)]
public abstract record UserRecord
{
    /// <summary>When it happened, Unix milliseconds (server clock, after skew correction).</summary>
    [JsonPropertyName("t")]
    public long TimeMs { get; init; }

    [JsonPropertyName("dev")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DeviceId { get; init; }

    /// <summary>The batch <c>uuid</c> and <c>reqId</c> that produced it, for retry detection.</summary>
    [JsonPropertyName("rq")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RequestMark? Request { get; init; }

    /// <summary>Data sent in development mode: kept out of analytics.</summary>
    [JsonPropertyName("dm")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool IsDeveloper { get; init; }

    [JsonIgnore]
    public abstract string KindName { get; }
}

/// <summary>Identifies a retried request: the batch <c>uuid</c> and the item's <c>reqId</c>.</summary>
public sealed record RequestMark(
    [property: JsonPropertyName("u")] string Uuid,
    [property: JsonPropertyName("r")] string ReqId);

public sealed record SessionStarted : UserRecord
{
    public const string Kind = "session.start";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("sid")] public required string SessionId { get; init; }
    [JsonPropertyName("bg")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Background { get; init; }
    [JsonPropertyName("dv")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DeviceInfo? Device { get; init; }
    [JsonPropertyName("loc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public LocaleInfo? Locale { get; init; }
    [JsonPropertyName("ua")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, JsonElement>? Attributes { get; init; }

    /// <summary>What the user had done before this session, for exports (spec 6.1 session fields).</summary>
    [JsonPropertyName("prior")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public PriorActivity? Prior { get; init; }
}

/// <summary>The user's lifetime activity before a session started.</summary>
public sealed record PriorActivity(
    [property: JsonPropertyName("sessions")] long Sessions,
    [property: JsonPropertyName("events")] long Events,
    [property: JsonPropertyName("states")] long States,
    [property: JsonPropertyName("timeInApp")] double TimeInAppSeconds);

public sealed record SessionEnded : UserRecord
{
    public const string Kind = "session.end";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("sid")] public required string SessionId { get; init; }
    /// <summary>Seconds of activity, pauses excluded.</summary>
    [JsonPropertyName("dur")] public double DurationSeconds { get; init; }

    /// <summary>Why it ended: <c>stop</c>, <c>timeout</c> or <c>restart</c> (a new start).</summary>
    [JsonPropertyName("why")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Reason { get; init; }
}

public sealed record SessionPaused : UserRecord
{
    public const string Kind = "session.pause";
    [JsonIgnore] public override string KindName => Kind;
    [JsonPropertyName("sid")] public required string SessionId { get; init; }
}

public sealed record SessionResumed : UserRecord
{
    public const string Kind = "session.resume";
    [JsonIgnore] public override string KindName => Kind;
    [JsonPropertyName("sid")] public required string SessionId { get; init; }

    /// <summary>True when this resume activates a session started in the background: from now on it counts.</summary>
    [JsonPropertyName("act")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Activates { get; init; }
}

public sealed record Heartbeat : UserRecord
{
    public const string Kind = "heartbeat";
    [JsonIgnore] public override string KindName => Kind;
}

public sealed record EventTracked : UserRecord
{
    public const string Kind = "event";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("n")] public required string Name { get; init => field = value is null ? value! : SharedNames.Process.Get(value); }
    [JsonPropertyName("v")] public double Value { get; init; }
    [JsonPropertyName("i")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Info { get; init; }
    [JsonPropertyName("p")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, JsonElement>? Params { get; init; }
    [JsonPropertyName("sid")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SessionId { get; init; }
    [JsonPropertyName("mid")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MessageId { get; init; }
    [JsonPropertyName("off")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool IsOffline { get; init; }

    /// <summary>The parameters whose (event, parameter, value) tuples published audiences count (ARCHITECTURE decision 6).</summary>
    [JsonPropertyName("pc")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Counted { get; init; }
}

public sealed record AttributesSet : UserRecord
{
    public const string Kind = "attributes";
    [JsonIgnore] public override string KindName => Kind;

    /// <summary>Attribute values to set; a JSON null clears the attribute.</summary>
    [JsonPropertyName("set")] public required Dictionary<string, JsonElement> Values { get; init; }
}
