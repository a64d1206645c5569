using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The user's inbox (newsfeed, spec 4.4): items in delivery order, each with its id <c>&lt;messageId&gt;##&lt;n&gt;</c>,
/// read flag, expiry and message data; and per message the last <c>n</c> given, so an id is never given twice. A new
/// item drops the items expired by its time (they are no longer answered; docs/messages-inbox.md). Merge rule (login):
/// the source's items join the target's in delivery order; a source item whose id the target already uses (both users
/// got occurrence n of one message) is renumbered past both users' last <c>n</c>.
/// </summary>
public sealed class InboxComponent : IUserComponent<InboxComponent>
{
    [JsonPropertyName("items")] public List<InboxItem> Items { get; set; } = [];

    /// <summary>The last occurrence number given per message id.</summary>
    [JsonPropertyName("n")] public Dictionary<string, int> Occurrences { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case InboxItemAdded a:
                RemoveReplacedOrExpired(a.ItemId, a.TimeMs);
                Items.Add(new InboxItem { Id = a.ItemId, MessageId = a.MessageId, DeliveredMs = a.TimeMs, ExpiresMs = a.ExpiresMs, Data = a.Data });
                var n = int.TryParse(a.ItemId.AsSpan(a.ItemId.IndexOf("##", StringComparison.Ordinal) + 2), out var parsed) ? parsed : 0;
                if (!Occurrences.TryGetValue(a.MessageId, out var last) || n > last)
                    Occurrences[a.MessageId] = n;
                break;
            case InboxItemRead r:
                if (Find(r.ItemId) is { } read)
                    read.IsRead = true;
                break;
            case InboxItemDeleted d:
                RemoveReplacedOrExpired(d.ItemId, nowMs: null);
                break;
        }
    }

    // Loops rather than lambdas: a lambda capturing a case's variable made Apply allocate its closure for every record.
    private InboxItem? Find(string id)
    {
        foreach (var item in Items)
        {
            if (item.Id == id)
                return item;
        }
        return null;
    }

    /// <summary>Removes the item <paramref name="id"/> and, given <paramref name="nowMs"/>, every item expired by then.</summary>
    private void RemoveReplacedOrExpired(string id, long? nowMs)
    {
        for (var i = Items.Count - 1; i >= 0; i--)
        {
            if (Items[i].Id == id || (nowMs is { } now && Items[i].ExpiresMs <= now))
                Items.RemoveAt(i);
        }
    }

    public void MergeFrom(InboxComponent source)
    {
        foreach (var (id, n) in source.Occurrences)
        {
            if (!Occurrences.TryGetValue(id, out var last) || n > last)
                Occurrences[id] = n;
        }
        var taken = Items.Select(i => i.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var item in source.Items)
        {
            var joined = item;
            if (taken.Contains(item.Id))
            {
                var n = Occurrences.GetValueOrDefault(item.MessageId) + 1;
                Occurrences[item.MessageId] = n;
                joined = new InboxItem { Id = ItemId(item.MessageId, n), MessageId = item.MessageId, DeliveredMs = item.DeliveredMs, ExpiresMs = item.ExpiresMs, IsRead = item.IsRead, Data = item.Data };
            }
            taken.Add(joined.Id);
            Items.Add(joined);
        }
        // Stable: items delivered at the same millisecond keep their order (the target's first).
        Items = [.. Items.OrderBy(i => i.DeliveredMs)];
    }

    /// <summary>The inbox id of occurrence <paramref name="n"/> of a message: <c>&lt;messageId&gt;##&lt;n&gt;</c>.</summary>
    public static string ItemId(string messageId, int n) => string.Concat(messageId, "##", n.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

public sealed class InboxItem
{
    [JsonPropertyName("id")] public required string Id { get; set; }
    [JsonPropertyName("m")] public required string MessageId { get; set; }
    [JsonPropertyName("at")] public long DeliveredMs { get; set; }
    [JsonPropertyName("exp")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ExpiresMs { get; set; }
    [JsonPropertyName("read")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool IsRead { get; set; }
    [JsonPropertyName("data")] public JsonElement Data { get; set; }
}
