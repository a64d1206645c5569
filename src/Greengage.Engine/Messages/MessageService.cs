using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Messages;

/// <summary>A message as an operator writes it (see <see cref="MessageDocument"/> for each field).</summary>
public sealed record MessageInput(
    string Name,
    string Channel,
    string? Template,
    JsonObject? Values,
    long? AudienceId,
    JsonNode? Rule,
    long? StartMs,
    long? EndMs,
    int? Priority,
    double HoldOutPercent,
    IReadOnlyList<MessageTrigger>? WhenTriggers,
    IReadOnlyList<MessageTrigger>? UnlessTriggers,
    IReadOnlyList<MessageLimit>? Limits,
    long? CampaignId,
    int? CountdownSeconds,
    bool ApiSends,
    string? Category,
    long? InboxTtlSeconds,
    IReadOnlyList<MessageTrigger>? ServerTriggers = null,
    int? DelaySeconds = null,
    MessageCaps? Caps = null,
    bool ExemptFromCaps = false,
    MessageSchedule? Schedule = null);

/// <summary>A campaign as an operator writes it.</summary>
public sealed record CampaignInput(string Name, MessageTrigger? EntryTrigger, long? EndMs);

/// <summary>
/// Messages, campaigns and the app's messaging settings (issue: messages): drafted, activated (published to the
/// snapshot: delivered), paused, finished. Every change is checked whole (template and values, personalisation,
/// targeting, triggers and limits of spec 6.6, window, campaign, category) before it is stored and published.
/// </summary>
public sealed class MessageService(ContentDirectory content, TimeProvider time)
{
    public const int MaxNameLength = 200;

    /// <summary>The largest template values a message may carry, as JSON.</summary>
    public const int MaxValuesBytes = 64 * 1024;

