using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Greengage.Engine.Messages;

/// <summary>The channels a message goes out on (the names the admin API takes).</summary>
public static class MessageChannels
{
    /// <summary>Shown by the SDK on a trigger: sent to the device in <c>start</c>'s <c>messages</c>.</summary>
    public const string InApp = "in-app";

    /// <summary>A push notification: server-sent (the delivery issue), or local when it has in-app triggers.</summary>
    public const string Push = "push";

    /// <summary>An item in the user's inbox (newsfeed).</summary>
    public const string Inbox = "inbox";

    public const string Webhook = "webhook";

    public const string Email = "email";

    public static readonly string[] All = [InApp, Push, Inbox, Webhook, Email];

    /// <summary>Leanplum's <c>messageType</c> names (spec 4.4), by channel, for templates without a name of their own.</summary>
    public static string MessageType(string channel) => channel switch
    {
        Push => "Push Notification",
        Inbox => "Newsfeed Message",
        Webhook => "Webhook",
        Email => "Email",
        _ => "In-app Message",
    };

    /// <summary>The name the profile's <c>unsubscribeChannels</c> use for a channel (null: in-app cannot be unsubscribed).</summary>
    public static string? UnsubscribeName(string channel) => channel switch
    {
        Push => "Push Notification",
        Inbox => "Newsfeed Message",
        Webhook => "Webhook",
        Email => "Email",
        _ => null,
    };
}

/// <summary>
/// The life of a message: drafted, active (published: sent to users), paused (nobody gets it; what users hold stays),
/// finished (over for good).
/// </summary>
public static class MessageStates
{
    public const string Draft = "draft";
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Finished = "finished";
}

