using Greengage.Engine.Actions;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Sessions;

/// <summary>Spec 6.1: sessions end after 2 h without activity or 30 min after a pause, at their last activity.</summary>
public sealed class SessionLifecycleTests
{
    private readonly UserProcessor _user = new("app_test", "u1", UserActionTable.Default, new SnapshotPolicy(), new ProtocolLimits());
    private readonly List<UserRecord> _records = [];

    /// <summary>Applies one action at <paramref name="at"/> (the arrival time; no client time, so it stands).</summary>
    private Protocol.Responses.ActionResult At(TimeSpan at, string action, object? parameters = null)
    {
        var (results, writes) = _user.Apply(Batch("u1", T0 + at, Item(0, action, parameters ?? new { deviceId = "d1" })));
        if (writes is not null)
            _records.AddRange(writes.Rows.Select(r => UserJson.Deserialize(r.Body)));
        return results[0];
    }

    private List<SessionEnded> Ended => _records.OfType<SessionEnded>().ToList();

    private static long Ms(TimeSpan at) => (T0 + at).ToUnixTimeMilliseconds();

    [Fact]
    public void Track_AfterTwoHoursAndOneSecondIdle_ClosesTheSessionAtItsLastActivity()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(10), "track", new { @event = "E" });
        var late = At(TimeSpan.FromMinutes(10) + TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1), "track", new { @event = "E" });

        var ended = Assert.Single(Ended);
        Assert.Equal(Ms(TimeSpan.FromMinutes(10)), ended.TimeMs);
        Assert.Equal(600, ended.DurationSeconds);
        Assert.Equal("timeout", ended.Reason);
        Assert.True((bool)late.Fields!["isOffline"]!);
        Assert.Null(_user.State.Sessions.Open);
        Assert.Equal(600, _user.State.Profile.TimeSpentInApp);
    }

    [Fact]
    public void Track_AfterExactlyTwoHoursIdle_StaysInTheSession()
    {
        At(TimeSpan.Zero, "start");
        var track = At(TimeSpan.FromHours(2), "track", new { @event = "E" });
        Assert.Empty(Ended);
        Assert.Null(track.Fields);
        Assert.NotNull(_user.State.Sessions.Open);
    }

    [Fact]
    public void Resume_ThirtyMinutesAndOneSecondAfterPause_EndsTheOldSessionAndStartsANewOne()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(5), "pauseSession");
        At(TimeSpan.FromMinutes(35) + TimeSpan.FromSeconds(1), "resumeSession");

        var ended = Assert.Single(Ended);
        Assert.Equal(Ms(TimeSpan.FromMinutes(5)), ended.TimeMs);
        Assert.Equal(300, ended.DurationSeconds);
        Assert.Equal(2, _user.State.Profile.TotalSessions);
        Assert.Equal(Ms(TimeSpan.FromMinutes(35) + TimeSpan.FromSeconds(1)), _user.State.Sessions.Open!.StartMs);
    }

    [Fact]
    public void Resume_WithinThirtyMinutes_ContinuesAndPausedTimeDoesNotCount()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromSeconds(60), "pauseSession");
        At(TimeSpan.FromSeconds(60) + TimeSpan.FromMinutes(30), "resumeSession");
        At(TimeSpan.FromSeconds(90) + TimeSpan.FromMinutes(30), "stop");

        var ended = Assert.Single(Ended);
        Assert.Equal("stop", ended.Reason);
        Assert.Equal(90, ended.DurationSeconds);
        Assert.Equal(1, _user.State.Profile.TotalSessions);
    }

    [Fact]
    public void BackgroundStart_CountsOnlyAfterResume()
    {
        At(TimeSpan.Zero, "start", new { deviceId = "d1", background = true });
        Assert.Equal(0, _user.State.Profile.TotalSessions);
        At(TimeSpan.FromMinutes(2), "track", new { @event = "E" });
        At(TimeSpan.FromMinutes(5), "resumeSession");
        Assert.Equal(1, _user.State.Profile.TotalSessions);
        At(TimeSpan.FromMinutes(6), "stop");
        Assert.Equal(60, Assert.Single(Ended).DurationSeconds);
    }

    [Fact]
    public void BackgroundStart_NeverResumed_EndsThirtyMinutesLaterUncounted()
    {
        At(TimeSpan.Zero, "start", new { deviceId = "d1", background = true });
        At(TimeSpan.FromMinutes(31), "heartbeat");
        var ended = Assert.Single(Ended);
        Assert.Equal(0, ended.DurationSeconds);
        Assert.Equal(0, _user.State.Profile.TotalSessions);
    }

    [Fact]
    public void Heartbeat_EveryHour_KeepsTheSessionAliveForFiveHours()
    {
        At(TimeSpan.Zero, "start");
        for (var h = 1; h <= 5; h++)
            At(TimeSpan.FromHours(h), "heartbeat");
        At(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(1), "stop");
        var ended = Assert.Single(Ended);
        Assert.Equal(5 * 3600 + 60, ended.DurationSeconds);
    }

    [Fact]
    public void Start_WhileASessionIsOpen_EndsItAtItsLastActivity()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(3), "track", new { @event = "E" });
        At(TimeSpan.FromMinutes(20), "start");

        var ended = Assert.Single(Ended);
        Assert.Equal("restart", ended.Reason);
        Assert.Equal(Ms(TimeSpan.FromMinutes(3)), ended.TimeMs);
        Assert.Equal(180, ended.DurationSeconds);
        Assert.Equal(2, _user.State.Profile.TotalSessions);
    }

    [Fact]
    public void Start_RecordsThePriorActivityOfTheUser()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(1), "track", new { @event = "A" });
        At(TimeSpan.FromMinutes(2), "track", new { @event = "B" });
        At(TimeSpan.FromMinutes(3), "stop");
        At(TimeSpan.FromHours(1), "start");

        var second = _records.OfType<SessionStarted>().Last();
        Assert.Equal(new PriorActivity(1, 2, 0, 180), second.Prior);
    }

    [Fact]
    public void Stop_WithNoOpenSession_RecordsNothing()
    {
        At(TimeSpan.Zero, "start");
        At(TimeSpan.FromMinutes(1), "stop");
        At(TimeSpan.FromMinutes(2), "stop");
        Assert.Single(Ended);
    }
}
