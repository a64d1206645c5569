using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>The open session, if any. Merge rule: the target's open session stays; the source's was closed before the move.</summary>
public sealed class SessionsComponent : IUserComponent<SessionsComponent>
{
    [JsonPropertyName("open")] public OpenSession? Open { get; set; }

    /// <summary>The session that ended last, kept for the next one (see <see cref="Begin"/>).</summary>
    private OpenSession? _ended;

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case SessionStarted s:
                Open = Begin(s);
                break;
            case SessionEnded e when Open?.Id == e.SessionId:
                _ended = Open;
                Open = null;
                break;
            case SessionPaused p when Open?.Id == p.SessionId:
                if (!Open.Background)
                    Open.ActiveMs += Math.Max(0, p.TimeMs - Open.LastActivityMs);
                Open.Paused = true;
                Open.LastActivityMs = Math.Max(Open.LastActivityMs, p.TimeMs);
                break;
            case SessionResumed r when Open?.Id == r.SessionId:
                Open.Paused = false;
                Open.Background = false;
                Open.LastActivityMs = Math.Max(Open.LastActivityMs, r.TimeMs);
                break;
            case Heartbeat or EventTracked { IsOffline: false } or StateEntered { SessionId: not null } when Open is { Paused: false, Background: false }:
                Open.ActiveMs += Math.Max(0, record.TimeMs - Open.LastActivityMs);
                Open.LastActivityMs = Math.Max(Open.LastActivityMs, record.TimeMs);
                break;
        }
    }

    public void MergeFrom(SessionsComponent source) => Open ??= source.Open;

    /// <summary>
    /// The session <paramref name="s"/> starts, in the object of the one that ended last if there is one (the user
    /// lives long; a new object for its old state to point at is work for every young collection until both are old).
    /// </summary>
    private OpenSession Begin(SessionStarted s)
    {
        var open = _ended ?? new OpenSession { Id = s.SessionId };
        _ended = null;
        open.Id = s.SessionId;
        open.StartMs = s.TimeMs;
        open.LastActivityMs = s.TimeMs;
        open.ActiveMs = 0;
        open.Paused = false;
        open.Background = s.Background;
        open.DeviceId = open.DeviceId == s.DeviceId ? open.DeviceId : s.DeviceId;
        return open;
    }
}

public sealed class OpenSession
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("start")] public long StartMs { get; set; }
    [JsonPropertyName("last")] public long LastActivityMs { get; set; }
    /// <summary>Milliseconds of foreground activity folded so far.</summary>
    [JsonPropertyName("active")] public long ActiveMs { get; set; }
    [JsonPropertyName("paused")] public bool Paused { get; set; }
    [JsonPropertyName("bg")] public bool Background { get; set; }
    [JsonPropertyName("dev")] public string? DeviceId { get; set; }
}
