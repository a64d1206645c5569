using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;

using Greengage.Engine.Storage;
using Greengage.Engine.Users.Components;

namespace Greengage.Engine.Messages;

/// <summary>
/// A message sent to one user by hand (<c>sendMessage</c>, <c>startCampaign</c>; spec 4.4, docs/messages-inbox.md):
/// an inbox message becomes an item of the user's inbox, rendered for them; an in-app message is queued for their next
/// <c>start</c> or refresh (<see cref="InAppDelivery"/>). Unsubscribed categories and channels always hold; the
/// audience holds unless the send is forced; a hand send is never held back. No I/O.
/// </summary>
public static class MessageSends
{
    public const string MessageNotFound = "Message not found.";
    public const string CampaignNotFound = "Campaign not found.";
    public const string Sent = "sent";
    public const string OutsideAudience = "not sent: outside the audience";

    /// <summary>
    /// What one send decided: the status text, the devices (or addresses, for server channels) it reached, the records
    /// to emit in order, and the server sends to put in the outbox.
    /// </summary>
    public sealed record Outcome(string Result, int MessagesSent, IReadOnlyList<UserRecord> Records, IReadOnlyList<NewWorkItem>? Sends = null)
    {
        public bool IsSent => Records.Count > 0 || Sends is { Count: > 0 };
    }

    /// <summary>
    /// Why the message cannot be sent at <paramref name="nowMs"/> by this server (a channel it does not send yet, a
    /// message or campaign that is not active, a message that ended), or null with the compiled message.
    /// </summary>
    public static string? Unsendable(MessageSet set, MessageDocument message, long nowMs, out LiveMessage? live)
    {
        live = null;
        if (!set.Live.TryGetValue(message.Id, out var compiled))
        {
            var campaign = message.CampaignId is { } id ? set.Campaigns.FirstOrDefault(c => c.Id == id) : null;
            return message.State == MessageStates.Active && campaign is not null
                ? $"Message {Text(message.Id)} is not active (its campaign is {campaign.State})."
                : $"Message {Text(message.Id)} is not active ({message.State}).";
        }
        if (!compiled.Current(nowMs))
            return $"Message {Text(message.Id)} has ended.";
        live = compiled;
        return null;
    }

    /// <summary>
    /// Sends <paramref name="message"/> to the user of <paramref name="subject"/>, whose <paramref name="devices"/>
    /// devices it reaches: the records that deliver it, or none with the reason it was not sent.
    /// </summary>
    public static Outcome Send(string appId, LiveMessage message, TargetingSubject subject, JsonObject? values, bool force, IReadOnlyCollection<KeyValuePair<string, DeviceEntry>> devices, int inboxMaxItems, long nowMs, TimeSpan delay = default, MessagingSettings? settings = null)
    {
        var d = message.Document;
        var profile = subject.State.Profile;
        if (Excluded(message, subject, force) is { } excluded)
            return NotSent(excluded);
        IReadOnlyList<UserRecord> records;
        var rules = settings ?? MessagingSettings.Empty;
        if (d.Channel != MessageChannels.InApp && DeliveryRules.Capped(d, rules, subject.State.Messages, nowMs) is { } capped)
            return NotSent(capped);
        if (d.Channel is MessageChannels.Push or MessageChannels.Email or MessageChannels.Webhook)
        {
            // Server sends: one outbox item per address, committed with the batch (the dispatcher records the outcome).
            var sends = new List<NewWorkItem>();
            var at = DateTimeOffset.FromUnixTimeMilliseconds(nowMs) + delay;
            var (quietUntil, dropped) = DeliveryRules.Quiet(d, rules, subject.State, at);
            if (dropped is not null)
                return NotSent(dropped);
            if (quietUntil is { } until && until > at)
                at = until;
            var vars = MessageTemplates.Vars(message.Template, d.Values);
            // One copy of the attributes for every address of this send (the payloads serialise it as it is now), and
            // only when a placeholder may read them: most sends carry no user data.
            var attributes = profile.Attributes.Count == 0 || !(message.Personalized || Personalization.IsPersonalized(values))
                ? null
                : new Dictionary<string, JsonElement>(profile.Attributes);
            foreach (var (device, kind, address) in DeliveryTargets.For(d.Channel, devices, profile.Attributes))
            {
                var send = new DeliverySend(appId, subject.UserId, device, d.Id, d.Channel, Guid.NewGuid().ToString("N"), kind, address,
                    vars, values, attributes, nowMs);
                sends.Add(send.ToWorkItem(at));
            }
            if (sends.Count == 0)
                return NotSent(d.Channel == MessageChannels.Email ? "not sent: the user has no email address" : "not sent: no push token on the user's devices");
            return new Outcome(Sent, sends.Count, [new MessageSent { TimeMs = nowMs, MessageId = message.IdText, Channel = d.Channel, Exempt = d.ExemptFromCaps }], sends);
        }
        if (d.Channel == MessageChannels.Inbox)
        {
            var context = new PersonalizationContext(subject.UserId, subject.DeviceId, profile.Attributes, values);
            records = [.. InboxDelivery.Add(subject.State.Inbox, message.IdText, InboxDelivery.MessageData(message, context), d.InboxTtlSeconds, inboxMaxItems, nowMs),
                new MessageSent { TimeMs = nowMs, MessageId = message.IdText, Channel = d.Channel, Exempt = d.ExemptFromCaps }];
        }
        else
        {
            records = [new InAppQueued { TimeMs = nowMs, MessageId = message.IdText, Values = values is null ? null : JsonSerializer.SerializeToElement(values) }];
        }
        return new Outcome(Sent, devices.Count, records);
    }

    /// <summary>
    /// Why the user of <paramref name="subject"/> does not get <paramref name="message"/> whatever else holds (an
    /// unsubscribed category or channel; outside the audience unless <paramref name="force"/>), or null. Schedule runs
    /// pick their users with it on stored state; <see cref="Send"/> checks it again on the live state.
    /// </summary>
    public static string? Excluded(LiveMessage message, TargetingSubject subject, bool force = false)
    {
        var d = message.Document;
        var profile = subject.State.Profile;
        if (d.Category is { } category && profile.UnsubscribeCategories.Contains(category))
            return $"not sent: unsubscribed from category '{category}'";
        if (MessageChannels.UnsubscribeName(d.Channel) is { } channel && profile.UnsubscribeChannels.Contains(channel))
            return $"not sent: unsubscribed from channel '{channel}'";
        if (!force && message.Targeting is { } targeting && !targeting(subject))
            return OutsideAudience;
        return null;
    }

    private static Outcome NotSent(string reason) => new(reason, 0, []);

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);
}
