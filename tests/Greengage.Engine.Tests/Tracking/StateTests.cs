using System.Text;
using Greengage.Engine.Storage;
using Greengage.Engine.Tracking;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using static Greengage.Engine.Tests.TestBatches;
using static Greengage.Engine.Tests.Tracking.TrackingTestKit;

namespace Greengage.Engine.Tests.Tracking;

public sealed class StateTests
{
    private static Users.UserProcessor Started(TrackingOptions? options = null)
    {
        var p = NewProcessor(options);
        p.Apply(Batch("u1", T0, Item(0, "start", new { deviceId = "d1" })));
        return p;
    }

    private static (Protocol.Responses.ActionResult Result, IReadOnlyList<UserRecord> Records) At(Users.UserProcessor p, double seconds, string action, object parameters)
    {
        var (results, writes) = p.Apply(Batch("u1", T0.AddSeconds(seconds), Item(0, action, parameters)));
        return (results[0], Records(writes));
    }

    [Fact]
    public void Advance_ToTheNextState_LeavesThePreviousWithItsDuration()
    {
        var p = Started();
        At(p, 10, "advance", new { state = "Menu" });
        var (result, records) = At(p, 100, "advance", new { state = "Level 1", info = "easy", @params = new { lives = 3 } });

        Assert.True(result.Success);
        Assert.Equal(2, records.Count);
        var left = Assert.IsType<StateLeft>(records[0]);
        Assert.Equal("Menu", left.Name);
        Assert.Equal(90, left.DurationSeconds);
        Assert.Equal(Ms(T0.AddSeconds(100)), left.TimeMs);
        var entered = Assert.IsType<StateEntered>(records[1]);
        Assert.Equal("Level 1", entered.Name);
        Assert.Equal("easy", entered.Info);
        Assert.Equal(3, entered.Params!["lives"].GetInt32());
        Assert.Equal(p.State.Sessions.Open!.Id, entered.SessionId);
        Assert.Equal("Level 1", p.State.States.Current!.Name);
    }

    [Fact]
    public void Advance_AfterPauseStateAndResumeState_ExcludesThePausedTime()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        var paused = At(p, 30, "pauseState", new { });
        var resumed = At(p, 100, "resumeState", new { });
        var (_, records) = At(p, 130, "advance", new { state = "Menu" });

