using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Greengage.Cluster.Grains;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Engine.Apps;
using Greengage.Engine.Delivery;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// The server's own work on users who are not active (a campaign's sends and their outcomes) is applied in place,
/// without activating their grains (<see cref="ServerWorkGateway"/>), and ends in the same records as through a grain;
/// a user who is active gets it through their grain; an activation that begins meanwhile waits (<see cref="UserResidency"/>).
/// </summary>
public sealed class ServerWorkInPlaceTests : IAsyncLifetime
{
    private ScheduledFcmHarness _harness = null!;
    private FakeFcm _fcm = null!;
    private ScheduledFcmHarness.Factory _factory = null!;
    private JsonObject _account = null!;

    public async Task InitializeAsync()
    {
        _harness = await ScheduledFcmHarness.StartAsync("in-place");
        (_fcm, _factory, _account) = (_harness.Fcm, _harness.Server, _harness.Account);
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    private ServerWorkGateway Gateway => _factory.Services.GetRequiredService<ServerWorkGateway>();

    private UserResidency Residency => _factory.Services.GetRequiredService<UserResidency>();

    private async Task<(Engine.Storage.StoredApp App, long MessageId, DateTimeOffset Due)> CampaignTo(string[] users)
    {
        var app = await _factory.Services.GetRequiredService<AppService>().CreateAsync("In place " + Guid.NewGuid().ToString("N")[..6], default);
        var (status, answer) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/fcm", _account);
        Assert.Equal(HttpStatusCode.OK, status);
        foreach (var user in users)
        {
            var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["production"],
                new JsonObject { ["action"] = "start", ["userId"] = user, ["deviceId"] = user + "-phone" },
                new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = user, ["deviceId"] = user + "-phone", ["gcmRegistrationId"] = "token-" + user });
            Assert.True((bool)reply[1]["success"]!, reply.Response.ToJsonString());
        }
        var at = _factory.Clock.GetUtcNow().UtcDateTime.AddMinutes(1).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);
        (status, answer) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new
        {
            name = "Everyone",
            channel = "push",
            values = new JsonObject { ["Message"] = "Hello" },
            schedule = new { at, timeZone = "UTC", repeat = "once" },
        });
        Assert.Equal(HttpStatusCode.Created, status);
        var id = (long)answer!["id"]!;
        (status, _) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate", null);
        Assert.Equal(HttpStatusCode.OK, status);
        return (app, id, DateTimeOffset.Parse(at + ":00Z", CultureInfo.InvariantCulture));
    }

    /// <summary>Deactivates every idle grain and waits until no user is resident.</summary>
    private async Task DeactivateAll()
    {
        var management = _factory.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
        await management.ForceActivationCollection(TimeSpan.Zero);
        await Eventually.TrueAsync(() => Residency.Count == 0, "no user resident");
    }

    private Task RunAt(DateTimeOffset at) => _harness.RunAtAsync(at);

    [Fact]
    public async Task ACampaignToIdleUsers_IsSentAndRecordedInPlace_WithoutActivatingThem()
    {
        var users = new[] { "idle1", "idle2", "idle3" };
        var (app, id, due) = await CampaignTo(users);
        await DeactivateAll();
        var (inPlace, toGrain) = (Gateway.AppliedInPlace, Gateway.SentToGrain);

        await RunAt(due.AddSeconds(1));
        await Eventually.TrueAsync(() => _fcm.Messages.Count >= 3, "three sends");
        // Three sends and their three outcomes, none through a grain, and nobody became resident.
        await Eventually.TrueAsync(() => Gateway.AppliedInPlace - inPlace == 6, "three sends and three outcomes in place");
        Assert.Equal(toGrain, Gateway.SentToGrain);
        Assert.Equal(0, Residency.Count);
        Assert.Equal(users.Select(u => "token-" + u), _fcm.Messages.Select(m => (string)m["message"]!["token"]!).Order());

        // Running again sends nothing twice: the occurrence was recorded in place.
        await RunAt(due.AddMinutes(5));
        await Task.Delay(300);
        Assert.Equal(3, _fcm.Messages.Count);

        // What was committed in place is what a grain loads: the send and its outcome, once each.
        foreach (var user in users)
        {
            var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = user });
            Assert.Equal(1, (int)export[0]["events"]![$".m{id}"]!["count"]!);
        }
    }

    [Fact]
    public async Task ASendToTwoDevices_HasBothOutcomesAppliedInPlace_ToTheUserKeptFromTheSend()
    {
        var (app, id, due) = await CampaignTo(["two1"]);
        var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["production"],
            new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "two1", ["deviceId"] = "two1-tablet", ["gcmRegistrationId"] = "token-two1-tablet" });
        Assert.True((bool)reply[0]["success"]!, reply.Response.ToJsonString());
        await DeactivateAll();
        var (inPlace, toGrain, loaded) = (Gateway.AppliedInPlace, Gateway.SentToGrain, Gateway.LoadedInPlace);

        await RunAt(due.AddSeconds(1));
        await Eventually.TrueAsync(() => Gateway.AppliedInPlace - inPlace == 3, "the send and both outcomes in place");
        Assert.Equal(["token-two1", "token-two1-tablet"], _fcm.Messages.Select(m => (string)m["message"]!["token"]!).Order());
        // The outcomes (which come back together) took turns on the user kept from the send: no load, no activation.
        Assert.Equal((toGrain, loaded), (Gateway.SentToGrain, Gateway.LoadedInPlace));
        Assert.Equal(0, Residency.Count);
        Assert.Equal(0, Gateway.AwaitingOutcome); // kept until the last outcome, then let go
        var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = "two1" });
        Assert.Equal(2, (int)export[0]["events"]![$".m{id}"]!["count"]!);
    }

    [Fact]
    public async Task AUserChangedSinceTheScanReadThem_IsDecidedByTheirGrain_OnWhatIsStoredNow()
    {
        var (app, id, _) = await CampaignTo(["changed1"]);
        await DeactivateAll();
        // What a scan read...
        var stale = await _factory.Services.GetRequiredService<Engine.Storage.IUserStore>().LoadAsync(app.AppId, "changed1", default);
        var known = new Engine.Users.KnownUser(stale, Engine.Jobs.UserScan.Fold(stale));
        // ...before the user changed.
        var change = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["production"],
            new JsonObject { ["action"] = "setUserAttributes", ["userId"] = "changed1", ["deviceId"] = "changed1-phone", ["userAttributes"] = new JsonObject { ["plan"] = "pro" } });
        Assert.True((bool)change[0]["success"]!);
        await DeactivateAll();
        var (inPlace, toGrain) = (Gateway.AppliedInPlace, Gateway.SentToGrain);

        var batch = new Engine.Users.UserBatch(app.AppId, "changed1", "", _factory.Clock.GetUtcNow(), null,
            [new Engine.Users.UserBatchItem(0, Engine.Actions.User.ScheduledSend.ActionName, Engine.Actions.User.ScheduledSend.Parameters(id, 0), false)]);
        var results = await Gateway.ApplyAsync(batch, known, default);

        // The commit on the scan's state was fenced out, nothing of it written, and the grain decided instead.
        Assert.True(results[0].Success);
        Assert.Equal((inPlace, toGrain + 1), (Gateway.AppliedInPlace, Gateway.SentToGrain));
        await Eventually.TrueAsync(() => _fcm.Messages.Count >= 1, "the send");
        var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = "changed1" });
        Assert.Equal("pro", (string?)export[0]["userAttributes"]!["plan"]);
        await Task.Delay(300);
        Assert.Single(_fcm.Messages);
    }

    [Fact]
    public async Task AUserActiveHere_GetsTheServersWorkThroughTheirGrain()
    {
        var (app, id, due) = await CampaignTo(["active1"]);
        Assert.True(Residency.Count > 0);
        var toGrain = Gateway.SentToGrain;

        await RunAt(due.AddSeconds(1));
        await Eventually.TrueAsync(() => _fcm.Messages.Count >= 1, "the send");
        await Eventually.TrueAsync(() => Gateway.SentToGrain - toGrain == 2, "the send and its outcome through the grain");
        var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = "active1" });
        Assert.Equal(1, (int)export[0]["events"]![$".m{id}"]!["count"]!);
    }

    [Fact]
    public async Task WithServerWorkInPlaceOff_EveryRunGoesThroughTheGrains()
    {
        await using var off = await ScheduledFcmHarness.StartAsync("grains-only", ("Greengage:Cluster:ServerWorkInPlace", "false"));
        var own = (_harness, _fcm, _factory, _account);
        (_harness, _fcm, _factory, _account) = (off, off.Fcm, off.Server, off.Account);
        try
        {
            var (app, id, due) = await CampaignTo(["off1", "off2"]);
            await DeactivateAll();
            var (inPlace, toGrain) = (Gateway.AppliedInPlace, Gateway.SentToGrain);

            await RunAt(due.AddSeconds(1));
            await Eventually.TrueAsync(() => _fcm.Messages.Count >= 2, "two sends");
            await Eventually.TrueAsync(() => Gateway.SentToGrain - toGrain == 4, "two sends and two outcomes through the grains");
            Assert.Equal(inPlace, Gateway.AppliedInPlace);
            var export = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys["dataExport"], new JsonObject { ["action"] = "exportUser", ["userId"] = "off1" });
            Assert.Equal(1, (int)export[0]["events"]![$".m{id}"]!["count"]!);
        }
        finally
        {
            (_harness, _fcm, _factory, _account) = own;
        }
    }

    [Fact]
    public async Task AnActivation_WaitsForALeaseOnItsUser_AndALeaseIsRefusedWhileTheUserIsActive()
    {
        var residency = new UserResidency();
        Assert.True(residency.TryLease("app/u1"));
        Assert.False(residency.TryLease("app/u1")); // one lease at a time
        var activation = residency.EnterAsync("app/u1", default).AsTask();
        await Task.Delay(50);
        Assert.False(activation.IsCompleted);
        residency.Release("app/u1");
        await activation.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(residency.TryLease("app/u1")); // active now
        await residency.EnterAsync("app/u1", default); // a second activation (an overlap while the first leaves)
        residency.Leave("app/u1");
        Assert.False(residency.TryLease("app/u1"));
        residency.Leave("app/u1");
        Assert.Equal(0, residency.Count);
        Assert.True(residency.TryLease("app/u1"));
        residency.Release("app/u1");
        Assert.Equal(0, residency.Count);
    }

    [Fact]
    public async Task AnActivationWaitingForALease_GoesBeforeAnyNewLease_AndOneThatGivesUpLeavesNothingBehind()
    {
        var residency = new UserResidency();
        Assert.True(residency.TryLease("app/u2"));
        var waiting = residency.EnterAsync("app/u2", default).AsTask();
        residency.Release("app/u2");
        // Before the waiting activation has even resumed, no new lease cuts in ahead of it.
        Assert.False(residency.TryLease("app/u2"));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(residency.TryLease("app/u2"));
        residency.Leave("app/u2");
        Assert.Equal(0, residency.Count);

        // An activation cancelled while it waits gives its place up; the lease still holds until released.
        Assert.True(residency.TryLease("app/u3"));
        using var cancel = new CancellationTokenSource();
        var giving = residency.EnterAsync("app/u3", cancel.Token).AsTask();
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => giving);
        Assert.False(residency.TryLease("app/u3"));
        residency.Release("app/u3");
        Assert.Equal(0, residency.Count);
    }
}
