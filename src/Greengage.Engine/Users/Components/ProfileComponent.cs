using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>The profile: attributes, lifetime counters and locale. Merge rule: the target's values win; gaps are filled.</summary>
public sealed class ProfileComponent : IUserComponent<ProfileComponent>
{
    [JsonPropertyName("created")] public long? CreatedMs { get; set; }
    [JsonPropertyName("lastActive")] public long? LastActiveMs { get; set; }
    [JsonPropertyName("totalSessions")] public long TotalSessions { get; set; }
    [JsonPropertyName("timeSpentInApp")] public double TimeSpentInApp { get; set; }
    [JsonPropertyName("attributes")] public Dictionary<string, JsonElement> Attributes { get; set; } = new(StringComparer.Ordinal);
    [JsonPropertyName("locale")] public LocaleInfo? Locale { get; set; }

    public void Apply(UserRecord record)
    {
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
    }

    private void Touch(UserRecord record) => LastActiveMs = Max(LastActiveMs, record.TimeMs);

    private void SetAttributes(Dictionary<string, JsonElement> values)
    {
        foreach (var (name, value) in values)
        {
            if (value.ValueKind == JsonValueKind.Null)
                Attributes.Remove(name);
            else
                Attributes[name] = value;
        }
    }

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
