using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>The user's devices by id. Merge rule: union; the target's copy of a shared device wins.</summary>
public sealed class DevicesComponent : IUserComponent<DevicesComponent>
{
    [JsonPropertyName("devices")] public Dictionary<string, DeviceInfo> Devices { get; set; } = new(StringComparer.Ordinal);

    public void Apply(UserRecord record)
    {
        if (record is not SessionStarted { Device: { } info } s || s.DeviceId is null)
            return;
        Devices[s.DeviceId] = Devices.TryGetValue(s.DeviceId, out var old) ? Merge(old, info) : info;
    }

    public void MergeFrom(DevicesComponent source)
    {
        foreach (var (id, device) in source.Devices)
            Devices.TryAdd(id, device);
    }

    private static DeviceInfo Merge(DeviceInfo old, DeviceInfo now) => new()
    {
        AppVersion = now.AppVersion ?? old.AppVersion,
        Client = now.Client ?? old.Client,
        SdkVersion = now.SdkVersion ?? old.SdkVersion,
        SystemName = now.SystemName ?? old.SystemName,
        SystemVersion = now.SystemVersion ?? old.SystemVersion,
        BrowserName = now.BrowserName ?? old.BrowserName,
        BrowserVersion = now.BrowserVersion ?? old.BrowserVersion,
        DeviceName = now.DeviceName ?? old.DeviceName,
        DeviceModel = now.DeviceModel ?? old.DeviceModel,
        IosPushToken = now.IosPushToken ?? old.IosPushToken,
        GcmRegistrationId = now.GcmRegistrationId ?? old.GcmRegistrationId,
        HuaweiPushRegId = now.HuaweiPushRegId ?? old.HuaweiPushRegId,
        WebPushSubscription = now.WebPushSubscription ?? old.WebPushSubscription,
    };
}
