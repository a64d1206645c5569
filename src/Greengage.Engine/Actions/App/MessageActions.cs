using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// The message object of spec 4.4, as <c>getMessage</c> and <c>getMessages</c> answer it (docs/messages.md, "Read
/// APIs"). Times are Unix seconds; <c>state</c> is <c>draft</c>, <c>active</c>, <c>inactive</c> (paused) or
/// <c>finished</c>; <c>active</c> says whether users get it now (active, and its campaign too when it has one).
/// </summary>
internal static class MessageWire
{
    public static JsonObject Message(MessageDocument m, AppContent content)
    {
        var set = content.Messages;
        var campaign = m.CampaignId is { } cid ? set.Campaigns.FirstOrDefault(c => c.Id == cid) : null;
        var key = m.Id.ToString(CultureInfo.InvariantCulture);
        var local = m.Channel == MessageChannels.InApp || MessageSet.IsDeliveredAtStart(m);
        var triggers = m.WhenTriggers.Count == 0 && campaign?.EntryTrigger is { } entry ? [entry] : m.WhenTriggers;
        return new JsonObject
        {
            ["id"] = m.Id,
            ["campaignID"] = m.CampaignId,
            ["campaignName"] = campaign?.Name,
            ["abTestIds"] = new JsonArray([.. content.AbTests.Where(t => t.Variants.Any(v => v.Messages?.ContainsKey(key) == true)).Select(t => (JsonNode)t.Id)]),
            ["name"] = m.Name,
            ["active"] = m.State == MessageStates.Active && (campaign is null || campaign.State == MessageStates.Active),
            ["state"] = m.State == MessageStates.Paused ? "inactive" : m.State,
            ["created"] = Seconds(m.CreatedMs),
            ["updated"] = Seconds(m.UpdatedMs),
            ["finished"] = m.FinishedMs is { } f ? Seconds(f) : null,
            ["scheduledTime"] = m.StartMs is { } s ? Seconds(s) : null,
            ["messageType"] = m.Channel == MessageChannels.InApp ? m.Template : MessageChannels.MessageType(m.Channel),
            ["messageLimits"] = TriggerRules.Limits(m.Limits),
            ["localTriggers"] = local ? TriggerRules.Triggers(triggers).ToJsonString() : null,
            ["serverTriggers"] = null,
            ["targetingSticky"] = false,
        };
    }

    /// <summary>Whether a message is listed: drafts only when asked; finished ones only recently unless asked.</summary>
    public static bool Listed(MessageDocument m, bool drafts, long? finishedSince) =>
        (drafts || m.State != MessageStates.Draft) && (finishedSince is null || m.FinishedMs is null || m.FinishedMs >= finishedSince);

    private static double Seconds(long ms) => ms / 1000.0;
}

/// <summary>
/// <c>getMessages</c> (spec 4.4, content read-only key): the app's messages. <c>includeDrafts</c> (default false) adds
/// drafts; <c>recent</c> (default true) leaves out messages finished more than <see cref="RecentDays"/> days ago.
/// </summary>
public sealed class GetMessages(ContentDirectory content, TimeProvider time) : IAppAction
{
    public const int RecentDays = 30;

    public string Name => "getMessages";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var drafts = parameters.Flag("includeDrafts");
        var since = parameters.Flag("recent", whenAbsent: true) ? time.GetUtcNow().AddDays(-RecentDays).ToUnixTimeMilliseconds() : (long?)null;
        var current = content.For(app.AppId);
        var messages = current.Messages.Messages.Where(m => MessageWire.Listed(m, drafts, since)).Select(m => (JsonNode)MessageWire.Message(m, current));
        return ValueTask.FromResult(ActionResult.Ok(new JsonObject { ["messages"] = new JsonArray([.. messages]) }));
    }
}

/// <summary><c>getMessage</c> (spec 4.4): one message by <c>id</c>; a draft only with <c>includeDrafts</c>.</summary>
public sealed class GetMessage(ContentDirectory content) : IAppAction
{
    public string Name => "getMessage";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var id = AbTestWire.RequiredId(parameters);
        var drafts = parameters.Flag("includeDrafts");
        var current = content.For(app.AppId);
        return ValueTask.FromResult(current.Messages.ById.TryGetValue(id, out var message) && MessageWire.Listed(message, drafts, null)
            ? ActionResult.Ok(new JsonObject { ["message"] = MessageWire.Message(message, current) })
            : ActionResult.Fail(404, "Message not found."));
    }
}

/// <summary>
/// <c>getUnsubscribeCategories</c> (spec 4.4): the unsubscribe categories of the app's messaging settings, as
/// <c>categories: [{id, name, description}]</c>.
/// </summary>
public sealed class GetUnsubscribeCategories(ContentDirectory content) : IAppAction
{
    public string Name => "getUnsubscribeCategories";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var categories = content.For(app.AppId).Messages.Settings.Categories
            .Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["name"] = c.Name, ["description"] = c.Description });
        return ValueTask.FromResult(ActionResult.Ok(new JsonObject { ["categories"] = new JsonArray([.. categories]) }));
    }
}
