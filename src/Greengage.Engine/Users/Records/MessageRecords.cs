using System.Text.Json;
using System.Text.Json.Serialization;

namespace Greengage.Engine.Users.Records;

/// <summary>
/// In-app messages reached the user for the first time at a <c>start</c> or content refresh, and whether each holds the
/// user back (its hold-out group: decided once, remembered, so a changed percentage never moves a user).
/// </summary>
public sealed record MessagesDecided : UserRecord
{
    public const string Kind = "msg.decided";
    [JsonIgnore] public override string KindName => Kind;

    /// <summary>Messages (ids) that hold the user back.</summary>
    [JsonPropertyName("h")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? HeldBack { get; init; }

    /// <summary>Messages (ids) that reach the user.</summary>
    [JsonPropertyName("r")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Reached { get; init; }
}

/// <summary>
/// <c>sendMessage</c> or <c>startCampaign</c> sent an in-app message to the user: their next <c>start</c> or refresh
/// carries it (with the send's values), until they see it.
/// </summary>
public sealed record InAppQueued : UserRecord
{
    public const string Kind = "msg.queued";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("m")] public required string MessageId { get; init; }

    /// <summary>The send's <c>values</c> (personalisation), when it had any.</summary>
    [JsonPropertyName("v")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public JsonElement? Values { get; init; }
}

/// <summary>An item was put in the user's inbox (spec 4.4): its id <c>&lt;messageId&gt;##&lt;n&gt;</c> and its message data, rendered.</summary>
public sealed record InboxItemAdded : UserRecord
{
    public const string Kind = "inbox.added";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("id")] public required string ItemId { get; init; }

    [JsonPropertyName("m")] public required string MessageId { get; init; }

    /// <summary><c>messageData</c>: <c>vars</c> (Title, Subtitle, Image, Data, Open action, <c>__name__</c>), <c>action</c>, <c>parentCampaignId</c>.</summary>
    [JsonPropertyName("data")] public required JsonElement Data { get; init; }

    /// <summary>When it expires (Unix ms; null: never).</summary>
    [JsonPropertyName("exp")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? ExpiresMs { get; init; }
}

/// <summary><c>markNewsfeedMessageAsRead</c>.</summary>
public sealed record InboxItemRead : UserRecord
{
    public const string Kind = "inbox.read";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("id")] public required string ItemId { get; init; }
}

/// <summary><c>deleteNewsfeedMessage</c>, or the item made room for a newer one (the inbox is full).</summary>
public sealed record InboxItemDeleted : UserRecord
{
    public const string Kind = "inbox.deleted";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("id")] public required string ItemId { get; init; }

    /// <summary>Removed to make room, not by the user.</summary>
    [JsonPropertyName("ev")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Evicted { get; init; }
}

/// <summary>
/// A provider said a push address is gone for good (FCM <c>UNREGISTERED</c>, APNs 410, Web Push 404/410): the device
/// forgets it, unless it has registered another since.
/// </summary>
public sealed record PushTokenRemoved : UserRecord
{
    public const string Kind = "device.token.removed";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("d")] public required string Device { get; init; }

    /// <summary><c>fcm</c>, <c>apns</c> or <c>webpush</c>.</summary>
    [JsonPropertyName("kind")] public required string TokenKind { get; init; }

    [JsonPropertyName("token")] public required string Token { get; init; }
}

/// <summary>
/// A server send (push, email, webhook) or inbox item was sent to the user: what frequency caps count, over rolling
/// windows. One per message sent, however many addresses it went to.
/// </summary>
public sealed record MessageSent : UserRecord
{
    public const string Kind = "msg.sent";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("m")] public required string MessageId { get; init; }

    [JsonPropertyName("ch")] public required string Channel { get; init; }

    /// <summary>The message is exempt from the app's channel caps: it does not count against them either.</summary>
    [JsonPropertyName("ex")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Exempt { get; init; }

    /// <summary>For a scheduled send: the schedule's occurrence (a user gets each occurrence at most once).</summary>
    [JsonPropertyName("o")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Occurrence { get; init; }
}
