using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The profile: attributes, lifetime counters, locale and location, unsubscriptions. Merge rule: the target's values
/// win; gaps are filled; unsubscriptions are united.
/// </summary>
public sealed class ProfileComponent : IUserComponent<ProfileComponent>
{
    [JsonPropertyName("created")] public long? CreatedMs { get; set; }
    [JsonPropertyName("lastActive")] public long? LastActiveMs { get; set; }
    [JsonPropertyName("totalSessions")] public long TotalSessions { get; set; }
    [JsonPropertyName("timeSpentInApp")] public double TimeSpentInApp { get; set; }
    [JsonPropertyName("attributes")] public Dictionary<string, JsonElement> Attributes { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("locale")] public LocaleInfo? Locale { get; set; }
    [JsonPropertyName("locationAccuracyType")] public string? LocationAccuracyType { get; set; }
    /// <summary>Channels the user unsubscribed from (<c>Email</c>, <c>Push Notification</c>, ...), in the order added.</summary>
    [JsonPropertyName("unsubscribeChannels")] public List<string> UnsubscribeChannels { get; set; } = [];
    /// <summary>Email categories (ids) the user unsubscribed from, in the order added.</summary>
    [JsonPropertyName("unsubscribeCategories")] public List<string> UnsubscribeCategories { get; set; } = [];

    public void Apply(UserRecord record)
    {
        // Any fact creates the user, except the administrator's own controls (unblocking or deleting a user that is only
        // known as blocked must not bring a profile into being) and a move away (what is left is only an alias).
        if (record is not (UserBlocked or UserUnblocked or UserDeleted or UserMoved))
            CreatedMs ??= record.TimeMs;
        switch (record)
        {
            case SessionStarted s:
                if (!s.Background)
                    TotalSessions++;
                if (s.Locale is not null)
                    Locale = MergeLocale(Locale, s.Locale);
                if (s.Attributes is not null)
                    SetAttributes(s.Attributes);
                Touch(s);
                break;
            case SessionEnded e:
                TimeSpentInApp += e.DurationSeconds;
                break;
            case SessionResumed r:
                // A session started in the background counts once the app comes to the foreground.
                if (r.Activates)
                    TotalSessions++;
                Touch(record);
                break;
            case Heartbeat:
                Touch(record);
                break;
            case EventTracked ev when !ev.IsOffline:
                Touch(ev);
                break;
            case AttributesSet a:
                SetAttributes(a.Values);
                break;
            case ProfileSet p:
                if (p.Locale is not null)
                    Locale = MergeLocale(Locale, p.Locale);
                LocationAccuracyType = p.LocationAccuracyType ?? LocationAccuracyType;
                CreatedMs = p.CreatedMs ?? CreatedMs;
                LastActiveMs = p.LastActiveMs ?? LastActiveMs;
                TotalSessions = p.TotalSessions ?? TotalSessions;
                TimeSpentInApp = p.TimeSpentInApp ?? TimeSpentInApp;
                break;
            case SubscriptionsChanged u:
                AddAll(UnsubscribeChannels, u.ChannelsToAdd);
                RemoveAll(UnsubscribeChannels, u.ChannelsToRemove);
                AddAll(UnsubscribeCategories, u.CategoriesToAdd);
                RemoveAll(UnsubscribeCategories, u.CategoriesToRemove);
                break;
            case UserBlocked:
                // "Stop (and erase)": the attributes go; counters, devices and history stay until deleteUser.
                Attributes.Clear();
                break;
        }
    }

    public void MergeFrom(ProfileComponent source)
    {
        CreatedMs = Min(CreatedMs, source.CreatedMs);
        LastActiveMs = Max(LastActiveMs, source.LastActiveMs);
        TotalSessions += source.TotalSessions;
        TimeSpentInApp += source.TimeSpentInApp;
        foreach (var (name, value) in source.Attributes)
            Attributes.TryAdd(name, value);
        Locale ??= source.Locale;
        LocationAccuracyType ??= source.LocationAccuracyType;
        AddAll(UnsubscribeChannels, source.UnsubscribeChannels);
        AddAll(UnsubscribeCategories, source.UnsubscribeCategories);
    }

    private static void AddAll(List<string> target, List<string>? values)
    {
        foreach (var value in values ?? [])
        {
            if (!target.Contains(value))
                target.Add(value);
        }
    }

    // Not a lambda over the case's record: capturing it made Apply allocate a closure for every record it saw.
    private static void RemoveAll(List<string> target, List<string>? values)
    {
        if (values is not null)
            target.RemoveAll(values.Contains);
    }

    private void Touch(UserRecord record) => LastActiveMs = Max(LastActiveMs, record.TimeMs);

    private void SetAttributes(Dictionary<string, JsonElement> values)
    {
        foreach (var (name, value) in values)
        {
            if (value.ValueKind == JsonValueKind.Null)
                Attributes.Remove(name);
            else if (!Attributes.TryGetValue(name, out var kept) || !SameJson(kept, value))
                Attributes[name] = value;
        }
    }

    /// <summary>
    /// Whether two values are written the same. An unchanged value keeps the element the profile holds: the new one
    /// would keep its whole request document alive for as long as the user stays in memory.
    /// </summary>
    private static bool SameJson(JsonElement kept, JsonElement now) =>
        kept.ValueKind == now.ValueKind && JsonMarshal.GetRawUtf8Value(kept).SequenceEqual(JsonMarshal.GetRawUtf8Value(now));

    private static LocaleInfo MergeLocale(LocaleInfo? old, LocaleInfo now) => old is null ? now : new LocaleInfo
    {
        Locale = now.Locale ?? old.Locale,
        Country = now.Country ?? old.Country,
        Region = now.Region ?? old.Region,
        City = now.City ?? old.City,
        Location = now.Location ?? old.Location,
        Timezone = now.Timezone ?? old.Timezone,
        TimezoneOffsetSeconds = now.TimezoneOffsetSeconds ?? old.TimezoneOffsetSeconds,
    };

    private static long? Min(long? a, long? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
