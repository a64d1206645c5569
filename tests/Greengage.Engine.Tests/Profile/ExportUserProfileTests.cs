using System.Text.Json.Nodes;

namespace Greengage.Engine.Tests.Profile;

/// <summary><c>exportUser</c>'s profile, device and source fields (spec 4.6).</summary>
public sealed class ExportUserProfileTests
{
    [Fact]
    public void ExportUser_AfterEveryProfileWrite_ShowsEveryField()
    {
        var user = new ProfileUser();
        user.Do("setUserAttributes", new
        {
            userAttributes = new Dictionary<string, object> { ["tags"] = new[] { "a" } },
            unsubscribeChannelsToAdd = new[] { "Email", "Webhook" },
            unsubscribeCategoriesToAdd = new object[] { 12, "x-1" },
            location = "59.9,10.7",
            locationAccuracyType = "ip",
            created = 1_500_000_000,
            lastActive = 1_600_000_000,
        });
        user.Do("setDeviceAttributes", new { deviceId = "d1", versionName = "3.1", iosPushToken = "tok", iosPushTypes = 7, iosPushCategories = new[] { "c1" } });
        user.Do("setTrafficSourceInfo", new
        {
            trafficSource = new
            {
                publisherId = "1", publisherName = "Net", publisherSubPublisher = "sp", publisherSubSite = "site",
                publisherSubCampaign = "camp", publisherSubAdGroup = "grp", publisherSubAd = "ad",
            },
        });

        var e = user.Export();
        Assert.Equal(["Email", "Webhook"], e["unsubscribeChannels"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("[{\"id\":12},{\"id\":\"x-1\"}]", e["unsubscribeCategories"]!.ToJsonString());
        Assert.Equal("59.9,10.7", (string?)e["location"]);
        Assert.Equal("IP", (string?)e["locationAccuracyType"]);
        Assert.Equal(1_500_000_000.0, (double)e["created"]!);
        Assert.Equal(1_600_000_000.0, (double)e["lastActive"]!);
        Assert.Equal(("1", "Net", "sp", "site", "camp", "grp", "ad"),
            ((string?)e["sourcePublisherId"], (string?)e["sourcePublisher"], (string?)e["sourceSubPublisher"], (string?)e["sourceSite"],
             (string?)e["sourceCampaign"], (string?)e["sourceAdGroup"], (string?)e["sourceAd"]));
        var device = e["devices"]!.AsArray().Single()!.AsObject();
        Assert.Equal("d1", (string?)device["deviceId"]);
        Assert.Equal("3.1", (string?)device["appVersion"]);
        Assert.Equal("tok", (string?)device["iosPushToken"]);
        Assert.Equal(7L, (long)device["iosPushTypes"]!);
        Assert.Equal("[\"c1\"]", device["iosPushCategories"]!.ToJsonString());
        Assert.False(device.ContainsKey("gcmRegistrationId"));
        Assert.Equal("[\"a\"]", e["userAttributes"]!["tags"]!.ToJsonString());
    }

    [Fact]
    public void ExportUser_NoUnsubscriptions_AnswersEmptyArrays()
    {
        var user = new ProfileUser();
        user.Do("track", new { @event = "E" });

        var e = user.Export();
        Assert.Empty(e["unsubscribeChannels"]!.AsArray());
        Assert.Empty(e["unsubscribeCategories"]!.AsArray());
        Assert.Null(e["sourcePublisherId"]);
        Assert.IsType<JsonArray>(e["devices"]);
    }
}
