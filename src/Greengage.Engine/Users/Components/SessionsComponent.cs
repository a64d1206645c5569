using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>The open session, if any. Merge rule: the target's open session stays; the source's was closed before the move.</summary>
public sealed class SessionsComponent : IUserComponent<SessionsComponent>
{
    [JsonPropertyName("open")] public OpenSession? Open { get; set; }

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case SessionStarted s:
                Open = new OpenSession { Id = s.SessionId, StartMs = s.TimeMs, LastActivityMs = s.TimeMs, Background = s.Background, DeviceId = s.DeviceId };
                break;
            case SessionEnded e when Open?.Id == e.SessionId:
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