    public Task<MessageDocument> CreateAsync(string appId, MessageInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var now = Now();
            var message = Validate(current, Apply(input, new MessageDocument(ContentIds.Next(), "", "", "", [], MessageStates.Draft, null, null, null, null,
                MessageDocument.DefaultPriority, 0, [], [], [], null, null, false, null, null, now, now, null, null)));
            return Changed(message, now);
        }, cancellationToken);

    public Task<MessageDocument> UpdateAsync(string appId, long id, MessageInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var existing = Find(current, id);
            if (existing.State == MessageStates.Finished)
                throw ContentException.Conflict("A finished message cannot change.");
            if (existing.State != MessageStates.Draft && input.Channel != existing.Channel)
                throw ContentException.Conflict("A message that has been active keeps its channel.");
            // Occurrences are counted from the schedule (runs, and what each user got, are kept by occurrence number).
            if (existing.PublishedMs is not null && !Equals(existing.Schedule, input.Schedule))
                throw ContentException.Conflict("A message that has been active keeps its schedule: finish it and create another.");
            var now = Now();
            var message = Validate(current, Apply(input, existing) with { UpdatedMs = now }, existing.CampaignId);
            return Changed(message, now);
        }, cancellationToken);

    /// <summary>Activates (publishes) a drafted or paused message; a paused one remembers when it resumed.</summary>
    public Task<MessageDocument> ActivateAsync(string appId, long id, CancellationToken cancellationToken) =>
        Transition(appId, id, [MessageStates.Draft, MessageStates.Paused], (m, now) => m with
        {
            State = MessageStates.Active,
            PublishedMs = m.PublishedMs ?? now,
            ResumedMs = m.State == MessageStates.Paused ? now : m.ResumedMs,
        }, cancellationToken);

    /// <summary>
    /// Pauses an active message: nobody gets it until it is activated again; hold-out decisions are kept, and so are
    /// the users of a scheduled send waiting for their time (see <see cref="Delivery.ScheduleRunner"/>).
    /// </summary>
    public Task<MessageDocument> PauseAsync(string appId, long id, CancellationToken cancellationToken) =>
        Transition(appId, id, [MessageStates.Active], (m, _) => m with { State = MessageStates.Paused }, cancellationToken);

    /// <summary>Finishes a message for good.</summary>
    public Task<MessageDocument> FinishAsync(string appId, long id, CancellationToken cancellationToken) =>
        Transition(appId, id, [MessageStates.Active, MessageStates.Paused], (m, now) => m with { State = MessageStates.Finished, FinishedMs = now }, cancellationToken);

    /// <summary>Deletes a drafted or finished message that no unfinished A/B test changes.</summary>
    public Task DeleteAsync(string appId, long id, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var message = Find(current, id);
            if (message.State is MessageStates.Active or MessageStates.Paused)
                throw ContentException.Conflict("Finish the message before deleting it.");
            var key = Key(id);
            var tests = current.AbTests.Where(t => t.State != AbTestStates.Finished && t.Variants.Any(v => v.Messages?.ContainsKey(key) == true)).Select(t => $"'{t.Name}'").ToList();
            if (tests.Count > 0)
                throw ContentException.Conflict($"The message is changed by A/B test {string.Join(", ", tests)}.");
            var chains = current.Messages.Messages.Where(o => o.State != MessageStates.Finished && TemplateValues.ChainTargets(o.Values).Contains(key)).Select(o => $"'{o.Name}'").ToList();
            if (chains.Count > 0)
                throw ContentException.Conflict($"Message {string.Join(", ", chains)} chains to this message.");
            return new ContentChange<bool>(true, [], [(MessageContentKinds.Message, key)]);
        }, cancellationToken);

    public Task<CampaignDocument> CreateCampaignAsync(string appId, CampaignInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var now = Now();
            var campaign = ValidateCampaign(current, new CampaignDocument(ContentIds.Next(), input.Name, MessageStates.Draft, input.EntryTrigger, input.EndMs, now, now));
            return ChangedCampaign(campaign, now);
        }, cancellationToken);

    public Task<CampaignDocument> UpdateCampaignAsync(string appId, long id, CampaignInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var existing = FindCampaign(current, id);
            if (existing.State == MessageStates.Finished)
                throw ContentException.Conflict("A finished campaign cannot change.");
            var now = Now();
            var campaign = ValidateCampaign(current, existing with { Name = input.Name, EntryTrigger = input.EntryTrigger, EndMs = input.EndMs, UpdatedMs = now });
            return ChangedCampaign(campaign, now);
        }, cancellationToken);

    /// <summary>Moves a campaign to <paramref name="state"/> (active, paused or finished); its messages follow it.</summary>
    public Task<CampaignDocument> SetCampaignStateAsync(string appId, long id, string state, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var campaign = FindCampaign(current, id);
            string[] from = state switch
            {
                MessageStates.Active => [MessageStates.Draft, MessageStates.Paused],
                MessageStates.Paused => [MessageStates.Active],
                MessageStates.Finished => [MessageStates.Active, MessageStates.Paused],
                _ => throw ContentException.Invalid($"A campaign cannot be moved to '{state}'."),
            };
            if (!from.Contains(campaign.State))
                throw ContentException.Conflict($"The campaign is {campaign.State}; this needs it {string.Join(" or ", from)}.");
            var now = Now();
            var changed = campaign with
            {
                State = state,
                UpdatedMs = now,
                ResumedMs = campaign.State == MessageStates.Paused && state == MessageStates.Active ? now : campaign.ResumedMs,
            };
            return ChangedCampaign(changed, now);
        }, cancellationToken);

    /// <summary>Deletes a campaign that no message names.</summary>
    public Task DeleteCampaignAsync(string appId, long id, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            FindCampaign(current, id);
            var named = current.Messages.Messages.Where(m => m.CampaignId == id).Select(m => $"'{m.Name}'").ToList();
            if (named.Count > 0)
                throw ContentException.Conflict($"The campaign still holds message {string.Join(", ", named)}.");
            return new ContentChange<bool>(true, [], [(MessageContentKinds.Campaign, Key(id))]);
        }, cancellationToken);

    /// <summary>Replaces the app's messaging settings (in-app caps, regions, unsubscribe categories), checked whole.</summary>
    public Task<MessagingSettings> SetSettingsAsync(string appId, MessagingSettings settings, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            if (settings.InAppCaps.Contains(null) || settings.Regions.Contains(null) || settings.Categories.Contains(null))
                throw ContentException.Invalid("In-app caps, regions and unsubscribe categories are objects, not null.");
            foreach (var cap in settings.InAppCaps)
            {
                if (cap.Type is not ("SESSION" or "DAY" or "WEEK"))
                    throw ContentException.Invalid($"An in-app cap's type is SESSION, DAY or WEEK, not '{cap.Type}'.");
                if (cap.Limit < 1)
                    throw ContentException.Invalid("An in-app cap's limit is at least 1.");
            }
            if (settings.InAppCaps.Select(c => c.Type).Distinct().Count() != settings.InAppCaps.Count)
                throw ContentException.Invalid("One in-app cap per type.");
            foreach (var region in settings.Regions)
            {
                if (string.IsNullOrWhiteSpace(region.Name) || region.Name.Length > MaxNameLength)
                    throw ContentException.Invalid($"A region's name is 1 to {MaxNameLength} characters.");
                if (!double.IsFinite(region.Lat) || region.Lat is < -90 or > 90 || !double.IsFinite(region.Lon) || region.Lon is < -180 or > 180)
                    throw ContentException.Invalid($"Region '{region.Name}': latitude is -90 to 90, longitude -180 to 180.");
                if (!double.IsFinite(region.Radius) || region.Radius <= 0)
                    throw ContentException.Invalid($"Region '{region.Name}': the radius (metres) is above 0.");
            }
            if (settings.Regions.Select(r => r.Name).Distinct(StringComparer.Ordinal).Count() != settings.Regions.Count)
                throw ContentException.Invalid("Region names must differ.");
            foreach (var category in settings.Categories)
            {
                if (string.IsNullOrWhiteSpace(category.Id) || category.Id.Length > MaxNameLength || string.IsNullOrWhiteSpace(category.Name) || category.Name.Length > MaxNameLength)
                    throw ContentException.Invalid($"An unsubscribe category has an id and a name of 1 to {MaxNameLength} characters.");
            }
            if (settings.Categories.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count() != settings.Categories.Count)
                throw ContentException.Invalid("Unsubscribe category ids must differ.");
            string[] capped = [MessageChannels.Push, MessageChannels.Email, MessageChannels.Webhook, MessageChannels.Inbox];
            foreach (var cap in settings.DeliveryCaps ?? [])
            {
                if (cap is null || !capped.Contains(cap.Channel))
                    throw ContentException.Invalid($"A delivery cap's channel is one of {string.Join(", ", capped)}.");
                if (cap.Day is < 1 || cap.Week is < 1 || (cap.Day is null && cap.Week is null))
                    throw ContentException.Invalid($"The {cap.Channel} cap has a day or week limit of at least 1.");
            }
            if (settings.DeliveryCaps is { } caps && caps.Select(c => c.Channel).Distinct().Count() != caps.Count)
                throw ContentException.Invalid("One delivery cap per channel.");
            if (settings.QuietHours is { } quiet)
            {
                if (!QuietHours.TryParseTime(quiet.Start ?? "", out var from) || !QuietHours.TryParseTime(quiet.End ?? "", out var to) || from == to)
                    throw ContentException.Invalid("Quiet hours run from start to end, two different times as HH:mm (the window may wrap midnight).");
                if (quiet.Mode is not (QuietHours.Delay or QuietHours.Drop))
                    throw ContentException.Invalid("Quiet hours' mode is delay or drop.");
                if (quiet.Channels is not { Count: > 0 } channels || channels.Any(c => c is not (MessageChannels.Push or MessageChannels.Email)))
                    throw ContentException.Invalid("Quiet hours apply to push and email: give one or both in channels.");
            }
            var regions = settings.Regions.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
            var categories = settings.Categories.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var m in current.Messages.Messages.Where(m => m.State != MessageStates.Finished))
            {
                if (m.WhenTriggers.Concat(m.UnlessTriggers).FirstOrDefault(t => t.Subject is "enterRegion" or "exitRegion" && !regions.Contains(t.Noun!)) is { } trigger)
                    throw ContentException.Conflict($"Message '{m.Name}' is triggered by region '{trigger.Noun}'.");
                if (m.Category is { } c && !categories.Contains(c))
                    throw ContentException.Conflict($"Message '{m.Name}' belongs to unsubscribe category '{c}'.");
            }
            return new ContentChange<MessagingSettings>(settings, [new ContentDocument(MessageContentKinds.Settings, MessageContentKinds.SettingsKey, settings.ToJson(), Now())], []);
        }, cancellationToken);

    private static MessageDocument Apply(MessageInput input, MessageDocument message) => message with
    {
        Name = input.Name,
        Channel = input.Channel,
        Template = input.Template ?? MessageTemplates.DefaultFor(input.Channel) ?? input.Channel switch
        {
            MessageChannels.Webhook => MessageTemplates.Webhook,
            MessageChannels.Email => MessageTemplates.Email,
            _ => "",
        },
        Values = input.Values ?? [],
        AudienceId = input.AudienceId,
        Rule = input.Rule,
        StartMs = input.StartMs,
        EndMs = input.EndMs,
        Priority = input.Priority ?? MessageDocument.DefaultPriority,
        HoldOutPercent = input.HoldOutPercent,
        WhenTriggers = input.WhenTriggers ?? [],
        UnlessTriggers = input.UnlessTriggers ?? [],
        Limits = input.Limits ?? [],
        CampaignId = input.CampaignId,
        CountdownSeconds = input.CountdownSeconds,
        ApiSends = input.ApiSends,
        Category = input.Category,
        InboxTtlSeconds = input.InboxTtlSeconds,
        ServerTriggers = input.ServerTriggers is { Count: > 0 } server ? server : null,
        DelaySeconds = input.DelaySeconds,
        Caps = input.Caps,
        ExemptFromCaps = input.ExemptFromCaps,
        Schedule = input.Schedule,
    };

    /// <summary>Checks a message whole; answers it as it will be stored.</summary>
    /// <param name="campaignBefore">The campaign the message was in: joining a finished campaign is refused.</param>
    private static MessageDocument Validate(AppContent current, MessageDocument m, long? campaignBefore = null)
    {
        var name = m.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
            throw ContentException.Invalid($"A message's name is 1 to {MaxNameLength} characters.");
        if (!MessageChannels.All.Contains(m.Channel))
            throw ContentException.Invalid($"'{m.Channel}' is not a channel; use one of {string.Join(", ", MessageChannels.All)}.");
        var template = MessageTemplates.Find(m.Template, current.Latest?.ActionDefinitions);
        if (m.Channel == MessageChannels.InApp)
        {
            if (template is null || !template.Channels.Contains(MessageChannels.InApp))
                throw ContentException.Invalid($"'{m.Template}' is not an in-app template: use a built-in one ({string.Join(", ", MessageTemplates.All.Where(t => t.Channels.Contains(MessageChannels.InApp)).Select(t => t.Name))}) or one the app declared through actionDefinitions.");
        }
        else if (m.Template != MessageTemplates.DefaultFor(m.Channel))
        {
            throw ContentException.Invalid($"A {m.Channel} message uses the template '{MessageTemplates.DefaultFor(m.Channel)}', not '{m.Template}'.");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(m.Values.ToJsonString()) > MaxValuesBytes)
            throw ContentException.Invalid($"A message's values are at most {MaxValuesBytes} bytes of JSON.");
        try
        {
            TemplateValues.Check(template!, m.Values, new TemplateCheck(current.Latest?.ActionDefinitions, target => ChainProblem(current, m.Id, target), m.State == MessageStates.Active));
            Personalization.Check(m.Values);
        }
        catch (TemplateException e)
        {
            throw ContentException.Invalid(e.Message);
        }
        catch (PersonalizationException e)
        {
            throw ContentException.Invalid(e.Message);
        }
        if (!double.IsFinite(m.HoldOutPercent) || m.HoldOutPercent is < 0 or > 100)
            throw ContentException.Invalid("holdOutPercent is 0 to 100.");
        if (m.StartMs is { } start && m.EndMs is { } end && end <= start)
            throw ContentException.Invalid("endTime is after startTime.");
        var atStart = MessageSet.IsDeliveredAtStart(m) || m.Channel == MessageChannels.InApp;
        if (!atStart && (m.UnlessTriggers.Count > 0 || m.Limits.Count > 0))
            throw ContentException.Invalid("Unless-triggers and limits belong to in-app messages and pushes with in-app triggers.");
        if (m.Channel is MessageChannels.Inbox or MessageChannels.Webhook or MessageChannels.Email && m.WhenTriggers.Count > 0)
            throw ContentException.Invalid($"A {m.Channel} message is sent by the server (sendMessage, a campaign): it takes no in-app triggers.");
        List<MessageTrigger>? serverTriggers = null;
        if (m.ServerTriggers is { Count: > 0 } triggers)
        {
            if (m.Channel is MessageChannels.InApp || (m.Channel == MessageChannels.Push && m.WhenTriggers.Count > 0))
                throw ContentException.Invalid("Server triggers belong to messages the server sends (push without in-app triggers, email, webhook, inbox).");
            if (triggers.Count > TriggerRules.MaxTriggers)
                throw ContentException.Invalid($"A message has at most {TriggerRules.MaxTriggers} server triggers.");
            try
            {
                serverTriggers = [.. triggers.Select(t => t is null ? throw new TriggerException("A server trigger is missing.")
                    : t.Subject is "event" or "state" or "userAttribute" ? TriggerRules.Check(t)
                    : t.Subject == ServerTriggerSends.AudienceSubject ? AudienceTrigger(t, current)
                    : throw new TriggerException($"A server trigger's subject is event, state, userAttribute or audience, not '{t.Subject}'."))];
            }
            catch (TriggerException e)
            {
                throw ContentException.Invalid(e.Message);
            }
        }
        if (m.DelaySeconds is { } delay && (delay < 0 || delay > 30 * 86_400 || serverTriggers is null || m.Channel == MessageChannels.Inbox))
            throw ContentException.Invalid("delay (seconds, 0 to 30 days) belongs to a server-triggered push, email or webhook message.");
        if (m.Schedule is { } schedule)
        {
            if (m.Channel == MessageChannels.InApp || (m.Channel == MessageChannels.Push && m.WhenTriggers.Count > 0))
                throw ContentException.Invalid("A schedule belongs to messages the server sends to an audience (push without in-app triggers, email, webhook, inbox).");
            if (ScheduleRules.Problem(schedule) is { } problem)
                throw ContentException.Invalid(problem);
        }
        if (m.Caps is { } caps && (m.Channel == MessageChannels.InApp || caps.Day is < 1 || caps.Week is < 1))
            throw ContentException.Invalid("caps (day and week, at least 1) belong to messages the server sends; in-app messages use limits.");
        if (m.WhenTriggers.Count + m.UnlessTriggers.Count > TriggerRules.MaxTriggers || m.Limits.Count > TriggerRules.MaxLimits)
            throw ContentException.Invalid($"A message has at most {TriggerRules.MaxTriggers} triggers and {TriggerRules.MaxLimits} limits.");
        var regions = current.Messages.Settings.Regions.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        List<MessageTrigger> when, unless;
        List<MessageLimit> limits;
        try
        {
            when = [.. m.WhenTriggers.Select(t => TriggerRules.Check(t, regions))];
            unless = [.. m.UnlessTriggers.Select(t => TriggerRules.Check(t, regions))];
            limits = [.. m.Limits.Select(TriggerRules.Check)];
        }
        catch (TriggerException e)
        {
            throw ContentException.Invalid(e.Message);
        }
        if (m.CountdownSeconds is { } countdown && (m.Channel != MessageChannels.Push || countdown < 0))
            throw ContentException.Invalid("countdown (seconds, 0 or more) belongs to a push with in-app triggers (a local notification).");
        if (m.InboxTtlSeconds is { } ttl && (m.Channel != MessageChannels.Inbox || ttl <= 0))
            throw ContentException.Invalid("inboxTtl (seconds, above 0) belongs to an inbox message.");
        if (m.CampaignId is { } campaignId)
        {
            var campaign = current.Messages.Campaigns.FirstOrDefault(c => c.Id == campaignId) ?? throw ContentException.Invalid($"There is no campaign {campaignId}.");
            if (campaign.State == MessageStates.Finished && campaignId != campaignBefore)
                throw ContentException.Invalid($"Campaign {campaignId} ('{campaign.Name}') is finished; a message cannot join it.");
        }
        if (m.Category is { } category && current.Messages.Settings.Categories.All(c => c.Id != category))
            throw ContentException.Invalid($"There is no unsubscribe category '{category}'.");
        if (m.AudienceId is not null && m.Rule is not null)
            throw ContentException.Invalid("Target with an audience or a rule, not both.");
        try
        {
            MessageTargeting.Compile(m.AudienceId, m.Rule, current.Audiences);
        }
        catch (RuleException e)
        {
            throw ContentException.Invalid($"Targeting: {e.Message}");
        }
        return m with { Name = name, WhenTriggers = when, UnlessTriggers = unless, Limits = limits, ServerTriggers = serverTriggers };
    }

    /// <summary>Why a message may not chain to <paramref name="target"/> (null: it may): it must be another in-app message of the app.</summary>
    private static string? ChainProblem(AppContent current, long self, string target)
    {
        var id = long.Parse(target, CultureInfo.InvariantCulture);
        if (id == self)
            return "a message cannot chain to itself.";
        if (!current.Messages.ById.TryGetValue(id, out var chained))
            return $"there is no message {target} to chain to.";
        if (chained.State == MessageStates.Finished)
            return $"message {target} ('{chained.Name}') is finished.";
        if (!MessageSet.IsDeliveredAtStart(chained))
            return $"message {target} ('{chained.Name}') is a {chained.Channel} message; chain to an in-app message.";
        return null;
    }

    private static CampaignDocument ValidateCampaign(AppContent current, CampaignDocument c)
    {
        var name = c.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
            throw ContentException.Invalid($"A campaign's name is 1 to {MaxNameLength} characters.");
        MessageTrigger? entry = null;
        if (c.EntryTrigger is { } trigger)
        {
            try
            {
                entry = TriggerRules.Check(trigger, current.Messages.Settings.Regions.Select(r => r.Name).ToHashSet(StringComparer.Ordinal));
            }
            catch (TriggerException e)
            {
                throw ContentException.Invalid($"Entry trigger: {e.Message}");
            }
        }
        return c with { Name = name, EntryTrigger = entry };
    }

    private Task<MessageDocument> Transition(string appId, long id, string[] from, Func<MessageDocument, long, MessageDocument> change, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var message = Find(current, id);
            if (!from.Contains(message.State))
                throw ContentException.Conflict($"The message is {message.State}; this needs it {string.Join(" or ", from)}.");
            var now = Now();
            var changed = change(message, now) with { UpdatedMs = now };
            if (changed.State == MessageStates.Active)
                changed = Validate(current, changed, changed.CampaignId);
            return Changed(changed, now);
        }, cancellationToken);

    private static MessageDocument Find(AppContent current, long id) =>
        current.Messages.ById.GetValueOrDefault(id) ?? throw ContentException.NotFound("Message", id);

    private static CampaignDocument FindCampaign(AppContent current, long id) =>
        current.Messages.Campaigns.FirstOrDefault(c => c.Id == id) ?? throw ContentException.NotFound("Campaign", id);

    private static ContentChange<MessageDocument> Changed(MessageDocument m, long now) =>
        new(m, [new ContentDocument(MessageContentKinds.Message, Key(m.Id), m.ToJson(), now)], []);

    private static ContentChange<CampaignDocument> ChangedCampaign(CampaignDocument c, long now) =>
        new(c, [new ContentDocument(MessageContentKinds.Campaign, Key(c.Id), c.ToJson(), now)], []);

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary><c>{"subject":"audience","noun":"&lt;audience id&gt;","verb":"enters"}</c>: the audience must exist.</summary>
    private static MessageTrigger AudienceTrigger(MessageTrigger t, AppContent current)
    {
        if (t.Verb is not (null or "enters") || t.Objects is { Count: > 0 } || t.SecondaryVerb is not null)
            throw new TriggerException("An audience trigger has the audience id as its noun and the verb 'enters'.");
        if (string.IsNullOrEmpty(t.Noun) || current.Audiences.IndexOf(t.Noun) is null)
            throw new TriggerException($"An audience trigger names an audience (its id as the noun); there is no audience '{t.Noun}'.");
        return t with { Verb = "enters" };
    }
}
