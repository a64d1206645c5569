using Greengage.Engine.Actions;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Users;

namespace Greengage.Engine.Tests.Profile;

/// <summary><c>setDeviceAttributes</c>, the per-user device cap, and <c>setTrafficSourceInfo</c> (spec 4.2).</summary>
public sealed class DeviceAndSourceTests
{
    private static ProfileUser WithDeviceCap(int cap)
    {
        var options = new ProfileOptions { MaxDevicesPerUser = cap };
        return new ProfileUser(UserActionTable.Default.With([new SetDeviceAttributes(options), new SetUserAttributes(options)]));
    }

    [Fact]
    public void SetDeviceAttributes_Fields_AreStoredAndLaterCallsKeepTheOthers()
    {
        var user = new ProfileUser();
        user.Do("setDeviceAttributes", new { deviceId = "d1", client = "ios", sdkVersion = "6.0", iosPushToken = "abc", iosPushTypes = 7, iosPushCategories = "[\"reply\",\"like\"]" });
        user.Do("setDeviceAttributes", new { deviceId = "d1", versionName = "1.2", systemName = "iOS", systemVersion = "18", deviceName = "Phone", deviceModel = "iPhone16,1" });

        var d = user.State.Devices.Devices["d1"];
        Assert.Equal(("abc", 7L, "1.2", "iOS", "18", "Phone", "iPhone16,1", "ios", "6.0"),
            (d.IosPushToken, d.IosPushTypes, d.AppVersion, d.SystemName, d.SystemVersion, d.DeviceName, d.DeviceModel, d.Client, d.SdkVersion));
        Assert.Equal(["reply", "like"], d.IosPushCategories!);
    }

    [Fact]
    public void SetDeviceAttributes_PushTokensAndWebPushAsObjectOrText_AreStored()
    {
        var user = new ProfileUser();
        user.Do("setDeviceAttributes", new { deviceId = "a", gcmRegistrationId = "fcm-1", huaweiPushRegId = "hms-1" });
        user.Do("setDeviceAttributes", new { deviceId = "w1", webPushSubscription = new { endpoint = "https://push.example/1", key = "k", auth = "x" } });
        user.Do("setDeviceAttributes", new { deviceId = "w2", webPushSubscription = "{\"endpoint\":\"https://push.example/2\"}" });

        var devices = user.State.Devices.Devices;
        Assert.Equal(("fcm-1", "hms-1"), (devices["a"].GcmRegistrationId, devices["a"].HuaweiPushRegId));
        Assert.Contains("https://push.example/1", devices["w1"].WebPushSubscription);
        Assert.Equal("{\"endpoint\":\"https://push.example/2\"}", devices["w2"].WebPushSubscription);
    }

    [Fact]
    public void SetDeviceAttributes_NestedDeviceAttributes_AreReadAndTopLevelWins()
    {
        var user = new ProfileUser();
        user.Do("setDeviceAttributes", new { deviceId = "d1", systemName = "Android", deviceAttributes = new { systemName = "iOS", browserName = "Chrome", browserVersion = "120" } });
        user.Do("setDeviceAttributes", new { deviceId = "d2", deviceAttributes = "{\"deviceModel\":\"Pixel\"}" });

        var devices = user.State.Devices.Devices;
        Assert.Equal(("Android", "Chrome", "120"), (devices["d1"].SystemName, devices["d1"].BrowserName, devices["d1"].BrowserVersion));
        Assert.Equal("Pixel", devices["d2"].DeviceModel);
    }

    [Fact]
    public void SetDeviceAttributes_NoDeviceField_FailsWithAClear400()
    {
        var user = new ProfileUser();
        var result = user.Do("setDeviceAttributes", new { deviceId = "d1", client = "js" });

        Assert.Equal(400, result.Status);
        Assert.StartsWith("At least one device attribute must be provided", result.Error);
        Assert.Equal(0, user.RowCount);
    }