/// <summary>
/// A trigger as spec 6.6 writes it and the SDKs read it: <c>subject</c> (<c>start</c>, <c>resume</c>, <c>event</c>,
/// <c>state</c>, <c>userAttribute</c>, <c>enterRegion</c>, <c>exitRegion</c>), <c>noun</c> (the event, state,
/// attribute or region), <c>verb</c> and its <c>objects</c>. See <see cref="TriggerRules"/>.
/// </summary>
public sealed record MessageTrigger(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("noun")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Noun,
    [property: JsonPropertyName("verb")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Verb,
    [property: JsonPropertyName("objects")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Objects,
    [property: JsonPropertyName("secondaryVerb")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SecondaryVerb = null);

/// <summary>
/// An impression limit as spec 6.6 writes it: <c>times</c> (at most <c>noun</c> times per session, per user, or per
/// <c>objects[0]</c> seconds/minutes/hours/days/weeks/months), <c>onNthOccurrence</c> or <c>everyNthOccurrence</c>
/// of the trigger (<c>noun</c> = N).
/// </summary>
public sealed record MessageLimit(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("noun")] string Noun,
    [property: JsonPropertyName("verb")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Verb,
    [property: JsonPropertyName("objects")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Objects);

/// <summary>
/// A message as stored (content kind <see cref="MessageContentKinds.Message"/>, keyed by id): its channel, template and
/// the template's values, who gets it (an audience, an inline rule, or everyone), its state and active window, and for
/// in-app (and local push) delivery its triggers and limits.
/// </summary>
/// <param name="Template">The template (action) name: an in-app template (Alert, Confirm, ..., or one the app declared
/// through <c>actionDefinitions</c>), <c>__Push Notification</c>, <c>__Newsfeed Message</c>, <c>Webhook</c>, <c>Email</c>.</param>
/// <param name="Values">The template's arguments by name (groups as nested objects, actions as objects with <c>__name__</c>).</param>
/// <param name="HoldOutPercent">Users held back (0-100): decided once per user and remembered; they get <c>__held_back</c>.</param>
/// <param name="CountdownSeconds">For a push with in-app triggers (a local notification): seconds after the trigger.</param>
/// <param name="ApiSends">Whether <c>sendMessage</c> with a production key (which ships inside apps) may send it.</param>
/// <param name="Category">The unsubscribe category it belongs to (users unsubscribed from it do not get it).</param>
/// <param name="InboxTtlSeconds">For an inbox item: how long after delivery it expires (null: never).</param>
public sealed record MessageDocument(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("template")] string Template,
    [property: JsonPropertyName("values")] JsonObject Values,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("audience")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? AudienceId,
    [property: JsonPropertyName("rule")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? Rule,
    [property: JsonPropertyName("startTime")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? StartMs,
    [property: JsonPropertyName("endTime")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EndMs,
    [property: JsonPropertyName("priority")] int Priority,
    [property: JsonPropertyName("holdOutPercent")] double HoldOutPercent,
    [property: JsonPropertyName("whenTriggers")] IReadOnlyList<MessageTrigger> WhenTriggers,
    [property: JsonPropertyName("unlessTriggers")] IReadOnlyList<MessageTrigger> UnlessTriggers,
    [property: JsonPropertyName("limits")] IReadOnlyList<MessageLimit> Limits,
    [property: JsonPropertyName("campaign")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? CampaignId,
    [property: JsonPropertyName("countdown")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? CountdownSeconds,
    [property: JsonPropertyName("apiSends")] bool ApiSends,
    [property: JsonPropertyName("category")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Category,
    [property: JsonPropertyName("inboxTtl")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? InboxTtlSeconds,
    [property: JsonPropertyName("created")] long CreatedMs,
    [property: JsonPropertyName("updated")] long UpdatedMs,
    [property: JsonPropertyName("published")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? PublishedMs,
    [property: JsonPropertyName("finished")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? FinishedMs)
{
    /// <summary>Leanplum's default priority; a lower number is shown first.</summary>
    public const int DefaultPriority = 1000;

    /// <summary>
    /// Server-side triggers (push, email, webhook and inbox messages): the server sends the message to a user when one
    /// of these happens in their grain: an event (<c>triggers</c>, <c>triggersWithParameter</c>), a state entered,
    /// an attribute changing (<c>changes</c>, <c>changesTo</c>, <c>changesFromTo</c>).
    /// </summary>
    [JsonPropertyName("serverTriggers")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<MessageTrigger>? ServerTriggers { get; init; }

    /// <summary>For server-triggered push, email and webhook messages: seconds between the trigger and the send (a durable not-before, not a timer).</summary>
    [JsonPropertyName("delay")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DelaySeconds { get; init; }

    /// <summary>This message's own frequency caps per user (server sends and inbox).</summary>
    [JsonPropertyName("caps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageCaps? Caps { get; init; }

    /// <summary>Sent whatever the app's channel caps (a password reset, a receipt); its own caps still hold.</summary>
    [JsonPropertyName("exemptFromCaps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ExemptFromCaps { get; init; }

    /// <summary>A scheduled send to the message's audience (push, email, webhook, inbox): once or recurring.</summary>
    [JsonPropertyName("schedule")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public MessageSchedule? Schedule { get; init; }

    /// <summary>
    /// When the message was last activated again after a pause: its scheduled sends whose time passed while it was
    /// paused are not sent late (<see cref="ScheduleRules.LiveSince"/>).
    /// </summary>
    [JsonPropertyName("resumed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ResumedMs { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static MessageDocument FromJson(byte[] body) =>
        JsonSerializer.Deserialize<MessageDocument>(body) ?? throw new JsonException("Empty message document.");
}

/// <summary>
/// When a message is sent to its audience by the server (see <see cref="ScheduleRules"/>): at <paramref name="At"/>, a
/// local date and time without an offset (<c>2026-12-02T09:00</c>), read in <paramref name="TimeZone"/>: an IANA zone
/// (<c>UTC</c>, <c>Europe/Berlin</c>) for one instant for everyone, or <c>user</c> for the same local time in each
/// user's own zone (users whose zone is unknown use <paramref name="FallbackTimeZone"/>, UTC by default).
/// <paramref name="Repeat"/>: <c>once</c>, <c>daily</c> or <c>weekly</c> (until the message ends or is paused).
/// </summary>
public sealed record MessageSchedule(
    [property: JsonPropertyName("at")] string At,
    [property: JsonPropertyName("timeZone")] string TimeZone,
    [property: JsonPropertyName("repeat")] string Repeat,
    [property: JsonPropertyName("fallbackTimeZone")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FallbackTimeZone = null);

/// <summary>
/// A campaign as stored (content kind <see cref="MessageContentKinds.Campaign"/>): groups messages (they name it), with
/// an entry trigger (its in-app messages without triggers of their own use it) and an end date (its messages' end).
/// <c>startCampaign</c> fires its messages for one user.
/// </summary>
public sealed record CampaignDocument(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("entryTrigger")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MessageTrigger? EntryTrigger,
    [property: JsonPropertyName("endTime")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EndMs,
    [property: JsonPropertyName("created")] long CreatedMs,
    [property: JsonPropertyName("updated")] long UpdatedMs)
{
    /// <summary>When the campaign was last activated again after a pause (see <see cref="MessageDocument.ResumedMs"/>).</summary>
    [JsonPropertyName("resumed")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? ResumedMs { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static CampaignDocument FromJson(byte[] body) =>
        JsonSerializer.Deserialize<CampaignDocument>(body) ?? throw new JsonException("Empty campaign document.");
}

/// <summary>An in-app frequency cap of the app (<c>localCaps</c> in <c>start</c>): at most <c>limit</c> per session, day or week.</summary>
public sealed record InAppCap(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("limit")] int Limit);

/// <summary>A geofence region (<c>regions</c> in <c>start</c>), for <c>enterRegion</c>/<c>exitRegion</c> triggers.</summary>
public sealed record Region(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("lat")] double Lat,
    [property: JsonPropertyName("lon")] double Lon,
    [property: JsonPropertyName("radius")] double Radius,
    [property: JsonPropertyName("version")] int Version);

/// <summary>An unsubscribe category: users who unsubscribe from it get none of its messages.</summary>
public sealed record UnsubscribeCategory(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string? Description);

/// <summary>
/// The app's messaging settings (content kind <see cref="MessageContentKinds.Settings"/>, one document): in-app
/// caps, geofence regions, unsubscribe categories.
/// </summary>
public sealed record MessagingSettings(
    [property: JsonPropertyName("inAppCaps")] IReadOnlyList<InAppCap> InAppCaps,
    [property: JsonPropertyName("regions")] IReadOnlyList<Region> Regions,
    [property: JsonPropertyName("categories")] IReadOnlyList<UnsubscribeCategory> Categories)
{
    public static MessagingSettings Empty { get; } = new([], [], []);

    /// <summary>Frequency caps per channel for server sends (push, email, webhook, inbox), per user.</summary>
    [JsonPropertyName("deliveryCaps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChannelCap>? DeliveryCaps { get; init; }

    /// <summary>Quiet hours in each user's time zone.</summary>
    [JsonPropertyName("quietHours")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public QuietHours? QuietHours { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static MessagingSettings FromJson(byte[] body) =>
        JsonSerializer.Deserialize<MessagingSettings>(body) ?? Empty;
}

/// <summary>The content kinds of messaging.</summary>
public static class MessageContentKinds
{
    /// <summary>A message (key: its id).</summary>
    public const string Message = "message";

    /// <summary>A campaign (key: its id).</summary>
    public const string Campaign = "campaign";

    /// <summary>The app's messaging settings (key: <c>settings</c>).</summary>
    public const string Settings = "messaging";

    public const string SettingsKey = "settings";
}
