using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    private static readonly TimeSpan RunLease = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task ClaimRunAsync_New_CreatesARunningRunWithNothingDone()
    {
        var run = await Store.ScheduleRuns.ClaimRunAsync(App, 7, 0, "a", T0, RunLease, Ct);

        Assert.NotNull(run);
        Assert.Equal((App, 7L, 0L, ScheduleRunStates.Running, (string?)null, 0L, 0L, 0L), (run.AppId, run.MessageId, run.Occurrence, run.State, run.Cursor, run.Scanned, run.Matched, run.Deferred));
        Assert.Equal(T0, run.Started);
        Assert.Null(run.Finished);
    }

    [Fact]
    public async Task ClaimRunAsync_HeldByAnother_IsRefusedUntilTheLeaseRunsOut_ThenResumesFromTheSavedCursor()
    {
        var run = (await Store.ScheduleRuns.ClaimRunAsync(App, 7, 3, "a", T0, RunLease, Ct))!;
        Assert.True(await Store.ScheduleRuns.SaveRunAsync(run with { Cursor = "user-500", Scanned = 500, Matched = 40, Deferred = 2 }, "a", T0 + RunLease, Ct));

        Assert.Null(await Store.ScheduleRuns.ClaimRunAsync(App, 7, 3, "b", T0 + RunLease - TimeSpan.FromMilliseconds(1), RunLease, Ct));
        var taken = await Store.ScheduleRuns.ClaimRunAsync(App, 7, 3, "b", T0 + RunLease, RunLease, Ct);

        Assert.NotNull(taken);
        Assert.Equal(("user-500", 500L, 40L, 2L), (taken.Cursor, taken.Scanned, taken.Matched, taken.Deferred));
        Assert.Equal(T0, taken.Started);
        // The first owner lost it: its saves no longer land.
        Assert.False(await Store.ScheduleRuns.SaveRunAsync(run with { Cursor = "user-999" }, "a", T0 + RunLease * 2, Ct));
        Assert.Equal("user-500", (await Store.ScheduleRuns.ListRunsAsync(App, 7, 10, Ct)).Single().Cursor);
    }

    [Fact]
    public async Task ClaimRunAsync_Finished_IsNeverClaimedAgain_AndListsWithItsCounts()
    {
        var run = (await Store.ScheduleRuns.ClaimRunAsync(App, 7, 1, "a", T0, RunLease, Ct))!;
        var done = run with { State = ScheduleRunStates.Finished, Cursor = "z", Scanned = 10, Matched = 4, Finished = T0.AddSeconds(3) };
        Assert.True(await Store.ScheduleRuns.SaveRunAsync(done, "a", T0.AddSeconds(3), Ct));

        Assert.Null(await Store.ScheduleRuns.ClaimRunAsync(App, 7, 1, "a", T0.AddSeconds(4), RunLease, Ct));
        Assert.Null(await Store.ScheduleRuns.ClaimRunAsync(App, 7, 1, "b", T0.AddHours(1), RunLease, Ct));
        Assert.False(await Store.ScheduleRuns.SaveRunAsync(done with { Scanned = 11 }, "a", T0.AddHours(1), Ct));
        Assert.Equal(done, Assert.Single(await Store.ScheduleRuns.ListRunsAsync(App, 7, 10, Ct)));
    }

    [Fact]
    public async Task ClaimRunAsync_Missed_IsOverLikeFinished_NeverClaimedAgain()
    {
        // A run cut short whose occurrence was over when the message was live again: ended with what it had done.
        var run = (await Store.ScheduleRuns.ClaimRunAsync(App, 7, 2, "a", T0, RunLease, Ct))!;
        var missed = run with { State = ScheduleRunStates.Missed, Cursor = "m", Scanned = 3, Matched = 1, Finished = T0.AddHours(5) };
        Assert.True(await Store.ScheduleRuns.SaveRunAsync(missed, "a", T0.AddHours(5), Ct));

        Assert.Null(await Store.ScheduleRuns.ClaimRunAsync(App, 7, 2, "a", T0.AddHours(5), RunLease, Ct));
        Assert.Null(await Store.ScheduleRuns.ClaimRunAsync(App, 7, 2, "b", T0.AddDays(1), RunLease, Ct));
        Assert.False(await Store.ScheduleRuns.SaveRunAsync(missed with { State = ScheduleRunStates.Running }, "a", T0.AddDays(1), Ct));
        Assert.Equal(missed, Assert.Single(await Store.ScheduleRuns.ListRunsAsync(App, 7, 10, Ct)));
    }

    [Fact]
    public async Task ListRunsAsync_LatestOccurrenceFirst_OnlyThatMessage_UpToTheLimit()
    {
        foreach (var occurrence in new long[] { 0, 2, 1 })
            Assert.NotNull(await Store.ScheduleRuns.ClaimRunAsync(App, 7, occurrence, "a", T0, RunLease, Ct));
        Assert.NotNull(await Store.ScheduleRuns.ClaimRunAsync(App, 8, 5, "a", T0, RunLease, Ct));
        Assert.NotNull(await Store.ScheduleRuns.ClaimRunAsync("app-2", 7, 9, "a", T0, RunLease, Ct));

        Assert.Equal([2L, 1L], (await Store.ScheduleRuns.ListRunsAsync(App, 7, 2, Ct)).Select(r => r.Occurrence));
        Assert.Equal([2L, 1L, 0L], (await Store.ScheduleRuns.ListRunsAsync(App, 7, 10, Ct)).Select(r => r.Occurrence));
        Assert.Empty(await Store.ScheduleRuns.ListRunsAsync(App, 9, 10, Ct));
    }
}
