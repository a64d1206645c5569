using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The user's inbox (newsfeed, spec 4.4): items in delivery order, each with its id <c>&lt;messageId&gt;##&lt;n&gt;</c>,
/// read flag, expiry and message data; and per message the last <c>n</c> given. Merge rule (login): the source's items
/// join the target's (ids are per message and user, so a clash keeps the target's).
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
                Items.RemoveAll(i => i.Id == a.ItemId);
                Items.Add(new InboxItem { Id = a.ItemId, MessageId = a.MessageId, DeliveredMs = a.TimeMs, ExpiresMs = a.ExpiresMs, Data = a.Data });
                var n = int.TryParse(a.ItemId.AsSpan(a.ItemId.IndexOf("##", StringComparison.Ordinal) + 2), out var parsed) ? parsed : 0;
                if (!Occurrences.TryGetValue(a.MessageId, out var last) || n > last)
                    Occurrences[a.MessageId] = n;
                break;
            case InboxItemRead r:
                if (Items.Find(i => i.Id == r.ItemId) is { } read)
                    read.IsRead = true;
                break;
            case InboxItemDeleted d:
                Items.RemoveAll(i => i.Id == d.ItemId);
                break;
        }
    }

    public void MergeFrom(InboxComponent source)
    {
        foreach (var item in source.Items)
        {
            if (!Items.Exists(i => i.Id == item.Id))
                Items.Add(item);
        }
        Items.Sort((a, b) => a.DeliveredMs.CompareTo(b.DeliveredMs));
        foreach (var (id, n) in source.Occurrences)
        {
            if (!Occurrences.TryGetValue(id, out var last) || n > last)
                Occurrences[id] = n;
        }
    }
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
