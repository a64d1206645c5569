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
            case InAppQueued q:
                Queued[q.MessageId] = new QueuedInApp { Values = q.Values, AtMs = q.TimeMs };
                break;
            // Seen (any event of the message, the impression first): no longer waiting.
            case EventTracked { MessageId: { } messageId } when Queued.Count > 0:
                Queued.Remove(messageId);
                break;
        }
    }

    public void MergeFrom(MessagesComponent source)
    {
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
}
