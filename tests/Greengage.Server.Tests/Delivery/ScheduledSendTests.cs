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
/// Scheduled sends to an audience (delivery issue, items 4 and 7): a push at 09:00 in each user's own time zone reaches
/// Tokyo, then Berlin, then New York, each at their 09:00 on a clock the test moves, through the outbox to a fake FCM;
/// users outside the audience never, a user who left it before their time neither; each occurrence once.
/// </summary>
public sealed class ScheduledSendTests : IAsyncLifetime
{
    private ScheduledFcmHarness _harness = null!;
    private FakeFcm _fcm = null!;
    private ScheduledFcmHarness.Factory _factory = null!;
    private JsonObject _account = null!;

    public async Task InitializeAsync()
    {
        // Small pages, so that runs span several.
        _harness = await ScheduledFcmHarness.StartAsync("scheduled", ("Greengage:Delivery:Schedule:PageSize", "2"));
        (_fcm, _factory, _account) = (_harness.Fcm, _harness.Server, _harness.Account);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private async Task Api(StoredApp app, JsonObject item)
    {
        var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["production"], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
    }

    private async Task<JsonNode> Admin(HttpMethod method, string path, object? body, HttpStatusCode expected)
    {
        var (status, answer) = await AdminCalls.SendAsync(_factory.CreateClient(), method, path, body);
        Assert.True(status == expected, $"{status}: {answer?.ToJsonString()}");
        return answer!;
    }

    private Task RunAt(DateTimeOffset at) => _harness.RunAtAsync(at);

    /// <summary>The tokens FCM got, once it has <paramref name="count"/> and the outbox had time to send more.</summary>
    private async Task<List<string>> Pushed(int count)
    {
        for (var i = 0; i < 200 && _fcm.Messages.Count < count; i++)
            await Task.Delay(50);
        await Task.Delay(300);
        return [.. _fcm.Messages.Select(m => (string)m["message"]!["token"]!)];
    }

    [Fact]
    public async Task APushAt0900InEachUsersZone_ReachesTokyoThenBerlinThenNewYork_OnlyTheAudience_OncePerOccurrence()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Schedule " + Guid.NewGuid().ToString("N")[..6], default);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account, HttpStatusCode.OK);
        var audience = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences",
            new { name = "Pro", rule = new { subject = "attribute", name = "plan", op = "is", value = "pro" } }, HttpStatusCode.Created);

        var users = new (string Id, string Zone, string Plan)[]
        {
            ("tokyo", "Asia/Tokyo", "pro"), ("berlin", "Europe/Berlin", "pro"), ("newyork", "America/New_York", "pro"),
            ("outsider", "Europe/Berlin", "free"), ("leaver", "America/New_York", "pro"),
        };
        foreach (var (user, zone, plan) in users)
        {
            await Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone", ["timezone"] = zone, ["userAttributes"] = new JsonObject { ["plan"] = plan } });
            await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
        }

