using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Messages;

/// <summary>
/// An active message as the snapshot holds it for delivery: its targeting compiled, its hold-out share, and its
/// config for <c>start</c>'s <c>messages</c> written once (per A/B variant that changes it, on first use), unless its
/// text is personalised, when it is rendered per user.
/// </summary>
public sealed class LiveMessage
{
    private readonly Dictionary<string, RawJson> _variantConfigs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    internal LiveMessage(MessageDocument document, CampaignDocument? campaign, TemplateDefinition? template, Func<TargetingSubject, bool>? targeting)
    {
        Document = document;
        IdText = document.Id.ToString(CultureInfo.InvariantCulture);
        Campaign = campaign;
        Template = template;
        Targeting = targeting;
        HoldOutBound = (int)Math.Round(document.HoldOutPercent * 100);
        EndMs = campaign?.EndMs is { } campaignEnd ? Math.Min(document.EndMs ?? long.MaxValue, campaignEnd) : document.EndMs;
        Personalized = Personalization.IsPersonalized(document.Values);
        Config = new RawJson(ConfigFor(document.Values, null));
        HeldBackConfig = new RawJson(ConfigFor([], MessageTemplates.HeldBack));
    }

    public MessageDocument Document { get; }

    public string IdText { get; }

    public CampaignDocument? Campaign { get; }

    public TemplateDefinition? Template { get; }

    /// <summary>Null: every user.</summary>
    public Func<TargetingSubject, bool>? Targeting { get; }

    /// <summary>Users whose point (0-9999) is below this are held back.</summary>
    public int HoldOutBound { get; }

    /// <summary>The end of its window: its own end, or its campaign's when earlier.</summary>
    public long? EndMs { get; }

    /// <summary>Its text names the user: the config is rendered per user.</summary>
    public bool Personalized { get; }

    /// <summary>The config as written for users outside any variant that changes it (unrendered when personalised).</summary>
    public RawJson Config { get; }

    /// <summary>The config a held-back user gets: <c>__held_back</c>, with the same triggers and limits.</summary>
    public RawJson HeldBackConfig { get; }

    /// <summary>
    /// Whether the message still goes to devices at <paramref name="nowMs"/>: until its end. One that has not begun is
    /// sent with its window (the SDKs hold it until <c>startTime</c>), so a device that starts before then has it.
    /// </summary>
    public bool Current(long nowMs) => EndMs is null || nowMs < EndMs;

    /// <summary>Whether the user (by their stable point for this message) is held back.</summary>
    public bool HoldsBack(string userId) => HoldOutBound > 0 && RunningTest.Point("m" + IdText, userId) < HoldOutBound;

    /// <summary>The config with a variant's value overrides applied (written once per variant).</summary>
    public RawJson ConfigFor(string variantKey, JsonObject overrides)
    {
        lock (_gate)
        {
            if (!_variantConfigs.TryGetValue(variantKey, out var config))
            {
                config = new RawJson(ConfigFor(Overlay(Document.Values, overrides), null));
                _variantConfigs[variantKey] = config;
            }
            return config;
        }
    }

    /// <summary>The config rendered for one user (personalised text), with a variant's overrides when given.</summary>
    public JsonObject Rendered(PersonalizationContext context, JsonObject? overrides) =>
        ConfigFor((JsonObject)Personalization.Render(overrides is null ? Document.Values : Overlay(Document.Values, overrides), context)!, null);

    /// <summary>
    /// The values with a send's or variant's values over them: groups merged argument by argument (a variant that
    /// changes <c>Title.Text</c> keeps the message's <c>Title.Color</c>); an action (an object with <c>__name__</c>) or
    /// any other value replaces what was there.
    /// </summary>
    public static JsonObject Overlay(JsonObject values, JsonObject overrides)
    {
        var result = (JsonObject)values.DeepClone();
        OverlayInto(result, overrides);
        return result;
    }

    private static void OverlayInto(JsonObject into, JsonObject overrides)
    {
        foreach (var (name, value) in overrides)
        {
            if (value is JsonObject group && group["__name__"] is null && into[name] is JsonObject existing && existing["__name__"] is null)
                OverlayInto(existing, group);
            else
                into[name] = value?.DeepClone();
        }
    }

