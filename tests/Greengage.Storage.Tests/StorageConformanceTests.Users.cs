using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task LoadAsync_UnknownUser_ReturnsNoSnapshotAndEmptyTail()
    {
        var user = await Store.Users.LoadAsync(App, "nobody", Ct);

        Assert.Null(user.Snapshot);
        Assert.Empty(user.Tail);
    }

    [Fact]
    public async Task CommitAsync_ThenLoad_ReturnsAllRowsInSeqOrder()
    {
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [3, 1, 2])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [4])));

        var user = await Store.Users.LoadAsync(App, "u", Ct);

        Assert.Null(user.Snapshot);
        Assert.Equal([1L, 2, 3, 4], user.Tail.Select(r => r.Seq));
        foreach (var row in user.Tail)
        {
            Assert.Equal((App, "u", "event", 1_700_000_000_000 + row.Seq), (row.AppId, row.UserId, row.Kind, row.TimeMs));
            Assert.Equal(Body(row.Seq), row.Body);
        }
    }

    [Fact]
    public async Task CommitAsync_EmptyBodyAndState_RoundTrip()
    {
        var set = new UserWriteSet(App, "u", [new NewLogRow(1, "k", 5, [])], new SnapshotWrite(0, 0, []));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(set));

        var user = await Store.Users.LoadAsync(App, "u", Ct);

        Assert.Empty(user.Snapshot!.State);
        Assert.Empty(Assert.Single(user.Tail).Body);
    }

    [Fact]
    public async Task LoadAsync_WithSnapshot_ReturnsSnapshotAndOnlyRowsAfterItsSeq()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3), new SnapshotWrite(0, 3, [1, 2, 3])));
        await CommitOneAsync(Set(App, "u", Range(4, 5)));

        var user = await Store.Users.LoadAsync(App, "u", Ct);

        Assert.Equal((1L, 3L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([1, 2, 3], user.Snapshot.State);
        Assert.Equal([4L, 5], user.Tail.Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_MatchingExpectedVersion_BumpsVersionAndReplacesState()
    {
        await CommitOneAsync(Set(App, "u", [1], new SnapshotWrite(0, 1, [1])));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [2], new SnapshotWrite(1, 2, [2]))));

        var snapshot = (await Store.Users.LoadAsync(App, "u", Ct)).Snapshot!;
        Assert.Equal((2L, 2L), (snapshot.Version, snapshot.Seq));
        Assert.Equal([2], snapshot.State);
    }

    [Fact]
    public async Task CommitAsync_StaleExpectedVersion_FenceViolatedWhileOtherSetCommits()
    {
        await CommitOneAsync(Set(App, "u", [1], new SnapshotWrite(0, 1, [1])));
        await CommitOneAsync(Set(App, "u", [2], new SnapshotWrite(1, 2, [2])));

        var outcomes = await Store.Users.CommitAsync(
        [
            Set(App, "u", [3, 4], new SnapshotWrite(1, 4, [9])),  // stale: stored version is 2
            Set(App, "other", [1, 2], new SnapshotWrite(0, 2, [7])),
            Set(App, "u", [3], new SnapshotWrite(0, 3, [9])),     // insert over an existing snapshot
        ], Ct);

        Assert.Equal([CommitOutcome.FenceViolated, CommitOutcome.Committed, CommitOutcome.FenceViolated], outcomes);
        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((2L, 2L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([2], user.Snapshot.State);
        Assert.Empty(user.Tail);
        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        var other = await Store.Users.LoadAsync(App, "other", Ct);
        Assert.Equal(1L, other.Snapshot!.Version);
        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "other", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_DuplicateSeq_FenceViolatedAndNothingOfTheSetWritten()
    {
        await CommitOneAsync(Set(App, "u", [1, 2]));

        var outcome = await CommitOneAsync(Set(App, "u", [2, 3], new SnapshotWrite(0, 3, [3])));

        Assert.Equal(CommitOutcome.FenceViolated, outcome);
        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Null(user.Snapshot);
        Assert.Equal([1L, 2], user.Tail.Select(r => r.Seq));
        Assert.Equal(Body(2), user.Tail[1].Body);
    }

    [Fact]
    public async Task CommitAsync_DuplicateSeqAcrossSetsOfOneCall_LaterSetFenceViolated()
    {
        var outcomes = await Store.Users.CommitAsync(
            [Set(App, "u", [1, 2]), Set(App, "u", [2, 3]), Set(App, "v", [2, 3])], Ct);

        Assert.Equal([CommitOutcome.Committed, CommitOutcome.FenceViolated, CommitOutcome.Committed], outcomes);
        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal([2L, 3], (await Store.Log.ReadUserAsync(App, "v", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_SameUserIdInTwoApps_AreSeparateUsers()
    {
        var outcomes = await Store.Users.CommitAsync([Set("a", "u", [1]), Set("b", "u", [1])], Ct);

        Assert.All(outcomes, o => Assert.Equal(CommitOutcome.Committed, o));
        Assert.Single((await Store.Users.LoadAsync("a", "u", Ct)).Tail);
        Assert.Single((await Store.Users.LoadAsync("b", "u", Ct)).Tail);
    }

    [Fact]
    public async Task CommitAsync_LongSetWithLateDuplicate_FenceViolatedAndNothingOfTheSetWritten()
    {
        await CommitOneAsync(Set(App, "u", [19]));

        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", Range(1, 20))));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "v", [1, 2, 3, 2])));

        Assert.Equal([19L], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Empty(await Store.Log.ReadUserAsync(App, "v", Ct));
    }

    [Fact]
    public async Task CommitAsync_LongSet_AllRowsStoredInSeqAndIngestOrder()
    {
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", Range(1, 37), new SnapshotWrite(0, 0, [0]))));

        var rows = (await Store.Users.LoadAsync(App, "u", Ct)).Tail;

        Assert.Equal(Range(1, 37), rows.Select(r => r.Seq));
        AssertStrictlyIncreasing(rows.Select(r => r.IngestSeq));
        Assert.All(rows, r => Assert.Equal(Body(r.Seq), r.Body));
    }
}
