using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Messages;

/// <summary>
/// The inbox (newsfeed, spec 4.4) as the SDKs see it, and what putting an item in records. An item is live until its
/// expiry; expired items are not answered and leave the state with the next item added (the component's fold). A
/// full inbox (<see cref="MessagesOptions.InboxMaxItems"/> live items) makes room by removing its oldest items first,
/// recorded as evictions in the same action. No I/O.
/// </summary>
public static class InboxDelivery
{
    /// <summary>Whether the item is still shown at <paramref name="nowMs"/>.</summary>
    public static bool IsLive(InboxItem item, long nowMs) => item.ExpiresMs is not { } expires || expires > nowMs;

    /// <summary>The live item with id <paramref name="itemId"/>, or null.</summary>
    public static InboxItem? FindLive(InboxComponent inbox, string itemId, long nowMs) =>
        inbox.Items.Find(i => string.Equals(i.Id, itemId, StringComparison.Ordinal) && IsLive(i, nowMs));

    /// <summary>
    /// <c>newsfeedMessages</c> of <c>getNewsfeedMessages</c>: id to <c>{deliveryTimestamp, expirationTimestamp?, isRead,
    /// messageData}</c> (milliseconds), live items only, in delivery order.
    /// </summary>
    public static JsonObject Answer(InboxComponent inbox, long nowMs)
    {
        var messages = new JsonObject();
        foreach (var item in inbox.Items)
        {
            if (!IsLive(item, nowMs))
                continue;
            var entry = new JsonObject { ["deliveryTimestamp"] = item.DeliveredMs };
            if (item.ExpiresMs is { } expires)
                entry["expirationTimestamp"] = expires;
            entry["isRead"] = item.IsRead;
            // Backed by the stored element: written out as it is, not rebuilt node by node.
            entry["messageData"] = item.Data.ValueKind == JsonValueKind.Object ? JsonObject.Create(item.Data) : null;
            messages[item.Id] = entry;
        }
        return messages;
    }

    /// <summary>
    /// <c>messageData</c> of an item of <paramref name="message"/>: its <c>vars</c> (the template's defaults with the
    /// message's values over them, personalised for <paramref name="context"/>), <c>action</c> and <c>parentCampaignId</c>.
    /// </summary>
    public static JsonObject MessageData(LiveMessage message, PersonalizationContext context)
    {
        var vars = MessageTemplates.Vars(message.Template, message.Document.Values);
        return new JsonObject
        {
            ["vars"] = message.Personalized ? Personalization.Render(vars, context) : vars,
            ["action"] = MessageTemplates.NewsfeedMessage,
            ["parentCampaignId"] = message.Document.CampaignId,
        };
    }

    /// <summary>
    /// The records that put a new item of message <paramref name="messageId"/> in the inbox at <paramref name="nowMs"/>:
    /// first an eviction (<see cref="InboxItemDeleted.Evicted"/>) of each oldest live item while the inbox holds
    /// <paramref name="maxItems"/> or more, then the item with the next id <c>&lt;messageId&gt;##&lt;n&gt;</c>, expiring
    /// <paramref name="ttlSeconds"/> after delivery (never when null).
    /// </summary>
    public static List<UserRecord> Add(InboxComponent inbox, string messageId, JsonObject data, long? ttlSeconds, int maxItems, long nowMs)
    {
        var records = new List<UserRecord>();
        var live = inbox.Items.Where(i => IsLive(i, nowMs)).ToList();
        for (var i = 0; live.Count - i >= maxItems; i++)
            records.Add(new InboxItemDeleted { TimeMs = nowMs, ItemId = live[i].Id, Evicted = true });
        records.Add(new InboxItemAdded
        {
            TimeMs = nowMs,
            ItemId = InboxComponent.ItemId(messageId, inbox.Occurrences.GetValueOrDefault(messageId) + 1),
            MessageId = messageId,
            Data = JsonSerializer.SerializeToElement(data),
            ExpiresMs = ttlSeconds is { } ttl ? Expiry(nowMs, ttl) : null,
        });
        return records;
    }

    /// <summary>Delivery plus the time to live, saturating instead of overflowing.</summary>
    private static long Expiry(long nowMs, long ttlSeconds) =>
        ttlSeconds >= (long.MaxValue - nowMs) / 1000 ? long.MaxValue : nowMs + ttlSeconds * 1000;
}
