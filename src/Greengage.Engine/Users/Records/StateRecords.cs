using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Apps;

namespace Greengage.Engine.Users.Records;

// States (spec 4.1 advance/pauseState/resumeState, 6.2). An advance is two facts: the previous state is left (with
// its duration, pauses excluded) and the next one is entered. Kind and field names are persisted: never rename them.

/// <summary>The user entered a state (<c>advance</c> with a non-empty <c>state</c>).</summary>
public sealed record StateEntered : UserRecord
{
    public const string Kind = "state.enter";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("n")] public required string Name { get; init => field = value is null ? value! : SharedNames.Process.Get(value); }
    [JsonPropertyName("i")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Info { get; init; }
    [JsonPropertyName("p")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, JsonElement>? Params { get; init; }
    /// <summary>The session it was entered in; null outside a session.</summary>
    [JsonPropertyName("sid")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SessionId { get; init; }
}

/// <summary>The user left a state: at the next <c>advance</c> (or <c>advance</c> with <c>state=""</c>).</summary>
public sealed record StateLeft : UserRecord
{
    public const string Kind = "state.leave";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("n")] public required string Name { get; init; }
    /// <summary>Seconds spent in the state, its own pauses and the session's pauses excluded.</summary>
    [JsonPropertyName("dur")] public double DurationSeconds { get; init; }
}

/// <summary><c>pauseState</c>: the current state's clock stops.</summary>
public sealed record StatePaused : UserRecord
{
    public const string Kind = "state.pause";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("n")] public required string Name { get; init; }
}

/// <summary><c>resumeState</c>: the current state's clock runs again.</summary>
public sealed record StateResumed : UserRecord
{
    public const string Kind = "state.resume";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("n")] public required string Name { get; init; }
}
