using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// The user's devices by id, each with when it was last seen (any record sent from it). Merge rule: union; of a
/// device both users had, the copy seen last wins. The per-user cap is applied by the handlers that add devices: they
/// record which devices to drop (<see cref="DevicesSet.Drop"/>), so the fold never depends on configuration.
/// </summary>
public sealed class DevicesComponent : IUserComponent<DevicesComponent>
{
    [JsonPropertyName("devices")] public Dictionary<string, DeviceEntry> Devices { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case SessionStarted { Device: { } info } s when s.DeviceId is not null:
                Upsert(s.DeviceId).Update(info);
                break;
            case DevicesSet d:
                foreach (var id in d.Drop ?? [])
                    Devices.Remove(id);
                foreach (var update in d.Set ?? [])
                {
                    var entry = Upsert(update.Id);
                    entry.Update(update.Info);
                    entry.IosPushTypes = update.IosPushTypes ?? entry.IosPushTypes;
                    entry.IosPushCategories = update.IosPushCategories ?? entry.IosPushCategories;
                    entry.LastSeenMs = Math.Max(entry.LastSeenMs, d.TimeMs);
                }
                break;
            case PushTokenRemoved r when Devices.TryGetValue(r.Device, out var holder):
                // Only the token the provider refused: one registered since stays.
                switch (r.TokenKind)
                {
                    case "fcm" when holder.GcmRegistrationId == r.Token:
                        holder.GcmRegistrationId = null;
                        break;
                    case "apns" when holder.IosPushToken == r.Token:
                        holder.IosPushToken = null;
                        break;
                    case "webpush" when holder.WebPushSubscription == r.Token:
                        holder.WebPushSubscription = null;
                        break;
                }
                return;
        }
        if (record.DeviceId is { } device && Devices.TryGetValue(device, out var seen))
            seen.LastSeenMs = Math.Max(seen.LastSeenMs, record.TimeMs);
    }

    public void MergeFrom(DevicesComponent source)
    {
        // A device both users used keeps the entry seen last.
        foreach (var (id, device) in source.Devices)
        {
            if (!Devices.TryGetValue(id, out var mine) || mine.LastSeenMs < device.LastSeenMs)
                Devices[id] = device;
        }
    }

    /// <summary>
    /// The devices to drop so that the user keeps at most <paramref name="cap"/> devices once <paramref name="incoming"/>
    /// are added: the least recently seen of the others (ties by id). Null when nothing has to go.
    /// </summary>
    public List<string>? Evictions(IReadOnlyCollection<string> incoming, int cap)
    {
        var total = Devices.Count + incoming.Count(id => !Devices.ContainsKey(id));
        if (total <= cap)
            return null;
        return Devices
            .Where(d => !incoming.Contains(d.Key))
            .OrderBy(d => d.Value.LastSeenMs)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .Take(total - cap)
            .Select(d => d.Key)
            .ToList();
    }

    private DeviceEntry Upsert(string id)
    {
        if (!Devices.TryGetValue(id, out var entry))
            Devices[id] = entry = new DeviceEntry();
        return entry;
    }
}

/// <summary>
/// One device of the user: what its clients said (<see cref="DeviceInfo"/>'s fields, under the same names, so older
/// snapshots read unchanged), the iOS notification settings, and when it was last seen.
/// </summary>
public sealed class DeviceEntry
{
    [JsonPropertyName("appVersion")] public string? AppVersion { get; set; }
    [JsonPropertyName("client")] public string? Client { get; set; }
    [JsonPropertyName("sdkVersion")] public string? SdkVersion { get; set; }
    [JsonPropertyName("systemName")] public string? SystemName { get; set; }
    [JsonPropertyName("systemVersion")] public string? SystemVersion { get; set; }
    [JsonPropertyName("browserName")] public string? BrowserName { get; set; }
    [JsonPropertyName("browserVersion")] public string? BrowserVersion { get; set; }
    [JsonPropertyName("deviceName")] public string? DeviceName { get; set; }
    [JsonPropertyName("deviceModel")] public string? DeviceModel { get; set; }
    [JsonPropertyName("iosPushToken")] public string? IosPushToken { get; set; }
    [JsonPropertyName("gcmRegistrationId")] public string? GcmRegistrationId { get; set; }
    [JsonPropertyName("huaweiPushRegId")] public string? HuaweiPushRegId { get; set; }
    [JsonPropertyName("webPushSubscription")] public string? WebPushSubscription { get; set; }

    [JsonPropertyName("iosPushTypes")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? IosPushTypes { get; set; }
    [JsonPropertyName("iosPushCategories")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? IosPushCategories { get; set; }

    /// <summary>The latest time a record came from this device, Unix milliseconds (0 in snapshots older than the field).</summary>
    [JsonPropertyName("lastSeen")] public long LastSeenMs { get; set; }

    /// <summary>The client's fields as a <see cref="DeviceInfo"/> (a switch starts the new user's session with them).</summary>
    public DeviceInfo ToInfo() => new()
    {
        AppVersion = AppVersion,
        Client = Client,
        SdkVersion = SdkVersion,
        SystemName = SystemName,
        SystemVersion = SystemVersion,
        BrowserName = BrowserName,
        BrowserVersion = BrowserVersion,
        DeviceName = DeviceName,
        DeviceModel = DeviceModel,
        IosPushToken = IosPushToken,
        GcmRegistrationId = GcmRegistrationId,
        HuaweiPushRegId = HuaweiPushRegId,
        WebPushSubscription = WebPushSubscription,
    };

    /// <summary>
    /// Takes every field <paramref name="now"/> carries; absent fields keep their value, and so do equal ones (the
    /// entry lives as long as its user; the request's copy of an unchanged value is left to die young).
    /// </summary>
    public void Update(DeviceInfo now)
    {
        AppVersion = Take(AppVersion, now.AppVersion);
        Client = Take(Client, now.Client);
        SdkVersion = Take(SdkVersion, now.SdkVersion);
        SystemName = Take(SystemName, now.SystemName);
        SystemVersion = Take(SystemVersion, now.SystemVersion);
        BrowserName = Take(BrowserName, now.BrowserName);
        BrowserVersion = Take(BrowserVersion, now.BrowserVersion);
        DeviceName = Take(DeviceName, now.DeviceName);
        DeviceModel = Take(DeviceModel, now.DeviceModel);
        IosPushToken = Take(IosPushToken, now.IosPushToken);
        GcmRegistrationId = Take(GcmRegistrationId, now.GcmRegistrationId);
        HuaweiPushRegId = Take(HuaweiPushRegId, now.HuaweiPushRegId);
        WebPushSubscription = Take(WebPushSubscription, now.WebPushSubscription);
    }

    private static string? Take(string? kept, string? now) => now is null || now == kept ? kept : now;
}
