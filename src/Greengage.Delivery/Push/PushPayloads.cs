using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Delivery.Push;

/// <summary>
/// The payloads the Leanplum SDKs read (spec 6.10): the Android data keys, the APNs userInfo, the web push JSON of the
/// JS SDK's service worker. docs/delivery.md shows each.
/// </summary>
public static class PushPayloads
{
    /// <summary>
    /// The FCM data message for the Android SDK: every value a string. The message id under <c>_lpm</c>/<c>_lpu</c>/
    /// <c>_lpn</c>/<c>_lpv</c>, the open action as JSON in <c>_lpx</c>, <c>lp_message</c>, <c>title</c>,
    /// <c>lp_imageUrl</c>, <c>lp_channel</c> (the channel as JSON), <c>lp_occurrence_id</c>, <c>lp_sent_time</c>;
    /// a silent push has no <c>lp_message</c> and carries <c>lp_silent_track</c>. The message's <c>Data</c> pairs come
    /// first, so they never replace a Leanplum key.
    /// </summary>
    public static SortedDictionary<string, string> AndroidData(long messageId, string occurrenceId, DateTimeOffset sentAt, PushContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var data = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in content.Data)
        {
            if (value is not null)
                data[key] = value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : value.ToJsonString();
        }
        data[content.MessageIdKey] = messageId.ToString(CultureInfo.InvariantCulture);
        if (content.OpenAction is { } action)
            data["_lpx"] = action.ToJsonString();
        if (content.Silent)
            data["lp_silent_track"] = "true";
        else if (content.Text is { } text)
            data["lp_message"] = text;
        if (content.Title is { } title)
            data["title"] = title;
        if (content.ImageUrl is { } image)
            data["lp_imageUrl"] = image;
        if (content.AndroidChannel is { } channel)
            data["lp_channel"] = channel.ToJsonString();
        data["lp_occurrence_id"] = occurrenceId;
        data["lp_sent_time"] = PushContent.SentTime(sentAt).ToString("0.###", CultureInfo.InvariantCulture);
        return data;
    }

    /// <summary>
    /// The APNs payload for the iOS SDK: <c>aps</c> (alert title and body, sound, badge, <c>mutable-content</c> when
    /// there is an image, only <c>content-available</c> for a silent push), the message id (a number) under
    /// <c>_lpm</c>/<c>_lpu</c>/<c>_lpn</c>/<c>_lpv</c>, the open action object in <c>_lpx</c>,
    /// <c>lp_occurrence_id</c>, <c>lp_sent_time</c> (seconds), <c>lp_imageUrl</c> for the app's service extension,
    /// and the message's <c>Data</c> pairs.
    /// </summary>
    public static JsonObject ApnsPayload(long messageId, string occurrenceId, DateTimeOffset sentAt, PushContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var aps = new JsonObject();
        if (content.Silent)
        {
            aps["content-available"] = 1;
        }
        else
        {
            var alert = new JsonObject();
            if (content.Title is { } title)
                alert["title"] = title;
            alert["body"] = content.Text ?? "";
            aps["alert"] = alert;
            aps["sound"] = content.Sound ?? "default";
            if (content.Badge is { } badge)
                aps["badge"] = badge;
            if (content.ImageUrl is not null)
                aps["mutable-content"] = 1;
        }
        var payload = new JsonObject();
        foreach (var (key, value) in content.Data)
        {
            if (key != "aps")
                payload[key] = value?.DeepClone();
        }
        payload["aps"] = aps;
        payload[content.MessageIdKey] = messageId;
        if (content.OpenAction is { } action)
            payload["_lpx"] = action.DeepClone();
        if (content.ImageUrl is { } image)
            payload["lp_imageUrl"] = image;
        payload["lp_occurrence_id"] = occurrenceId;
        payload["lp_sent_time"] = PushContent.SentTime(sentAt);
        return payload;
    }

    /// <summary>
    /// The web push JSON the JS SDK's service worker shows: <c>{title, tag, body?, icon?, image?, data: {openAction}}</c>
    /// (the tag defaults to the message id, so a repeat replaces the earlier notification).
    /// </summary>
    public static JsonObject WebPayload(long messageId, PushContent content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var payload = new JsonObject
        {
            ["title"] = content.Title ?? "",
            ["tag"] = content.Tag ?? messageId.ToString(CultureInfo.InvariantCulture),
        };
        if (content.Text is { } text)
            payload["body"] = text;
        if (content.Icon is { } icon)
            payload["icon"] = icon;
        if (content.ImageUrl is { } image)
            payload["image"] = image;
        var data = new JsonObject();
        if (content.OpenAction is { } action)
            data["openAction"] = action.DeepClone();
        payload["data"] = data;
        return payload;
    }
}
