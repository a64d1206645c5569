using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Messages;

/// <summary>
/// Which in-app messages a user gets at a <c>start</c> or content refresh (spec 5.2 <c>messages</c>, 6.6), and what
/// that records. Over the snapshot's active in-app messages, by priority: a message still current, not in a category
/// the user unsubscribed from, whose audience has the user; a message sent to the user by hand whatever its audience.
/// The first time a message reaches a user, its hold-out decides (stable point below the hold-out share) and is
/// recorded; a held-back user gets <c>__held_back</c> in its place (the SDK tracks <c>Held Back</c> on its trigger).
/// A/B variants that change a message give their users the changed values. No I/O.
/// </summary>
public static class InAppDelivery
{
    public sealed record Outcome(JsonObject Messages, MessagesDecided? Record);

    /// <param name="includeMessageId">A message the device asks for by id (<c>getVars</c>' <c>includeMessageId</c>:
    /// Android does so for a push whose message it does not know, to run its open action): added when it is active,
    /// whatever its channel and audience.</param>
    public static Outcome Resolve(AppContent content, TargetingSubject subject, ExperimentOutcome experiments, long nowMs, long? includeMessageId = null)
    {
        var set = content.Messages;
        var messages = new JsonObject();
        if (includeMessageId is { } asked && set.Live.TryGetValue(asked, out var included) && !MessageSet.IsDeliveredAtStart(included.Document))
            messages[included.IdText] = included.Personalized
                ? included.Rendered(new PersonalizationContext(subject.UserId, subject.DeviceId, subject.State.Profile.Attributes, null), null)
                : included.Config.Node();
        if (set.InApp.Count == 0)
            return new Outcome(messages, null);
        var state = subject.State;
        var decided = state.Messages.Decided;
        var queued = state.Messages.Queued;
        var unsubscribedCategories = state.Profile.UnsubscribeCategories;
        var unsubscribedChannels = state.Profile.UnsubscribeChannels;
        List<string>? heldBack = null, reached = null;
        PersonalizationContext? personalization = null;
        foreach (var message in set.InApp)
        {
            var d = message.Document;
            if (!message.Current(nowMs))
                continue;
            if (d.Category is { } category && unsubscribedCategories.Contains(category))
                continue;
            if (MessageChannels.UnsubscribeName(d.Channel) is { } channel && unsubscribedChannels.Contains(channel))
                continue;
            queued.TryGetValue(message.IdText, out var sent);
            if (sent is null && message.Targeting is not null && !message.Targeting(subject))
                continue;
            if (!decided.TryGetValue(message.IdText, out var held))
            {
                held = sent is null && message.HoldsBack(subject.UserId);
                (held ? heldBack ??= [] : reached ??= []).Add(message.IdText);
            }
            if (held)
            {
                messages[message.IdText] = message.HeldBackConfig.Node();
                continue;
            }
            var overrides = Overrides(experiments, d.Id, out var variantKey);
            // A send's values fill the text's {{Value "key"}} placeholders (as for inbox items); they are not arguments.
            if (message.Personalized || sent?.Values is not null || (overrides is not null && Personalization.IsPersonalized(overrides)))
            {
                personalization ??= new PersonalizationContext(subject.UserId, subject.DeviceId, state.Profile.Attributes, null);
                var context = sent?.Values is { ValueKind: JsonValueKind.Object } v
                    ? personalization with { SendValues = (JsonObject)JsonNode.Parse(v.GetRawText())! }
                    : personalization;
                messages[message.IdText] = message.Rendered(context, overrides);
            }
            else
            {
                messages[message.IdText] = (overrides is null ? message.Config : message.ConfigFor(variantKey!, overrides)).Node();
            }
        }
        var record = heldBack is null && reached is null ? null : new MessagesDecided { TimeMs = nowMs, HeldBack = heldBack, Reached = reached };
        return new Outcome(messages, record);
    }

    /// <summary>The values the user's A/B variants give a message (the earliest published test wins), or null.</summary>
    private static JsonObject? Overrides(ExperimentOutcome experiments, long messageId, out string? variantKey)
    {
        variantKey = null;
        foreach (var active in experiments.Active)
        {
            if (active.Test.MessageOverrides.TryGetValue(active.VariantId, out var byMessage) && byMessage.TryGetValue(messageId, out var values))
            {
                variantKey = string.Concat(active.Test.IdText, ":", active.VariantId);
                return values;
            }
        }
        return null;
    }

    internal static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);
}