    /// <summary>The message config of spec 6.6.</summary>
    private JsonObject ConfigFor(JsonObject values, string? action)
    {
        var d = Document;
        var local = d.Channel == MessageChannels.Push;
        var name = action ?? (local ? MessageTemplates.PushNotification : d.Template);
        var vars = action is null ? MessageTemplates.Vars(Template, values) : new JsonObject { ["__name__"] = action };
        var triggers = d.WhenTriggers.Count == 0 && Campaign?.EntryTrigger is { } entry ? [entry] : d.WhenTriggers;
        var config = new JsonObject
        {
            ["action"] = name,
            ["vars"] = vars,
            ["whenTriggers"] = TriggerRules.Triggers(triggers),
            ["unlessTriggers"] = TriggerRules.Triggers(d.UnlessTriggers),
            ["whenLimits"] = TriggerRules.Limits(d.Limits),
            ["priority"] = d.Priority,
            ["parentCampaignId"] = d.CampaignId,
            ["hasImpressionCriteria"] = d.Limits.Count > 0,
        };
        if (local)
            config["countdown"] = d.CountdownSeconds ?? 0;
        // Both ends or neither: the SDKs apply the window only when both are present.
        if (d.StartMs is not null || EndMs is not null)
        {
            config["startTime"] = d.StartMs ?? d.PublishedMs ?? d.CreatedMs;
            config["endTime"] = EndMs ?? DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() / 1000 * 1000;
        }
        return config;
    }
}

/// <summary>
/// One app's messaging as the content snapshot holds it: every message and campaign as stored, the settings, and the
/// active in-app (and local push) messages compiled for <c>start</c>, lowest priority number first.
/// </summary>
public sealed class MessageSet
{
    private MessageSet(
        IReadOnlyList<MessageDocument> messages,
        IReadOnlyList<CampaignDocument> campaigns,
        MessagingSettings settings,
        IReadOnlyList<LiveMessage> inApp,
        IReadOnlyDictionary<long, LiveMessage> live)
    {
        Messages = messages;
        Campaigns = campaigns;
        Settings = settings;
        InApp = inApp;
        Live = live;
        ById = messages.ToDictionary(m => m.Id);
        LocalCapsJson = new RawJson(new JsonArray([.. settings.InAppCaps.Select(c => (JsonNode)new JsonObject { ["channel"] = "IN_APP", ["type"] = c.Type, ["limit"] = c.Limit })]));
        var regions = new JsonObject();
        foreach (var r in settings.Regions)
            regions[r.Name] = new JsonObject { ["lat"] = r.Lat, ["lon"] = r.Lon, ["radius"] = r.Radius, ["version"] = r.Version, ["name"] = r.Name };
        RegionsJson = new RawJson(regions);
    }

    public static MessageSet Empty { get; } = new([], [], MessagingSettings.Empty, [], new Dictionary<long, LiveMessage>());

    /// <summary>Every message, as stored, ordered by id.</summary>
    public IReadOnlyList<MessageDocument> Messages { get; }

    public IReadOnlyDictionary<long, MessageDocument> ById { get; }

    /// <summary>Every campaign, as stored, ordered by id.</summary>
    public IReadOnlyList<CampaignDocument> Campaigns { get; }

    public MessagingSettings Settings { get; }

    /// <summary>The active messages delivered through <c>start</c> (in-app, and push with in-app triggers), by priority.</summary>
    public IReadOnlyList<LiveMessage> InApp { get; }

    /// <summary>Every active message compiled, by id (inbox ones included, for sends).</summary>
    public IReadOnlyDictionary<long, LiveMessage> Live { get; }

    /// <summary>
    /// The active messages with server triggers, by (subject, noun): what an event, a state or an attribute change in
    /// a user's grain sends (<see cref="ServerTriggerSends"/>). Empty for most apps, so the check costs one lookup.
    /// </summary>
    public IReadOnlyDictionary<(string Subject, string Noun), IReadOnlyList<(LiveMessage Message, MessageTrigger Trigger)>> ServerTriggered { get; private init; } =
        new Dictionary<(string, string), IReadOnlyList<(LiveMessage, MessageTrigger)>>();

    /// <summary>The audiences (ids) whose entry sends a message (server triggers with subject <c>audience</c>).</summary>
    public IReadOnlyList<string> EntryAudiences { get; private init; } = [];

    /// <summary>The app's Android notification channels, by id.</summary>
    public IReadOnlyList<AndroidChannel> AndroidChannels { get; private init; } = [];

    /// <summary><c>notificationChannels</c> for <c>start</c>; null when the app has none (then nothing is sent: an
    /// Android device deletes the Leanplum channels missing from a list it receives).</summary>
    public RawJson? NotificationChannelsJson { get; private init; }

    /// <summary>The id of the channel marked default (<c>defaultNotificationChannel</c>), if any.</summary>
    public string? DefaultNotificationChannel { get; private init; }

    /// <summary><c>localCaps</c>: <c>[{"channel":"IN_APP","type","limit"}]</c>.</summary>
    public RawJson LocalCapsJson { get; }

    /// <summary><c>regions</c>: name to <c>{lat, lon, radius, version, name}</c>.</summary>
    public RawJson RegionsJson { get; }

