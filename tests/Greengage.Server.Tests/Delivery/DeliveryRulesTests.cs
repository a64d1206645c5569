using System.Net;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Server.Tests.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>A server whose /api runs on a clock the tests move forward, with an idle dispatcher (the tests read the outbox).</summary>
public sealed class DeliveryRulesFactory : ClockedFactory
{
    public DeliveryRulesFactory() => Settings["Greengage:Delivery:Outbox:PollInterval"] = "01:00:00";
}

/// <summary>
/// The rules that protect users (delivery issue, item 5): frequency caps per channel per rolling day and week (the
/// app's), per message, messages exempt from the app's caps; quiet hours in the user's time zone, delaying a push to
/// the end of the window or dropping an email.
/// </summary>
public sealed class DeliveryRulesTests(DeliveryRulesFactory factory) : IClassFixture<DeliveryRulesFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Rules " + Guid.NewGuid().ToString("N")[..6], default).GetAwaiter().GetResult();

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = "development")
    {
        var reply = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[key], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        return reply[0];
    }

    private async Task<long> Message(StoredApp app, object body)
    {
        var http = factory.CreateClient();
        var (status, message) = await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", body);
        Assert.True(status == HttpStatusCode.Created, message?.ToJsonString());
        var id = (long)message!["id"]!;
        Assert.Equal(HttpStatusCode.OK, (await AdminCalls.SendAsync(http, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate")).Status);
        return id;
    }

    private async Task Settings(StoredApp app, object body)
    {
        var (status, answer) = await AdminCalls.SendAsync(factory.CreateClient(), HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/messaging", body);
        Assert.True(status == HttpStatusCode.OK, answer?.ToJsonString());
    }

    private async Task<string> Send(StoredApp app, long message, string user = "u1") =>
        (string)(await Api(app, new JsonObject { ["action"] = "sendMessage", ["userId"] = user, ["messageId"] = message }))["result"]!;

    private static object Hook(string name, object? caps = null, bool exempt = false) => new
    {
        name,
        channel = "webhook",
        values = new JsonObject { ["URL"] = "https://hooks.example.test/" + name },
        caps,
        exemptFromCaps = exempt,
    };

    [Fact]
    public async Task FrequencyCaps_PerChannelAndPerMessage_OverRollingWindows_AndExemptMessages()
    {
        var app = NewApp();
        await Settings(app, new { inAppCaps = Array.Empty<object>(), regions = Array.Empty<object>(), categories = Array.Empty<object>(), deliveryCaps = new[] { new { channel = "webhook", day = 2, week = 3 } } });
        var news = await Message(app, Hook("news"));
        var receipt = await Message(app, Hook("receipt", exempt: true));
        var digest = await Message(app, Hook("digest", caps: new { day = 1 }, exempt: true));
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "u1", ["deviceId"] = "d1" }, "production");

        Assert.Equal(["sent", "sent", "not sent: frequency cap (2 webhook per day)"], [await Send(app, news), await Send(app, news), await Send(app, news)]);
        Assert.Equal(["sent", "sent"], [await Send(app, receipt), await Send(app, receipt)]);
        Assert.Equal(["sent", "not sent: the message's cap (1 per day)"], [await Send(app, digest), await Send(app, digest)]);

        // A day later the daily cap has room again, but the weekly cap (3) counts the two of yesterday.
        factory.Clock.Advance(TimeSpan.FromHours(25));
        Assert.Equal(["sent", "not sent: frequency cap (3 webhook per week)"], [await Send(app, news), await Send(app, news)]);
        Assert.Equal("sent", await Send(app, digest));
    }

    [Fact]
    public async Task QuietHours_DelayAPushToTheEndOfTheWindow_InTheUsersTimeZone_AndDropAnEmail()
    {
        var app = NewApp();
        await Settings(app, new
        {
            inAppCaps = Array.Empty<object>(), regions = Array.Empty<object>(), categories = Array.Empty<object>(),
            quietHours = new { start = "22:00", end = "08:00", channels = new[] { "push" }, mode = "delay" },
        });
        var push = await Message(app, new { name = "Evening news", channel = "push", values = new JsonObject { ["Message"] = "News" } });
        var now = factory.Clock.GetUtcNow();
        // An offset that makes it 23:00 for the user: the push waits 9 hours, until 08:00 their time.
        var offset = TimeSpan.FromHours(23) - now.TimeOfDay;
        if (offset > TimeSpan.FromHours(12))
            offset -= TimeSpan.FromDays(1);
        if (offset < TimeSpan.FromHours(-12))
            offset += TimeSpan.FromDays(1);
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "night", ["deviceId"] = "d-night", ["timezoneOffsetSeconds"] = (long)offset.TotalSeconds }, "production");
        await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "night", ["deviceId"] = "d-night", ["gcmRegistrationId"] = "tok-night" }, "production");
        // And one for whom it is 12:00: sent at once.
        var noon = TimeSpan.FromHours(12) - now.TimeOfDay;
        if (noon > TimeSpan.FromHours(12))
            noon -= TimeSpan.FromDays(1);
        if (noon < TimeSpan.FromHours(-12))
            noon += TimeSpan.FromDays(1);
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "day", ["deviceId"] = "d-day", ["timezoneOffsetSeconds"] = (long)noon.TotalSeconds }, "production");
        await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "day", ["deviceId"] = "d-day", ["gcmRegistrationId"] = "tok-day" }, "production");

        Assert.Equal("sent", await Send(app, push, "night"));
        Assert.Equal("sent", await Send(app, push, "day"));
        var queue = factory.Services.GetRequiredService<IWorkQueue>();
        async Task<List<string>> DueBy(DateTimeOffset at) =>
            [.. (await queue.ClaimAsync(DeliverySend.Queue, "test-" + Guid.NewGuid().ToString("N"), 1000, at, TimeSpan.FromDays(365), default))
                .Where(i => i.Key == app.AppId).Select(i => DeliverySend.FromPayload(i.Payload).UserId)];
        var sentAt = factory.Clock.GetUtcNow();
        Assert.Equal(["day"], await DueBy(sentAt.AddMinutes(1)));
        Assert.Empty(await DueBy(sentAt.AddHours(8.9)));
        Assert.Equal(["night"], await DueBy(sentAt.AddHours(9.1)));

        await Settings(app, new
        {
            inAppCaps = Array.Empty<object>(), regions = Array.Empty<object>(), categories = Array.Empty<object>(),
            quietHours = new { start = "22:00", end = "08:00", channels = new[] { "email" }, mode = "drop" },
        });
        var email = await Message(app, new { name = "Late mail", channel = "email", values = new JsonObject { ["Subject"] = "Hi", ["Text body"] = "Hello" } });
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "night", ["deviceId"] = "d-night", ["userAttributes"] = new JsonObject { ["email"] = "night@example.test" } }, "production");
        Assert.Equal("not sent: quiet hours", await Send(app, email, "night"));
    }

    [Theory]
    [InlineData("22:00", "08:00", "23:30", 0, "1 08:00")]
    [InlineData("22:00", "08:00", "07:59", 0, "0 08:00")]
    [InlineData("22:00", "08:00", "08:00", 0, null)]
    [InlineData("22:00", "08:00", "12:00", 0, null)]
    [InlineData("13:00", "14:00", "13:30", 0, "0 14:00")]
    [InlineData("22:00", "08:00", "20:30", 7200, "1 06:00")]
    [InlineData("22:00", "08:00", "23:30", -7200, null)]
    public void QuietUntil_WrapsMidnight_InTheUsersOffset(string start, string end, string utcNow, long offsetSeconds, string? expectedUtc)
    {
        var quiet = new QuietHours(start, end, ["push"], QuietHours.Delay);
        var day = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var now = day + TimeSpan.Parse(utcNow, System.Globalization.CultureInfo.InvariantCulture);
        var until = quiet.QuietUntil(now, offsetSeconds);
        DateTimeOffset? expected = expectedUtc is null ? null
            : day.AddDays(int.Parse(expectedUtc[..1], System.Globalization.CultureInfo.InvariantCulture)) + TimeSpan.Parse(expectedUtc[2..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expected, until);
    }
}
