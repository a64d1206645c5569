using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Engine.Apps;
using Greengage.Engine.Delivery;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// Scheduled sends and pauses (docs/delivery.md, scheduled sends): a paused message sends nothing, and keeps the users
/// waiting for their local time; once it is activated again, a user whose time passed at most the grace before is
/// sent, one whose time passed earlier is not (a "9 am" push does not arrive in the afternoon), whether they waited as
/// a row or the run had not reached them yet. Finishing a message drops its waiting users.
/// </summary>
public sealed class ScheduledPauseTests : IAsyncLifetime
{
    private ScheduledFcmHarness _harness = null!;
    private FakeFcm _fcm = null!;
    private ScheduledFcmHarness.Factory _factory = null!;

    public async Task InitializeAsync()
    {
        // Small pages, so that runs span several.
        _harness = await ScheduledFcmHarness.StartAsync("paused", ("Greengage:Delivery:Schedule:PageSize", "2"));
        (_fcm, _factory) = (_harness.Fcm, _harness.Server);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task<JsonNode> Admin(HttpMethod method, string path, object? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, answer) = await AdminCalls.SendAsync(_factory.CreateClient(), method, path, body);
        Assert.True(status == expected, $"{status}: {answer?.ToJsonString()}");
        return answer!;
    }

    /// <summary>An app with FCM and users in these zones (their push token: <c>token-</c> and their id).</summary>
    private async Task<StoredApp> AppWith(params (string Id, string Zone)[] users)
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Pause " + Guid.NewGuid().ToString("N")[..6], default);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _harness.Account);
        foreach (var (user, zone) in users)
        {
            var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["production"],
                new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone", ["timezone"] = zone },
                new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
            Assert.True((bool)reply[1]["success"]!, reply.Response.ToJsonString());
        }
        return app;
    }

    /// <summary>A push at 09:00 in each user's zone on <paramref name="day"/>, once, activated; its admin path.</summary>
    private async Task<string> MorningPush(StoredApp app, DateTime day, long? campaignId = null, DateTimeOffset? endTime = null)
    {
        var message = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Good morning",
            channel = "push",
            values = new JsonObject { ["Message"] = "Good morning" },
            campaignId,
            endTime,
            schedule = new { at = day.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture), timeZone = "user", repeat = "once" },
        }, HttpStatusCode.Created);
        var path = $"/admin/v1/apps/{app.AppId}/messages/{(long)message["id"]!}";
        await Admin(HttpMethod.Post, path + "/activate", null);
        return path;
    }

    private Task RunAt(DateTimeOffset at) => _harness.RunAtAsync(at);

    /// <summary>An active campaign of <paramref name="app"/>; its id.</summary>
    private async Task<long> ActiveCampaign(StoredApp app)
    {
        var id = (long)(await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns", new { name = "Mornings" }, HttpStatusCode.Created))["id"]!;
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/{id}/activate", null);
        return id;
    }

    /// <summary>
    /// Another process began the message's run at <paramref name="midnight"/>, got through a1 and stopped; the message
    /// is paused at 00:01.
    /// </summary>
    private async Task CutShortByAPause(StoredApp app, string message, DateTimeOffset midnight)
    {
        var runs = _factory.Services.GetRequiredService<IScheduleRunStore>();
        var dead = await runs.ClaimRunAsync(app.AppId, IdOf(message), 0, "dead-process", midnight, TimeSpan.FromMinutes(1), default);
        Assert.True(await runs.SaveRunAsync(dead! with { Cursor = "a1", Scanned = 1, Matched = 1 }, "dead-process", midnight.AddMinutes(2), default));
        await RunAt(midnight.AddMinutes(1));
        await Admin(HttpMethod.Post, message + "/pause", null);
    }

    /// <summary>The tokens FCM got, once it has <paramref name="count"/> and the outbox had time to send more.</summary>
    private async Task<List<string>> Pushed(int count)
    {
        for (var i = 0; i < 200 && _fcm.Messages.Count < count; i++)
            await Task.Delay(50);
        await Task.Delay(300);
        return [.. _fcm.Messages.Select(m => (string)m["message"]!["token"]!)];
    }

    /// <summary>
    /// The app's users still waiting as rows (of one message, given its admin path), whenever their time; each row is
    /// given back as it was.
    /// </summary>
    private async Task<int> StillWaiting(StoredApp app, string? message = null)
    {
        var queue = _factory.Services.GetRequiredService<IWorkQueue>();
        var left = await queue.ClaimAsync(ScheduleRunner.Queue, "probe", 1000, _factory.Clock.GetUtcNow().AddDays(30), TimeSpan.Zero, default);
        foreach (var item in left)
            Assert.True(await queue.PostponeAsync(item.Id, "probe", item.NotBefore, default));
        var rows = left.Select(i => JsonNode.Parse(i.Payload)!).Where(p => (string?)p["app"] == app.AppId);
        return message is null ? rows.Count() : rows.Count(p => (long)p["message"]! == IdOf(message));
    }

    private static long IdOf(string message) => long.Parse(message[(message.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("message")]
    [InlineData("campaign")]
    public async Task APausedMessage_KeepsItsWaitingUsers_AndOnResumeSendsThoseWithinTheGrace_NotThoseLongPast(string paused)
    {
        var app = await AppWith(("tokyo", "Asia/Tokyo"), ("berlin", "Europe/Berlin"), ("newyork", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        long? campaignId = null;
        if (paused == "campaign")
        {
            campaignId = (long)(await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns", new { name = "Mornings" }, HttpStatusCode.Created))["id"]!;
            await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/campaigns/{campaignId}/activate", null);
        }
        var message = await MorningPush(app, day, campaignId);
        var pausable = campaignId is { } c ? $"/admin/v1/apps/{app.AppId}/campaigns/{c}" : message;

        // The run leaves the three waiting for their 09:00 (Tokyo 00:00 UTC, Berlin 08:00, New York 14:00); then a pause.
        await RunAt(midnight.AddHours(-5).AddSeconds(1));
        Assert.Equal(3L, (long)(await Admin(HttpMethod.Get, message + "/runs", null)).AsArray().Single()!["waiting"]!);
        await Admin(HttpMethod.Post, pausable + "/pause", null);

        // While paused, Tokyo's time comes: nothing is sent, and Tokyo keeps waiting...
        await RunAt(midnight.AddSeconds(1));
        Assert.Equal(3, await StillWaiting(app));
        // ...until their 09:00 is more than the grace behind (activating the message then could not send it any more).
        // Berlin's time comes, and Berlin keeps waiting.
        await RunAt(midnight.AddHours(8).AddSeconds(1));
        Assert.Equal(2, await StillWaiting(app));
        Assert.Empty(await Pushed(0));

        // Activated again at 08:10 UTC: Berlin's 09:00 was 10 minutes ago (within the grace) and is sent; Tokyo's was
        // 8 hours ago and is not; New York's is still ahead and comes at its time.
        await RunAt(midnight.AddHours(8).AddMinutes(10));
        await Admin(HttpMethod.Post, pausable + "/activate", null);
        await RunAt(midnight.AddHours(8).AddMinutes(10) + ScheduleRunner.PausedRecheck + TimeSpan.FromSeconds(1));
        Assert.Equal(["token-berlin"], await Pushed(1));
        await RunAt(midnight.AddHours(14).AddSeconds(1));
        Assert.Equal(["token-berlin", "token-newyork"], await Pushed(2));
        Assert.Equal(0, await StillWaiting(app));
    }

    [Fact]
    public async Task AWaitingUserNotLookedAtDuringThePause_IsNotSentOnResume_WhenTheirTimePassedLongBefore()
    {
        // Nothing polls during the pause (the server was down): the rows are first looked at once the message is live again.
        var app = await AppWith(("tokyo", "Asia/Tokyo"), ("newyork", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var message = await MorningPush(app, day);
        await RunAt(midnight.AddHours(-5).AddSeconds(1));
        await Admin(HttpMethod.Post, message + "/pause", null);

        // Activated again at 02:00 UTC: Tokyo's 09:00 was 2 hours before; their grain does not send it, and the row ends.
        _factory.Clock.Advance(midnight.AddHours(2) - _factory.Clock.GetUtcNow());
        await Admin(HttpMethod.Post, message + "/activate", null);
        await RunAt(midnight.AddHours(2).AddSeconds(1));
        Assert.Empty(await Pushed(0));
        Assert.Equal(1, await StillWaiting(app));
        await RunAt(midnight.AddHours(14).AddSeconds(1));
        Assert.Equal(["token-newyork"], await Pushed(1));
        Assert.Equal(0, await StillWaiting(app));
    }

    [Fact]
    public async Task ARunCutShortByAPause_OnResume_SkipsUsersWhoseTimePassedLongBefore_AndSendsThoseWithinTheGrace()
    {
        // a1-a3 were asked before the pause; a4 and a5 (Tokyo, 09:00 is 00:00 UTC) were due when it came; a6 (New York)
        // is due at 14:00 UTC.
        (string, string)[] users = [("a1", "Asia/Tokyo"), ("a2", "Asia/Tokyo"), ("a3", "Asia/Tokyo"), ("a4", "Asia/Tokyo"), ("a5", "Asia/Tokyo"), ("a6", "America/New_York")];
        var soon = await AppWith(users);
        var late = await AppWith(users);
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var soonMessage = await MorningPush(soon, day);
        var lateMessage = await MorningPush(late, day);

        // Another process began each run at 00:00 UTC, got through a3 and stopped; its lease runs to 00:02. The messages
        // are paused at 00:01, so this process never takes the runs over while they are live.
        var runs = _factory.Services.GetRequiredService<IScheduleRunStore>();
        foreach (var (app, path) in new[] { (soon, soonMessage), (late, lateMessage) })
        {
            var id = long.Parse(path[(path.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture);
            var dead = await runs.ClaimRunAsync(app.AppId, id, 0, "dead-process", midnight, TimeSpan.FromMinutes(1), default);
            Assert.True(await runs.SaveRunAsync(dead! with { Cursor = "a3", Scanned = 3, Matched = 3 }, "dead-process", midnight.AddMinutes(2), default));
        }
        await RunAt(midnight.AddMinutes(1));
        await Admin(HttpMethod.Post, soonMessage + "/pause", null);
        await Admin(HttpMethod.Post, lateMessage + "/pause", null);
        await RunAt(midnight.AddMinutes(5));
        Assert.Empty(await Pushed(0));

        // Activated again 10 minutes after their 09:00: a4 and a5 are sent, 10 minutes late.
        await RunAt(midnight.AddMinutes(10));
        await Admin(HttpMethod.Post, soonMessage + "/activate", null);
        await RunAt(midnight.AddMinutes(10).AddSeconds(1));
        Assert.Equal(["token-a4", "token-a5"], (await Pushed(2)).Order());

        // Activated again 2 hours after it: the run resumes after a3, skips a4 and a5, and leaves a6 waiting.
        await RunAt(midnight.AddHours(2));
        await Admin(HttpMethod.Post, lateMessage + "/activate", null);
        await RunAt(midnight.AddHours(2).AddSeconds(1));
        Assert.Equal(2, (await Pushed(3)).Count);
        var run = (await Admin(HttpMethod.Get, lateMessage + "/runs", null)).AsArray().Single()!;
        Assert.Equal(("finished", 6L, 3L, 1L), ((string?)run["state"], (long)run["scanned"]!, (long)run["asked"]!, (long)run["waiting"]!));

        // New York's 09:00: a6 of both apps.
        await RunAt(midnight.AddHours(14).AddSeconds(1));
        Assert.Equal(["token-a4", "token-a5", "token-a6", "token-a6"], (await Pushed(4)).Order());
    }

    [Fact]
    public async Task ARunCutShortByAPause_WhoseOccurrenceIsOverOnResume_EndsMissed_NotRunningForEver()
    {
        var app = await AppWith(("a1", "Asia/Tokyo"), ("a2", "Asia/Tokyo"), ("a3", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var message = await MorningPush(app, day);

        await CutShortByAPause(app, message, midnight);

        // Activated again at 22:00 UTC: the last zone's 09:00 (21:00 UTC) is more than the grace behind, so the run is
        // never taken up again; it ends as missed, with what it had done, and sends nothing.
        await RunAt(midnight.AddHours(22));
        await Admin(HttpMethod.Post, message + "/activate", null);
        await RunAt(midnight.AddHours(22).AddSeconds(1));
        var run = (await Admin(HttpMethod.Get, message + "/runs", null)).AsArray().Single()!;
        Assert.Equal(("missed", 1L, 1L), ((string?)run["state"], (long)run["scanned"]!, (long)run["asked"]!));
        Assert.NotNull(run["finished"]);
        Assert.Empty(await Pushed(0));
    }

    [Theory]
    [InlineData("message")]
    [InlineData("campaign")]
    public async Task ARunCutShortByAPause_WhoseMessageIsThenFinished_EndsEnded_NotRunningForEver(string ending)
    {
        var app = await AppWith(("a1", "Asia/Tokyo"), ("a2", "Asia/Tokyo"), ("a3", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var campaignId = ending == "campaign" ? await ActiveCampaign(app) : (long?)null;
        var message = await MorningPush(app, day, campaignId);

        await CutShortByAPause(app, message, midnight);
        await RunAt(midnight.AddMinutes(3));
        Assert.Equal("running", (string?)(await Admin(HttpMethod.Get, message + "/runs", null)).AsArray().Single()!["state"]);

        // Finished while paused: it can never be live again, so nothing would take the run up; the next poll ends it
        // with what it had done, and nobody is sent it.
        await Admin(HttpMethod.Post, (campaignId is { } c ? $"/admin/v1/apps/{app.AppId}/campaigns/{c}" : message) + "/finish", null);
        await RunAt(midnight.AddMinutes(4));
        var run = (await Admin(HttpMethod.Get, message + "/runs", null)).AsArray().Single()!;
        Assert.Equal(("ended", 1L, 1L), ((string?)run["state"], (long)run["scanned"]!, (long)run["asked"]!));
        Assert.NotNull(run["finished"]);
        await RunAt(midnight.AddHours(14).AddSeconds(1));
        Assert.Empty(await Pushed(0));
    }

    [Theory]
    [InlineData("message")]
    [InlineData("campaign")]
    [InlineData("end")]
    public async Task AMessageThatEnds_LosesItsWaitingUsersAtTheNextPoll_NotAsTheirTimeComes(string ending)
    {
        var app = await AppWith(("tokyo", "Asia/Tokyo"), ("newyork", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var campaignId = ending == "campaign" ? await ActiveCampaign(app) : (long?)null;
        var message = await MorningPush(app, day, campaignId, ending == "end" ? midnight.AddHours(-4) : null);
        var other = await MorningPush(app, day);
        await RunAt(midnight.AddHours(-5).AddSeconds(1));
        Assert.Equal((2, 2), (await StillWaiting(app, message), await StillWaiting(app, other)));

        // Finished (or its campaign), or past its end at 20:00 UTC the day before: its rows go at the next poll, hours
        // before their time; the other message's stay.
        if (ending != "end")
            await Admin(HttpMethod.Post, (campaignId is { } c ? $"/admin/v1/apps/{app.AppId}/campaigns/{c}" : message) + "/finish", null);
        await RunAt(midnight.AddHours(-4).AddSeconds(1));
        Assert.Equal((0, 2), (await StillWaiting(app, message), await StillWaiting(app, other)));

        // Only the other message is sent.
        await RunAt(midnight.AddSeconds(1));
        Assert.Equal(["token-tokyo"], await Pushed(1));
        await RunAt(midnight.AddHours(14).AddSeconds(1));
        Assert.Equal(["token-tokyo", "token-newyork"], await Pushed(2));
    }

    [Fact]
    public async Task FinishingAMessage_DropsItsWaitingUsers()
    {
        var app = await AppWith(("tokyo", "Asia/Tokyo"), ("newyork", "America/New_York"));
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        var message = await MorningPush(app, day);
        await RunAt(midnight.AddHours(-5).AddSeconds(1));
        await Admin(HttpMethod.Post, message + "/finish", null);

        await RunAt(midnight.AddSeconds(1));
        await RunAt(midnight.AddHours(14).AddSeconds(1));

        Assert.Empty(await Pushed(0));
        Assert.Equal(0, await StillWaiting(app));
    }
}
