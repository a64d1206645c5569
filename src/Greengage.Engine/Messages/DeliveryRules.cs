using System.Globalization;
using System.Text.Json.Serialization;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Components;

namespace Greengage.Engine.Messages;

/// <summary>At most <paramref name="Day"/> sends of a channel to one user in any 24 hours, <paramref name="Week"/> in any 7 days.</summary>
public sealed record ChannelCap(
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("day")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Day,
    [property: JsonPropertyName("week")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Week);

/// <summary>At most this many sends of one message to one user in any 24 hours / 7 days.</summary>
public sealed record MessageCaps(
    [property: JsonPropertyName("day")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Day,
    [property: JsonPropertyName("week")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Week);

/// <summary>
/// Quiet hours in the user's time zone (their last reported offset; UTC when unknown): from <paramref name="Start"/>
/// to <paramref name="End"/> (<c>HH:mm</c>, may wrap midnight), sends of <paramref name="Channels"/> are delayed to the
/// end of the window (<c>delay</c>) or not sent (<c>drop</c>).
/// </summary>
public sealed record QuietHours(
    [property: JsonPropertyName("start")] string Start,
    [property: JsonPropertyName("end")] string End,
    [property: JsonPropertyName("channels")] IReadOnlyList<string> Channels,
    [property: JsonPropertyName("mode")] string Mode)
{
    public const string Delay = "delay";
    public const string Drop = "drop";

    public static bool TryParseTime(string text, out TimeSpan time) =>
        TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out time) && time < TimeSpan.FromDays(1);

    /// <summary>When the quiet window that holds <paramref name="utcNow"/> ends (UTC), or null when it is not quiet.</summary>
    public DateTimeOffset? QuietUntil(DateTimeOffset utcNow, long? offsetSeconds)
    {
        if (!TryParseTime(Start, out var start) || !TryParseTime(End, out var end) || start == end)
            return null;
        var offset = TimeSpan.FromSeconds(offsetSeconds ?? 0);
        var local = utcNow + offset;
        var day = new DateTimeOffset(local.Year, local.Month, local.Day, 0, 0, 0, TimeSpan.Zero);
        var time = local - day;
        DateTimeOffset? endLocal = start < end
            ? (time >= start && time < end ? day + end : null)
            : (time >= start ? day.AddDays(1) + end : time < end ? day + end : null);
        return endLocal is { } e ? e - offset : null;
    }
}

/// <summary>
/// The rules that protect users from server sends (issue: delivery, item 5): frequency caps per channel (the app's)
/// and per message, unless the message is exempt; quiet hours. Counted from the sends the user's grain recorded
/// (<c>msg.sent</c>), over rolling windows.
/// </summary>
public static class DeliveryRules
{
    public static readonly TimeSpan Day = TimeSpan.FromDays(1);
    public static readonly TimeSpan Week = TimeSpan.FromDays(7);

    /// <summary>Why a send of <paramref name="message"/> on its channel is capped now, or null.</summary>
    public static string? Capped(MessageDocument message, MessagingSettings settings, MessagesComponent sent, long nowMs)
    {
        var id = message.Id.ToString(CultureInfo.InvariantCulture);
        // Exempt messages skip the app's channel caps; their own caps still hold.
        if (!message.ExemptFromCaps && settings.DeliveryCaps?.FirstOrDefault(c => c.Channel == message.Channel) is { } cap)
        {
            if (cap.Day is { } day && sent.SendsSince(nowMs - (long)Day.TotalMilliseconds, channel: message.Channel) >= day)
                return $"not sent: frequency cap ({day} {message.Channel} per day)";
            if (cap.Week is { } week && sent.SendsSince(nowMs - (long)Week.TotalMilliseconds, channel: message.Channel) >= week)
                return $"not sent: frequency cap ({week} {message.Channel} per week)";
        }
        if (message.Caps is { } own)
        {
            if (own.Day is { } day && sent.SendsSince(nowMs - (long)Day.TotalMilliseconds, messageId: id) >= day)
                return $"not sent: the message's cap ({day} per day)";
            if (own.Week is { } week && sent.SendsSince(nowMs - (long)Week.TotalMilliseconds, messageId: id) >= week)
                return $"not sent: the message's cap ({week} per week)";
        }
        return null;
    }

    /// <summary>Quiet hours for the channel: null (send now), a later not-before (delay), or a reason not to send (drop).</summary>
    public static (DateTimeOffset? NotBefore, string? Dropped) Quiet(MessageDocument message, MessagingSettings settings, UserState user, DateTimeOffset now)
    {
        if (settings.QuietHours is not { } quiet || !quiet.Channels.Contains(message.Channel))
            return (null, null);
        if (quiet.QuietUntil(now, user.Profile.Locale?.TimezoneOffsetSeconds) is not { } until)
            return (null, null);
        return quiet.Mode == QuietHours.Drop ? (null, "not sent: quiet hours") : (until, null);
    }
}
