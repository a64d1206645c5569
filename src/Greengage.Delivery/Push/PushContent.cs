using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Delivery.Push;

/// <summary>The names of the push message values the providers read (docs/delivery.md).</summary>
public static class PushValues
{
    /// <summary>The notification's text (<c>lp_message</c>, <c>aps.alert.body</c>, web <c>body</c>).</summary>
    public const string Message = "Message";

    public const string Title = "Title";

    /// <summary>An image URL (<c>lp_imageUrl</c>; on iOS also <c>mutable-content</c> for the app's service extension).</summary>
    public const string Image = "Image";

    /// <summary>The action run when the notification is opened: an action object with <c>__name__</c> (<c>_lpx</c>).</summary>
    public const string OpenAction = "Open action";

    /// <summary>Not shown while the app is in the foreground (<c>_lpu</c>/<c>_lpv</c> instead of <c>_lpm</c>/<c>_lpn</c>).</summary>
    public const string MuteInsideApp = "Mute inside app";

    /// <summary>Shows nothing: the app is woken (iOS <c>content-available</c>, Android <c>lp_silent_track</c>).</summary>
    public const string Silent = "Silent";

    /// <summary>The Android notification channel: its id, or the channel object (<c>lp_channel</c>).</summary>
    public const string AndroidChannel = "Android channel";

    /// <summary>iOS sound name (default <c>default</c>).</summary>
    public const string Sound = "Sound";

    /// <summary>iOS badge number.</summary>
    public const string Badge = "Badge";

    /// <summary><c>high</c> (default) or <c>normal</c>.</summary>
    public const string Priority = "Priority";

    /// <summary>Seconds the provider keeps trying to deliver.</summary>
    public const string TimeToLive = "Time to live";

    /// <summary>Replaces an earlier notification with the same key (FCM <c>collapse_key</c>, APNs <c>apns-collapse-id</c>).</summary>
    public const string CollapseKey = "Collapse key";

    /// <summary>Extra key-value pairs for the app (FCM data, APNs top level).</summary>
    public const string Data = "Data";

    /// <summary>Web push: the notification tag (default: the message id).</summary>
    public const string Tag = "Tag";

    /// <summary>Web push: the icon URL.</summary>
    public const string Icon = "Icon";
}

/// <summary>A push message's values, read once for every platform's payload.</summary>
public sealed record PushContent(
    string? Text,
    string? Title,
    string? ImageUrl,
    JsonObject? OpenAction,
    bool MuteInsideApp,
    bool Silent,
    JsonObject? AndroidChannel,
    string? Sound,
    int? Badge,
    bool NormalPriority,
    TimeSpan? TimeToLive,
    string? CollapseKey,
    JsonObject Data,
    string? Tag,
    string? Icon)
{
    public static PushContent From(JsonObject values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var openAction = values[PushValues.OpenAction] as JsonObject;
        if (openAction is not null && string.IsNullOrEmpty(TextOf(openAction["__name__"])))
            openAction = null;
        var channel = values[PushValues.AndroidChannel] switch
        {
            JsonObject o when TextOf(o["id"]) is not null => (JsonObject)o.DeepClone(),
            JsonValue v when TextOf(v) is { } id => new JsonObject { ["id"] = id },
            _ => null,
        };
        var ttl = Number(values[PushValues.TimeToLive]);
        return new PushContent(
            TextOf(values[PushValues.Message]),
            TextOf(values[PushValues.Title]),
            TextOf(values[PushValues.Image]),
            (JsonObject?)openAction?.DeepClone(),
            Bool(values[PushValues.MuteInsideApp]),
            Bool(values[PushValues.Silent]),
            channel,
            TextOf(values[PushValues.Sound]),
            Number(values[PushValues.Badge]) is { } badge ? (int)Math.Clamp(badge, 0, int.MaxValue) : null,
            string.Equals(TextOf(values[PushValues.Priority]), "normal", StringComparison.OrdinalIgnoreCase),
            ttl is >= 0 ? TimeSpan.FromSeconds(ttl.Value) : null,
            TextOf(values[PushValues.CollapseKey]),
            values[PushValues.Data] is JsonObject data ? (JsonObject)data.DeepClone() : [],
            TextOf(values[PushValues.Tag]),
            TextOf(values[PushValues.Icon]));
    }

    /// <summary>Which of Leanplum's message id keys carries the id: <c>_lpm</c> (open action, shown in the app too),
    /// <c>_lpu</c> (open action, muted inside the app), <c>_lpn</c> (no action), <c>_lpv</c> (no action, muted).</summary>
    public string MessageIdKey => (OpenAction is not null, MuteInsideApp) switch
    {
        (true, false) => "_lpm",
        (true, true) => "_lpu",
        (false, false) => "_lpn",
        (false, true) => "_lpv",
    };

    /// <summary><c>lp_sent_time</c>: Unix seconds with milliseconds, as the SDKs read it.</summary>
    public static double SentTime(DateTimeOffset sentAt) => sentAt.ToUnixTimeMilliseconds() / 1000.0;

    internal static string? TextOf(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } s ? s : null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    private static bool Bool(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.True => true,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is "true" or "1" or "yes",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => NumberText(v) != 0,
        _ => false,
    };

    private static double? Number(JsonNode? node) => node switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => NumberText(v),
        JsonValue v when v.GetValueKind() == JsonValueKind.String && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    // A JsonValue made from an int will not give a double: read numbers through their JSON text.
    private static double NumberText(JsonValue v) => double.Parse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture);
}