    /// <summary>
    /// Whether message <paramref name="id"/> sends nothing now only because it or its campaign is paused: it may send
    /// again once activated (it is not live, finished, deleted or past its end).
    /// </summary>
    public bool Paused(long id, long nowMs)
    {
        if (Live.ContainsKey(id) || !ById.TryGetValue(id, out var message) || message.State is not (MessageStates.Active or MessageStates.Paused))
            return false;
        var campaign = message.CampaignId is { } campaignId ? Campaigns.FirstOrDefault(c => c.Id == campaignId) : null;
        if (campaign?.State is MessageStates.Finished || (message.State != MessageStates.Paused && campaign?.State != MessageStates.Paused))
            return false;
        var end = Math.Min(message.EndMs ?? long.MaxValue, campaign?.EndMs ?? long.MaxValue);
        return nowMs < end;
    }

    /// <summary>Whether a message goes through <c>start</c> (in-app, or a push with in-app triggers: a local notification).</summary>
    public static bool IsDeliveredAtStart(MessageDocument m) =>
        m.Channel == MessageChannels.InApp || (m.Channel == MessageChannels.Push && m.WhenTriggers.Count > 0);

    public static MessageSet Build(IEnumerable<ContentDocument> documents, AudienceSet audiences, JsonObject? appActionDefinitions, List<string> problems)
    {
        var messages = new List<MessageDocument>();
        var campaigns = new List<CampaignDocument>();
        var settings = MessagingSettings.Empty;
        foreach (var document in documents)
        {
            switch (document.Kind)
            {
                case MessageContentKinds.Message:
                    messages.Add(MessageDocument.FromJson(document.Body));
                    break;
                case MessageContentKinds.Campaign:
                    campaigns.Add(CampaignDocument.FromJson(document.Body));
                    break;
                case MessageContentKinds.Settings:
                    settings = MessagingSettings.FromJson(document.Body);
                    break;
            }
        }
        var channels = AndroidChannel.From(documents);
        if (messages.Count == 0 && campaigns.Count == 0 && settings == MessagingSettings.Empty && channels.Count == 0)
            return Empty;
        messages.Sort((a, b) => a.Id.CompareTo(b.Id));
        campaigns.Sort((a, b) => a.Id.CompareTo(b.Id));
        var campaignsById = campaigns.ToDictionary(c => c.Id);
        var live = new Dictionary<long, LiveMessage>();
        foreach (var m in messages.Where(m => m.State == MessageStates.Active))
        {
            var campaign = m.CampaignId is { } cid ? campaignsById.GetValueOrDefault(cid) : null;
            if (campaign is not null && campaign.State != MessageStates.Active)
                continue;
            try
            {
                live[m.Id] = new LiveMessage(m, campaign, MessageTemplates.Find(m.Template, appActionDefinitions), MessageTargeting.Compile(m.AudienceId, m.Rule, audiences));
            }
            catch (RuleException e)
            {
                problems.Add($"Message {m.Id}: {e.Message}");
            }
        }
        var inApp = live.Values.Where(l => IsDeliveredAtStart(l.Document))
            .OrderBy(l => l.Document.Priority).ThenBy(l => l.Document.Id).ToList();
        var serverTriggered = live.Values.OrderBy(l => l.Document.Id)
            .SelectMany(l => (l.Document.ServerTriggers ?? []).Select(t => (Message: l, Trigger: t)))
            .GroupBy(x => (x.Trigger.Subject, x.Trigger.Noun ?? ""))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(LiveMessage, MessageTrigger)>)[.. g]);
        return new MessageSet(messages, campaigns, settings, inApp, live)
        {
            ServerTriggered = serverTriggered,
            EntryAudiences = [.. serverTriggered.Keys.Where(k => k.Subject == ServerTriggerSends.AudienceSubject).Select(k => k.Item2)],
            AndroidChannels = channels,
            NotificationChannelsJson = channels.Count == 0 ? null : new RawJson(AndroidChannel.Wire(channels)),
            DefaultNotificationChannel = channels.FirstOrDefault(c => c.IsDefault)?.Id,
        };
    }
}

/// <summary>How a message's targeting compiles: a saved audience, an inline rule, or everyone.</summary>
public static class MessageTargeting
{
    public static Func<TargetingSubject, bool>? Compile(long? audienceId, JsonNode? rule, AudienceSet audiences)
    {
        if (audienceId is { } id)
        {
            var text = id.ToString(CultureInfo.InvariantCulture);
            if (audiences.IndexOf(text) is null)
                throw new RuleException($"no audience with id '{text}'.");
            return s => audiences.Contains(text, s);
        }
        return rule is null ? null : audiences.Compiler.Compile(RuleJson.Parse(rule.ToJsonString()));
    }
}