        Assert.IsType<StatePaused>(paused.Records.Single());
        Assert.IsType<StateResumed>(resumed.Records.Single());
        Assert.Equal(60, Assert.IsType<StateLeft>(records[0]).DurationSeconds);
    }

    [Fact]
    public void PauseState_OnlyPausesTheState_TheSessionKeepsRunning()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        At(p, 30, "pauseState", new { });
        At(p, 60, "track", new { @event = "Tap" });

        Assert.False(p.State.Sessions.Open!.Paused);
        Assert.Equal(Ms(T0.AddSeconds(60)), p.State.Profile.LastActiveMs);
        Assert.True(p.State.States.Current!.Paused);
    }

    [Fact]
    public void Advance_AcrossPauseSessionAndResumeSession_StateClockStopsWithTheSession()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        At(p, 20, "pauseSession", new { });
        At(p, 320, "resumeSession", new { });
        var (_, records) = At(p, 330, "advance", new { state = "Menu" });

        Assert.Equal(30, Assert.IsType<StateLeft>(records[0]).DurationSeconds);
    }

    [Fact]
    public void ResumeSession_WhileTheStateIsPausedByPauseState_KeepsTheStatePaused()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        At(p, 10, "pauseState", new { });
        At(p, 20, "pauseSession", new { });
        At(p, 30, "resumeSession", new { });
        var (_, records) = At(p, 50, "advance", new { state = "Menu" });

        Assert.Equal(10, Assert.IsType<StateLeft>(records[0]).DurationSeconds);
    }

    [Fact]
    public void Advance_EmptyState_LeavesTheCurrentStateWithoutEnteringAnother()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        var (result, records) = At(p, 45, "advance", new { state = "" });

        Assert.True(result.Success);
        var left = Assert.IsType<StateLeft>(records.Single());
        Assert.Equal("Level", left.Name);
        Assert.Equal(45, left.DurationSeconds);
        Assert.Null(p.State.States.Current);
        Assert.Equal(1, p.State.Aggregates.States["Level"].Count);
        Assert.Single(p.State.Aggregates.States);
    }

    [Fact]
    public void Advance_EmptyStateWithNoCurrentState_RecordsNothing()
    {
        var p = Started();
        var (result, records) = At(p, 5, "advance", new { state = "" });

        Assert.True(result.Success);
        Assert.Empty(records);
    }

    [Fact]
    public void Advance_NoStateParameter_FailsWith400()
    {
        var p = Started();
        var (result, records) = At(p, 5, "advance", new { info = "x" });

        Assert.Equal(400, result.Status);
        Assert.Equal("'state' must be provided", result.Error);
        Assert.Empty(records);
    }

    [Fact]
    public void Advance_UnknownUser_WarnsUserNotFoundAndRecordsNothing()
    {
        var (result, records) = At(NewProcessor(), 0, "advance", new { state = "Menu" });

        Assert.True(result.Success);
        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.Empty(records);
    }

    [Theory]
    [InlineData("pauseState")]
    [InlineData("resumeState")]
    public void PauseOrResumeState_UnknownUser_WarnsUserNotFound(string action)
    {
        var (result, records) = At(NewProcessor(), 0, action, new { });

        Assert.Equal("User not found; request skipped.", result.Warning);
        Assert.Empty(records);
    }

    [Theory]
    [InlineData(".menu", "must not start with '.' or '-'")]
    [InlineData("menu/", "must not end with '/'")]
    [InlineData("a|b", "must not contain")]
    [InlineData("7", "must not be numeric")]
    public void Advance_InvalidStateName_FailsWith400NamingTheRule(string name, string rule)
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Menu" });
        var (result, records) = At(p, 5, "advance", new { state = name });

        Assert.Equal(400, result.Status);
        Assert.StartsWith("Invalid state name", result.Error, StringComparison.Ordinal);
        Assert.Contains(rule, result.Error, StringComparison.Ordinal);
        Assert.Empty(records);
        Assert.Equal("Menu", p.State.States.Current!.Name);
    }

    [Fact]
    public void Advance_StatesAggregates_CountFirstAndLastTime()
    {
        var p = Started();
        At(p, 10, "advance", new { state = "Menu" });
        At(p, 20, "advance", new { state = "Level" });
        At(p, 30, "advance", new { state = "Menu" });

        var menu = p.State.Aggregates.States["Menu"];
        Assert.Equal(2, menu.Count);
        Assert.Equal(Ms(T0.AddSeconds(10)), menu.FirstTimeMs);
        Assert.Equal(Ms(T0.AddSeconds(30)), menu.LastTimeMs);
        Assert.Equal(1, p.State.Aggregates.States["Level"].Count);
    }

    [Fact]
    public void Advance_DevMode_IsRecordedButKeptOutOfAggregates()
    {
        var p = Started();
        var (_, writes) = p.Apply(Batch("u1", T0.AddSeconds(1), Item(0, "advance", new { state = "Menu" }, devMode: true)));

        Assert.True(Records(writes).Single().IsDeveloper);
        Assert.Empty(p.State.Aggregates.States);
        Assert.Equal("Menu", p.State.States.Current!.Name);
    }

    [Fact]
    public void Advance_MoreStatesThanTheSessionLimit_FailsWith400()
    {
        var p = Started(new TrackingOptions { MaxStatesPerSession = 2 });
        At(p, 1, "advance", new { state = "A" });
        At(p, 2, "advance", new { state = "B" });
        var (result, records) = At(p, 3, "advance", new { state = "C" });
        var (leave, _) = At(p, 4, "advance", new { state = "" });

        Assert.Equal(400, result.Status);
        Assert.Equal("Too many states in this session: at most 2 states per session.", result.Error);
        Assert.Empty(records);
        Assert.True(leave.Success);
        Assert.Null(p.State.States.Current);
    }

    [Fact]
    public void Advance_AfterTheSessionEnded_LeavesThePreviousStateAtTheSessionEnd()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        At(p, 50, "stop", new { });
        At(p, 1000, "start", new { deviceId = "d1" });
        var (_, records) = At(p, 1010, "advance", new { state = "Menu" });

        var left = Assert.IsType<StateLeft>(records[0]);
        Assert.Equal(50, left.DurationSeconds);
        Assert.Equal(Ms(T0.AddSeconds(50)), left.TimeMs);
        Assert.Equal(Ms(T0.AddSeconds(1010)), Assert.IsType<StateEntered>(records[1]).TimeMs);
    }

    [Fact]
    public void PauseState_AfterTheSessionEnded_RecordsNothing()
    {
        var p = Started();
        At(p, 0, "advance", new { state = "Level" });
        At(p, 50, "stop", new { });
        var (result, records) = At(p, 60, "pauseState", new { });

        Assert.True(result.Success);
        Assert.Empty(records);
    }

    [Fact]
    public void PauseState_NoCurrentState_RecordsNothing()
    {
        var (result, records) = At(Started(), 5, "pauseState", new { });

        Assert.True(result.Success);
        Assert.Empty(records);
    }

    [Fact]
    public void Advance_OldClientTime_IsRewrittenWithThePastEventWarning()
    {
        var p = Started();
        var (result, records) = At(p, 10, "advance", new { state = "Menu", time = Seconds(T0.AddDays(-40)) });

        Assert.Equal("Past event detected (40 days ago). Rewriting timestamp.", result.Warning);
        Assert.Equal(Ms(T0.AddSeconds(10)), records.Single().TimeMs);
    }

    [Fact]
    public void Advance_ClientTimeBeforeThePreviousTransition_NeverGivesANegativeDuration()
    {
        var p = Started();
        At(p, 100, "advance", new { state = "A" });
        var (_, records) = At(p, 110, "advance", new { state = "B", time = Seconds(T0.AddSeconds(50)) });

        var left = Assert.IsType<StateLeft>(records[0]);
        Assert.Equal(0, left.DurationSeconds);
        Assert.Equal(left.TimeMs, Assert.IsType<StateEntered>(records[1]).TimeMs);
    }

    [Fact]
    public void Load_SnapshotPlusTail_RebuildsTheSameStatesAndAggregates()
    {
        var p = NewProcessor();
        var rows = new List<LogRow>();
        void Apply(double s, string action, object parameters)
        {
            var (_, writes) = p.Apply(Batch("u1", T0.AddSeconds(s), Item(0, action, parameters)));
            if (writes is not null)
                rows.AddRange(writes.Rows.Select(r => new LogRow(0, "app_test", "u1", r.Seq, r.Kind, r.TimeMs, r.Body)));
        }
        Apply(0, "start", new { deviceId = "d1" });
        Apply(1, "advance", new { state = "A" });
        Apply(2, "track", new { @event = "E", value = 2 });
        Apply(3, "pauseState", new { });
        Apply(4, "pauseSession", new { });
        Apply(5, "resumeSession", new { });
        Apply(6, "advance", new { state = "B" });

        var reloaded = NewProcessor();
        reloaded.Load(new StoredUser(null, rows), 0);

        Assert.Equal(Encoding.UTF8.GetString(p.State.Serialize()), Encoding.UTF8.GetString(reloaded.State.Serialize()));
        Assert.Equal("B", reloaded.State.States.Current!.Name);
        Assert.Equal(1, reloaded.State.States.EventsIn(p.State.Sessions.Open!.Id));
        Assert.Equal(2, reloaded.State.States.StatesIn(p.State.Sessions.Open!.Id));
    }

    [Fact]
    public void MergeFrom_StateAggregates_AddCountsAndWidenTimes()
    {
        var target = new UserState();
        var source = new UserState();
        target.Apply(new StateEntered { TimeMs = 200, Name = "Menu" });
        source.Apply(new StateEntered { TimeMs = 100, Name = "Menu" });
        source.Apply(new StateEntered { TimeMs = 300, Name = "Menu" });
        source.Apply(new StateEntered { TimeMs = 150, Name = "Shop" });

        target.MergeFrom(source);

        Assert.Equal(3, target.Aggregates.States["Menu"].Count);
        Assert.Equal(100, target.Aggregates.States["Menu"].FirstTimeMs);
        Assert.Equal(300, target.Aggregates.States["Menu"].LastTimeMs);
        Assert.Equal(1, target.Aggregates.States["Shop"].Count);
        Assert.Equal("Menu", target.States.Current!.Name);
    }
}
