using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The user's in-app messages: the hold-out decision for each message that reached them (decided once: true = held
/// back), and the in-app messages sent to them by hand, waiting to be shown. Merge rule (login): the target's
/// decisions win; the source's fill the rest; waiting sends of both are kept.
/// </summary>
public sealed class MessagesComponent : IUserComponent<MessagesComponent>
{
    [JsonPropertyName("decided")] public Dictionary<string, bool> Decided { get; set; } = new(StringComparer.Ordinal);

    [JsonPropertyName("queued")] public Dictionary<string, QueuedInApp> Queued { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Server sends and inbox items of the last 7 days, oldest first (what frequency caps count).</summary>
    [JsonPropertyName("sent")] public List<SentMark> Sent { get; set; } = [];

    /// <summary>The latest occurrence of each scheduled message (by id) sent to the user.</summary>
    [JsonPropertyName("scheduled")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, long>? Scheduled { get; set; }

    /// <summary>Whether occurrence <paramref name="occurrence"/> of a scheduled message (or a later one) was sent to the user.</summary>
    public bool GotOccurrence(string messageId, long occurrence) =>
        Scheduled is not null && Scheduled.TryGetValue(messageId, out var latest) && latest >= occurrence;

    /// <summary>How many sends since <paramref name="sinceMs"/>, of a channel (exempt ones left out) or of a message.</summary>
    public int SendsSince(long sinceMs, string? channel = null, string? messageId = null)
    {
        var n = 0;
        foreach (var mark in Sent)
        {
            if (mark.AtMs > sinceMs && (channel is null || (mark.Channel == channel && !mark.Exempt)) && (messageId is null || mark.MessageId == messageId))
                n++;
        }
        return n;
    }

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case MessagesDecided d:
                foreach (var id in d.HeldBack ?? [])
                    Decided.TryAdd(id, true);
                foreach (var id in d.Reached ?? [])
                    Decided.TryAdd(id, false);
                break;
            case MessageSent sent:
                ForgetSentBefore(sent.TimeMs - WeekMs);
                Sent.Add(new SentMark { MessageId = sent.MessageId, Channel = sent.Channel, AtMs = sent.TimeMs, Exempt = sent.Exempt });
                if (sent.Occurrence is { } occurrence && !GotOccurrence(sent.MessageId, occurrence))
                    (Scheduled ??= new(StringComparer.Ordinal))[sent.MessageId] = occurrence;
                break;
            case InAppQueued q:
                Queued[q.MessageId] = new QueuedInApp { Values = q.Values, AtMs = q.TimeMs };
                break;
            // Seen (any event of the message, the impression first): no longer waiting.
            case EventTracked { MessageId: { } messageId } when Queued.Count > 0:
                Queued.Remove(messageId);
                break;
        }
    }

    private const long WeekMs = 7L * 24 * 3600 * 1000;

    // A loop rather than a lambda: one capturing a case's variable made Apply allocate its closure for every record.
    private void ForgetSentBefore(long cutoffMs)
    {
        for (var i = Sent.Count - 1; i >= 0; i--)
        {
            if (Sent[i].AtMs <= cutoffMs)
                Sent.RemoveAt(i);
        }
    }

    public void MergeFrom(MessagesComponent source)
    {
        Sent.AddRange(source.Sent);
        Sent.Sort((a, b) => a.AtMs.CompareTo(b.AtMs));
        foreach (var (id, occurrence) in source.Scheduled ?? [])
        {
            if (!GotOccurrence(id, occurrence))
                (Scheduled ??= new(StringComparer.Ordinal))[id] = occurrence;
        }
        foreach (var (id, held) in source.Decided)
            Decided.TryAdd(id, held);
        foreach (var (id, queued) in source.Queued)
            Queued.TryAdd(id, queued);
    }
}

public sealed class QueuedInApp
{
    [JsonPropertyName("v")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Values { get; set; }
    [JsonPropertyName("at")] public long AtMs { get; set; }
    [JsonPropertyName("ex")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Exempt { get; set; }
}

public sealed class SentMark
{
    [JsonPropertyName("m")] public required string MessageId { get; set; }
    [JsonPropertyName("ch")] public required string Channel { get; set; }
    [JsonPropertyName("at")] public long AtMs { get; set; }
    [JsonPropertyName("ex")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Exempt { get; set; }
}