        // 09:00 two days from now, every day, in each user's zone.
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var at = day.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var message = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Good morning",
            channel = "push",
            values = new JsonObject { ["Message"] = "Good morning" },
            audienceId = (long)audience["id"]!,
            schedule = new { at, timeZone = "user", repeat = "daily" },
        }, HttpStatusCode.Created);
        var id = (long)message["id"]!;
        Assert.Equal("user", (string?)message["schedule"]!["timeZone"]);
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate", null, HttpStatusCode.OK);
        var runs = $"/admin/v1/apps/{app.AppId}/messages/{id}/runs";
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);

        // Before 09:00 reaches the first zone (UTC+14): nothing runs.
        await RunAt(midnight.AddHours(-5).AddSeconds(-1));
        Assert.Empty((await Admin(HttpMethod.Get, runs, null, HttpStatusCode.OK)).AsArray());

        // The occurrence begins: the four users of the audience wait for their own 09:00 (durable rows); the outsider is left out.
        await RunAt(midnight.AddHours(-5).AddSeconds(1));
        var run = (await Admin(HttpMethod.Get, runs, null, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.Equal((0L, "finished", 5L, 0L, 4L), ((long)run["occurrence"]!, (string?)run["state"], (long)run["scanned"]!, (long)run["asked"]!, (long)run["waiting"]!));
        Assert.Empty(await Pushed(0));

        await RunAt(midnight.AddSeconds(1)); // 09:00:01 in Tokyo
        Assert.Equal(["token-tokyo"], await Pushed(1));
        await RunAt(midnight.AddHours(8).AddSeconds(1)); // 09:00:01 in Berlin
        Assert.Equal(["token-tokyo", "token-berlin"], await Pushed(2));

        // The leaver leaves the audience before their 09:00: their grain decides on what it holds then.
        await Api(app, new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "leaver", ["deviceId"] = "leaver-phone", ["userAttributes"] = new JsonObject { ["plan"] = "free" } });
        await RunAt(midnight.AddHours(14).AddSeconds(1)); // 09:00:01 in New York
        Assert.Equal(["token-tokyo", "token-berlin", "token-newyork"], await Pushed(3));

        // Running again sends nothing twice; each send was recorded on its user.
        await RunAt(midnight.AddHours(20));
        Assert.Equal(3, (await Pushed(4)).Count);
        foreach (var user in new[] { "tokyo", "berlin", "newyork" })
        {
            var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = user });
            Assert.Equal(1, (int)export[0]["events"]![$".m{id}"]!["count"]!);
        }

        // The next day's occurrence begins at its own first instant.
        await RunAt(midnight.AddHours(19).AddSeconds(1));
        var next = (await Admin(HttpMethod.Get, runs, null, HttpStatusCode.OK)).AsArray()[0]!;
        Assert.Equal((1L, 3L), ((long)next["occurrence"]!, (long)next["waiting"]!));
    }

    [Fact]
    public async Task ARunCutShort_IsTakenOverWhenItsLeaseRunsOut_AndResumesAfterItsSavedCursor()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Resume " + Guid.NewGuid().ToString("N")[..6], default);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account, HttpStatusCode.OK);
        foreach (var user in new[] { "a1", "a2", "a3", "a4", "a5", "a6", "a7" })
        {
            await Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone" });
            await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
        }
        var now = _factory.Clock.GetUtcNow();
        var at = now.UtcDateTime.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        var message = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Everyone",
            channel = "push",
            values = new JsonObject { ["Message"] = "Hello" },
            schedule = new { at, timeZone = "UTC", repeat = "once" },
        }, HttpStatusCode.Created);
        var id = (long)message["id"]!;
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate", null, HttpStatusCode.OK);

        // Another process began the run, got through a3 and died; its lease runs until two minutes after the due time.
        var runs = _factory.Services.GetRequiredService<IScheduleRunStore>();
        var due = DateTimeOffset.Parse(at + ":00Z", CultureInfo.InvariantCulture);
        var dead = await runs.ClaimRunAsync(app.AppId, id, 0, "dead-process", due, TimeSpan.FromMinutes(1), default);
        Assert.True(await runs.SaveRunAsync(dead! with { Cursor = "a3", Scanned = 3, Matched = 3 }, "dead-process", due.AddMinutes(2), default));

        // While the lease holds, nobody else works the run (and it is not taken for finished)...
        await RunAt(due.AddSeconds(1));
        Assert.Empty(await Pushed(0));
        // ...once it runs out, this process takes it over after the saved cursor.
        await RunAt(due.AddMinutes(2).AddSeconds(1));
        Assert.Equal(["token-a4", "token-a5", "token-a6", "token-a7"], (await Pushed(4)).Order());
        var run = (await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/messages/{id}/runs", null, HttpStatusCode.OK)).AsArray().Single()!;
        Assert.Equal(("finished", 7L, 7L), ((string?)run["state"], (long)run["scanned"]!, (long)run["asked"]!));
    }

    /// <summary>
    /// A daily push at 09:00 in Tokyo, Berlin and New York whose day-0 run a process began and died in at once, with no
    /// process polling again until <paramref name="back"/> hours after day 0's midnight (UTC); the message's id and
    /// what the runs list says then.
    /// </summary>
    private async Task<(StoredApp App, long Id, JsonArray Runs, DateTimeOffset Midnight)> DailyRunCutShort(double back)
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Overlap " + Guid.NewGuid().ToString("N")[..6], default);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account, HttpStatusCode.OK);
        foreach (var (user, zone) in new[] { ("tokyo", "Asia/Tokyo"), ("berlin", "Europe/Berlin"), ("newyork", "America/New_York") })
        {
            await Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone", ["timezone"] = zone });
            await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
        }
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var message = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Daily",
            channel = "push",
            values = new JsonObject { ["Message"] = "Good morning" },
            schedule = new { at = day.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture), timeZone = "user", repeat = "daily" },
        }, HttpStatusCode.Created);
        var id = (long)message["id"]!;
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate", null, HttpStatusCode.OK);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);
        // Day 0 begins at 09:00 in UTC+14 (19:00 UTC the day before); the process that claimed its run died before
        // asking anyone, and its lease ran out a minute later.
        var store = _factory.Services.GetRequiredService<IScheduleRunStore>();
        Assert.NotNull(await store.ClaimRunAsync(app.AppId, id, 0, "dead-process", midnight.AddHours(-5), TimeSpan.FromMinutes(1), default));
        await RunAt(midnight.AddHours(back));
        var runs = (await Admin(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/messages/{id}/runs", null, HttpStatusCode.OK)).AsArray();
        return (app, id, runs, midnight);
    }

    private async Task<int> SendsOf(StoredApp app, long id, string user)
    {
        var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = user });
        return export[0]["events"]?[$".m{id}"]?["count"] is { } count ? (int)count : 0;
    }

    [Fact]
    public async Task ADailyRunCutShort_IsTakenUpAfterTheNextDayBegan_ExceptForUsersWhoseNextDayCame()
    {
        // Back at 00:00:01 UTC on day 1: day 1 is due (it began at 19:00 UTC); day 0 is over everywhere but was never sent.
        var (app, id, runs, midnight) = await DailyRunCutShort(24 + 1 / 3600.0);

        // Day 0 was taken up: Berlin (08:00 UTC) and New York (14:00 UTC) get it now, late; Tokyo's day 1 came at
        // 00:00 UTC, so Tokyo gets day 1 alone, not day 0 on top of it.
        Assert.Equal(["token-berlin", "token-newyork", "token-tokyo"], (await Pushed(3)).Order());
        var byOccurrence = runs.ToDictionary(r => (long)r!["occurrence"]!, r => r!);
        Assert.Equal(("finished", 2L, 0L), ((string?)byOccurrence[0]["state"], (long)byOccurrence[0]["asked"]!, (long)byOccurrence[0]["waiting"]!));
        Assert.Equal(("finished", 1L, 2L), ((string?)byOccurrence[1]["state"], (long)byOccurrence[1]["asked"]!, (long)byOccurrence[1]["waiting"]!));

        // Day 1 goes on as usual: Berlin and New York at their own 09:00; each user got each day at most once.
        await RunAt(midnight.AddHours(24 + 14).AddSeconds(1));
        Assert.Equal(5, (await Pushed(5)).Count);
        Assert.Equal((1, 2, 2), (await SendsOf(app, id, "tokyo"), await SendsOf(app, id, "berlin"), await SendsOf(app, id, "newyork")));
    }

    [Fact]
    public async Task ADailyRunCutShort_EndsMissed_WhenEveryUsersNextDayCameBeforeItWasTakenUp()
    {
        // Back at 21:00:01 UTC on day 1: day 1 has reached every zone (the last, UTC-12, at 21:00), and day 2 is due.
        var (app, id, runs, _) = await DailyRunCutShort(45 + 1 / 3600.0);

        var day0 = runs.Single(r => (long)r!["occurrence"]! == 0)!;
        Assert.Equal(("missed", 0L), ((string?)day0["state"], (long)day0["scanned"]!));
        Assert.Equal(2L, (long)runs[0]!["occurrence"]!); // day 1 never ran: no process was polling during it
        Assert.Equal(3L, (long)runs[0]!["waiting"]!);
        Assert.Empty(await Pushed(0));
        Assert.Equal(0, await SendsOf(app, id, "berlin"));
    }

    [Fact]
    public async Task BlockedUsers_AreNotSent_AndAUserBlockedWhileWaiting_EndsTheirRow()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Blocked " + Guid.NewGuid().ToString("N")[..6], default);
        await Admin(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account, HttpStatusCode.OK);
        foreach (var user in new[] { "early", "late" })
        {
            await Api(app, new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone", ["timezone"] = user == "early" ? "Asia/Tokyo" : "America/New_York" });
            await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
        }
        var day = _factory.Clock.GetUtcNow().UtcDateTime.Date.AddDays(2);
        var message = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Morning",
            channel = "push",
            values = new JsonObject { ["Message"] = "Morning" },
            schedule = new { at = day.AddHours(9).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture), timeZone = "user", repeat = "once" },
        }, HttpStatusCode.Created);
        await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{(long)message["id"]!}/activate", null, HttpStatusCode.OK);
        var midnight = new DateTimeOffset(day, TimeSpan.Zero);

        await RunAt(midnight.AddHours(-5).AddSeconds(1)); // both wait for their 09:00
        var dev = ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["development"], new JsonObject { ["action"] = "block", ["userId"] = "late" });
        Assert.True((bool)(await dev)[0]["success"]!);
        await RunAt(midnight.AddSeconds(1)); // Tokyo
        // Sent before the clock jumps 14 hours: a send still in flight then would outlive its outbox lease and go twice.
        Assert.Equal(["token-early"], await Pushed(1));
        await RunAt(midnight.AddHours(14).AddSeconds(1)); // New York: blocked since; the grain refuses, the row ends
        Assert.Equal(["token-early"], await Pushed(2));
        var left = await _factory.Services.GetRequiredService<IWorkQueue>().ClaimAsync(ScheduleRunner.Queue, "test", 100, midnight.AddDays(30), TimeSpan.FromMinutes(1), default);
        Assert.DoesNotContain(left, i => i.Key == ScheduleRunner.WaitingKey(app.AppId, (long)message["id"]!));
    }

    [Fact]
    public async Task TheServersOwnActions_CannotBeCalledThroughTheApi_EvenWithTheDevelopmentKey()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Internal " + Guid.NewGuid().ToString("N")[..6], default);
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "mallory", ["deviceId"] = "m-phone" });
        await _factory.Services.GetRequiredService<IWorkQueue>().EnqueueAsync([new NewWorkItem("delivery", "{}", DateTimeOffset.UtcNow.AddDays(1), "other-app")], default);
        var item = (await _factory.Services.GetRequiredService<IWorkQueue>().ClaimAsync("delivery", "probe", 1000, DateTimeOffset.UtcNow.AddDays(2), TimeSpan.Zero, default))
            .Single(i => i.Key == "other-app");

        foreach (var action in new[] { "__scheduledSend", "__deliveryOutcome", "__run", "__sweepSession" })
        {
            var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["development"], new JsonObject
            {
                ["action"] = action, ["userId"] = "mallory", ["messageId"] = "1", ["occurrence"] = "0", ["outcome"] = "sent",
                ["workItem"] = item.Id.ToString(CultureInfo.InvariantCulture), ["send"] = "{}",
            });
            Assert.False((bool)reply[0]["success"]!, action);
            Assert.Equal($"Unknown action: '{action}'.", (string?)reply[0]["error"]!["message"]);
        }
        // The other app's item is still there (a zero lease: it can be claimed again at once).
        var again = await _factory.Services.GetRequiredService<IWorkQueue>().ClaimAsync("delivery", "probe-2", 1000, DateTimeOffset.UtcNow.AddDays(2), TimeSpan.FromMinutes(1), default);
        Assert.Contains(again, i => i.Id == item.Id);
    }

    [Fact]
    public async Task ASchedule_IsRefusedOnInAppMessages_AndWhenItIsNotOne()
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("Schedule refusals " + Guid.NewGuid().ToString("N")[..6], default);
        var inApp = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "in-app",
            channel = "in-app",
            template = "Alert",
            schedule = new { at = "2026-12-10T09:00", timeZone = "UTC", repeat = "once" },
        }, HttpStatusCode.BadRequest);
        Assert.Contains("A schedule belongs to messages the server sends", (string?)inApp["detail"], StringComparison.Ordinal);
        var zone = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "push",
            channel = "push",
            values = new JsonObject { ["Message"] = "Hi" },
            schedule = new { at = "2026-12-10T09:00", timeZone = "Mars/Olympus", repeat = "once" },
        }, HttpStatusCode.BadRequest);
        Assert.Contains("schedule.timeZone", (string?)zone["detail"], StringComparison.Ordinal);

        // Once live, a message keeps its schedule (occurrences are counted from it).
        var body = new
        {
            name = "push",
            channel = "push",
            values = new JsonObject { ["Message"] = "Hi" },
            schedule = new { at = "2026-12-10T09:00", timeZone = "UTC", repeat = "daily" },
        };
        var created = await Admin(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", body, HttpStatusCode.Created);
        var path = $"/admin/v1/apps/{app.AppId}/messages/{(long)created["id"]!}";
        await Admin(HttpMethod.Put, path, body with { schedule = new { at = "2026-12-11T09:00", timeZone = "UTC", repeat = "daily" } }, HttpStatusCode.OK);
        await Admin(HttpMethod.Post, path + "/activate", null, HttpStatusCode.OK);
        await Admin(HttpMethod.Post, path + "/pause", null, HttpStatusCode.OK);
        var moved = await Admin(HttpMethod.Put, path, body, HttpStatusCode.Conflict);
        Assert.Contains("keeps its schedule", (string?)moved["detail"], StringComparison.Ordinal);
        await Admin(HttpMethod.Put, path, body with { schedule = new { at = "2026-12-11T09:00", timeZone = "UTC", repeat = "daily" }, name = "renamed" }, HttpStatusCode.OK);
    }
}