    [Fact]
    public void SetDeviceAttributes_NoDeviceId_FailsWithA400()
    {
        var result = new ProfileUser().Do("setDeviceAttributes", new { userId = "u1", systemName = "iOS" });

        Assert.Equal(400, result.Status);
        Assert.Equal("'deviceId' must be provided", result.Error);
    }

    [Fact]
    public void SetDeviceAttributes_WebPushSubscriptionNotJson_FailsWithA400()
    {
        var result = new ProfileUser().Do("setDeviceAttributes", new { deviceId = "d1", webPushSubscription = "not json" });

        Assert.Equal(400, result.Status);
        Assert.Contains("webPushSubscription", result.Error);
    }

    [Fact]
    public void SetDeviceAttributes_BeyondTheCap_DropsTheLeastRecentlySeenDevice()
    {
        var user = WithDeviceCap(2);
        user.Do("setDeviceAttributes", new { deviceId = "old", systemName = "iOS" }, at: TimeSpan.FromMinutes(1));
        user.Do("setDeviceAttributes", new { deviceId = "busy", systemName = "iOS" }, at: TimeSpan.FromMinutes(2));
        // "old" is seen again (any request from it), so "busy" is now the least recently seen.
        user.Do("track", new { deviceId = "old", @event = "E" }, at: TimeSpan.FromMinutes(3));
        user.Do("setDeviceAttributes", new { deviceId = "new", systemName = "iOS" }, at: TimeSpan.FromMinutes(4));

        Assert.Equal(["new", "old"], user.State.Devices.Devices.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(user.Serialized(), user.Replayed());
    }

    [Fact]
    public void SetUserAttributes_DevicesBeyondTheCap_DropOthersFirstAndRefuseAnOversizeList()
    {
        var user = WithDeviceCap(2);
        user.Do("setDeviceAttributes", new { deviceId = "a", systemName = "iOS" });
        user.Do("setUserAttributes", new { devices = new object[] { new { deviceId = "b", systemName = "iOS" }, new { deviceId = "c", systemName = "iOS" } } }, at: TimeSpan.FromMinutes(1));

        Assert.Equal(["b", "c"], user.State.Devices.Devices.Keys.Order(StringComparer.Ordinal));
        var result = user.Do("setUserAttributes", new { devices = new object[] { new { deviceId = "x" }, new { deviceId = "y" }, new { deviceId = "z" } } });
        Assert.Equal(400, result.Status);
        Assert.Contains("at most 2 devices", result.Error);
    }

    [Fact]
    public void SetTrafficSourceInfo_ObjectOrJsonText_IsStoredAndReplacedWhole()
    {
        var user = new ProfileUser();
        user.Do("setTrafficSourceInfo", new { trafficSource = new { publisherId = 12, publisherName = "Ads Inc", publisherSubAd = "banner" } });
        Assert.Equal(("12", "Ads Inc", "banner"), (user.State.Source.Source!.PublisherId, user.State.Source.Source.PublisherName, user.State.Source.Source.PublisherSubAd));

        user.Do("setTrafficSourceInfo", new { trafficSource = "{\"publisherName\":\"Other\",\"publisherSubCampaign\":\"spring\",\"publisherSubSite\":\"s\",\"publisherSubPublisher\":\"p\",\"publisherSubAdGroup\":\"g\"}" });
        var source = user.State.Source.Source!;
        Assert.Null(source.PublisherId);
        Assert.Null(source.PublisherSubAd);
        Assert.Equal(("Other", "spring", "s", "p", "g"), (source.PublisherName, source.PublisherSubCampaign, source.PublisherSubSite, source.PublisherSubPublisher, source.PublisherSubAdGroup));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("{}")]
    [InlineData("{\"unknown\":1}")]
    public void SetTrafficSourceInfo_NoAttribution_FailsWithA400(string? trafficSource)
    {
        var user = new ProfileUser();
        var result = trafficSource is null ? user.Do("setTrafficSourceInfo", new { }) : user.Do("setTrafficSourceInfo", new { trafficSource });

        Assert.Equal(400, result.Status);
        Assert.Contains("'trafficSource'", result.Error);
        Assert.Equal(0, user.RowCount);
    }
}
