using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The user's current state (spec 4.1 <c>advance</c>) with its clock, and the counts of events and states in the
/// session they were last recorded in (spec 6.2 per-session limits).
/// <para>
/// The state's clock runs while neither the state (<c>pauseState</c>) nor its session (<c>pauseSession</c>) is paused.
/// When its session ends the clock stops for good and the state is <see cref="CurrentState.Closed"/>: the next
/// <c>advance</c> records that it was left, at the session's end and with the time it ran.
/// </para>
/// Merge rule: the target's current state and counters stay; the source's fill a gap.
/// </summary>
public sealed class StatesComponent : IUserComponent<StatesComponent>
{
    [JsonPropertyName("current")] public CurrentState? Current { get; set; }

    [JsonPropertyName("session")] public SessionCounts? Session { get; set; }

    /// <summary>The state last left, kept for the next one entered (see <see cref="Enter"/>).</summary>
    private CurrentState? _left;

    /// <summary>The current state when it is still live (not closed by the end of its session).</summary>
    [JsonIgnore] public CurrentState? Live => Current is { Closed: false } c ? c : null;

    /// <summary>Events recorded so far in session <paramref name="sessionId"/>.</summary>
    public long EventsIn(string sessionId) => Session?.Id == sessionId ? Session.Events : 0;

    /// <summary>States entered so far in session <paramref name="sessionId"/>.</summary>
    public long StatesIn(string sessionId) => Session?.Id == sessionId ? Session.States : 0;

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case EventTracked { SessionId: { } sid }:
                CountsFor(sid).Events++;
                break;
            case StateEntered s:
                if (s.SessionId is { } entered)
                    CountsFor(entered).States++;
                Current = Enter(s);
                break;
            case StateLeft l when Current?.Name == l.Name:
                _left = Current;
                Current = null;
                break;
            case StatePaused p when Live is { Paused: false } c && c.Name == p.Name:
                c.Advance(p.TimeMs);
                c.Paused = true;
                break;
            case StateResumed r when Live is { Paused: true } c && c.Name == r.Name:
                c.Advance(r.TimeMs);
                c.Paused = false;
                break;
            case SessionPaused p when Live is { } c && c.SessionId == p.SessionId:
                c.Advance(p.TimeMs);
                c.SessionPaused = true;
                break;
            case SessionResumed r when Live is { } c && c.SessionId == r.SessionId:
                c.Advance(r.TimeMs);
                c.SessionPaused = false;
                break;
            case SessionEnded e when Live is { } c && c.SessionId == e.SessionId:
                c.Advance(e.TimeMs);
                c.Closed = true;
                break;
        }
    }

    public void MergeFrom(StatesComponent source)
    {
        Current ??= source.Current;
        Session ??= source.Session;
    }

    // A user in memory lives long and its state grows old; what an advance or a new session changes is written into
    // the objects it already has rather than into new ones (a new object for the old state to point at is work for
    // every young collection until both are old).

    private CurrentState Enter(StateEntered s)
    {
        var state = _left ?? new CurrentState { Name = s.Name };
        _left = null;
        state.Name = s.Name;
        state.SessionId = state.SessionId == s.SessionId ? state.SessionId : s.SessionId;
        state.EnterMs = s.TimeMs;
        state.LastMs = s.TimeMs;
        state.ActiveMs = 0;
        state.Paused = false;
        state.SessionPaused = false;
        state.Closed = false;
        return state;
    }

    private SessionCounts CountsFor(string sessionId)
    {
        if (Session is null)
            Session = new SessionCounts { Id = sessionId };
        else if (Session.Id != sessionId)
        {
            Session.Id = sessionId;
            Session.Events = 0;
            Session.States = 0;
        }
        return Session;
    }
}

public sealed class CurrentState
{
    [JsonPropertyName("name")] public required string Name { get; set; }
    [JsonPropertyName("enter")] public long EnterMs { get; set; }
    /// <summary>The last time the clock was read (a transition), Unix milliseconds.</summary>
    [JsonPropertyName("last")] public long LastMs { get; set; }
    /// <summary>Milliseconds the clock ran up to <see cref="LastMs"/>.</summary>
    [JsonPropertyName("active")] public long ActiveMs { get; set; }
    [JsonPropertyName("paused")] public bool Paused { get; set; }
    [JsonPropertyName("sessionPaused")] public bool SessionPaused { get; set; }
    /// <summary>Its session ended: the clock stopped at <see cref="LastMs"/>.</summary>
    [JsonPropertyName("closed")] public bool Closed { get; set; }
    [JsonPropertyName("sid")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SessionId { get; set; }

    [JsonIgnore] public bool Running => !Paused && !SessionPaused && !Closed;

    /// <summary>Milliseconds spent in the state up to <paramref name="atMs"/> (never before its last transition).</summary>
    public long ActiveAt(long atMs) => ActiveMs + (Running ? Math.Max(0, atMs - LastMs) : 0);

    /// <summary>Folds the clock up to <paramref name="atMs"/>; a time before the last transition changes nothing.</summary>
    public void Advance(long atMs)
    {
        ActiveMs = ActiveAt(atMs);
        LastMs = Math.Max(LastMs, atMs);
    }
}

public sealed class SessionCounts
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("events")] public long Events { get; set; }
    [JsonPropertyName("states")] public long States { get; set; }
}
