using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>Full erasure: <see cref="UserWriteSet.EraseThroughSeq"/>.</summary>
public abstract partial class StorageConformanceTests
{
    protected static UserWriteSet Erasing(string user, IEnumerable<long> seqs, long through, SnapshotWrite? snapshot = null) =>
        Set(App, user, seqs, snapshot) with { EraseThroughSeq = through };

    [Fact]
    public async Task CommitAsync_EraseThrough_DeletesTheUsersRowsAndSnapshotButNotAnotherUsers()
    {
        await Store.Users.CommitAsync([Set(App, "u", Range(1, 3), new SnapshotWrite(0, 3, [3])), Set(App, "v", Range(1, 3), new SnapshotWrite(0, 3, [7]))], Ct);
        await Store.Users.CommitAsync([Set(App, "u", Range(4, 5)), Set(App, "v", Range(4, 5))], Ct);

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [6], through: 6)));

        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Null(user.Snapshot);
        Assert.Empty(user.Tail);
        Assert.Empty(await Store.Log.ReadUserAsync(App, "u", Ct));
        var other = await Store.Users.LoadAsync(App, "v", Ct);
        Assert.Equal((1L, 3L), (other.Snapshot!.Version, other.Snapshot.Seq));
        Assert.Equal([7], other.Snapshot.State);
        Assert.Equal([4L, 5], other.Tail.Select(r => r.Seq));
        Assert.Equal(Range(1, 5), (await Store.Log.ReadUserAsync(App, "v", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task ReadAfterAsync_AfterErasure_ReturnsOnlyRowsAboveThePointWithTheirIngestSeq()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3)));
        await CommitOneAsync(Set(App, "v", Range(1, 2)));
        await CommitOneAsync(Set(App, "u", Range(4, 5)));

        // The erasing set's own rows at or below the point go too; the one above stays.
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [6, 7], through: 6)));
        await CommitOneAsync(Set(App, "u", [8]));

        var rows = await Store.Log.ReadAfterAsync(0, 1000, Ct);
        Assert.Equal([("v", 1L), ("v", 2), ("u", 7), ("u", 8)], rows.Select(r => (r.UserId, r.Seq)));
        AssertStrictlyIncreasing(rows.Select(r => r.IngestSeq));
        Assert.Equal(Body(7), rows[2].Body);
        Assert.Equal([7L, 8], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal([7L, 8], (await Store.Users.LoadAsync(App, "u", Ct)).Tail.Select(r => r.Seq));
        Assert.Equal(rows.Where(r => r.UserId == "u").Select(r => r.IngestSeq), (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.IngestSeq));
    }

    [Fact]
    public async Task CommitAsync_AfterErasure_FenceStillRefusesErasedSequenceNumbers()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 5)));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [6], through: 6, new SnapshotWrite(0, 6, [6]))));

        var outcomes = await Store.Users.CommitAsync([Set(App, "u", [3]), Set(App, "u", [6]), Set(App, "u", [5, 7]), Set(App, "u", [1])], Ct);

        Assert.All(outcomes, o => Assert.Equal(CommitOutcome.FenceViolated, o));
        Assert.Empty(await Store.Log.ReadUserAsync(App, "u", Ct));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [7])));
        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((1L, 6L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([7L], user.Tail.Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_EraseOnlySet_RaisesTheFenceToThePointEvenAboveTheLastRow()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 2)));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [], through: 10)));

        Assert.Empty(await Store.Log.ReadUserAsync(App, "u", Ct));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [3])));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [10])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [11])));
        Assert.Equal([11L], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_FenceViolatedErasingSet_ErasesNothingWhileOtherSetsCommit()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3), new SnapshotWrite(0, 3, [3])));
        await CommitOneAsync(Set(App, "u", Range(4, 5)));

        var outcomes = await Store.Users.CommitAsync(
        [
            Erasing("u", [5, 6], through: 6, new SnapshotWrite(1, 6, [6])),   // seq 5 is taken
            Erasing("u", [6], through: 6, new SnapshotWrite(0, 6, [6])),      // stale snapshot version
            Erasing("u", [6], through: 6, new SnapshotWrite(2, 6, [6])),      // snapshot version from the future
            Set(App, "v", [1, 2]),
        ], Ct);

        Assert.Equal([CommitOutcome.FenceViolated, CommitOutcome.FenceViolated, CommitOutcome.FenceViolated, CommitOutcome.Committed], outcomes);
        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((1L, 3L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([3], user.Snapshot.State);
        Assert.Equal([4L, 5], user.Tail.Select(r => r.Seq));
        Assert.Equal(Range(1, 5), (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal(Range(1, 5), (await Store.Log.ReadAfterAsync(0, 1000, Ct)).Where(r => r.UserId == "u").Select(r => r.Seq));
        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "v", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_ErasingSetWithSnapshot_ReplacesTheSnapshotFencedOnItsVersion()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3), new SnapshotWrite(0, 3, [3])));
        await CommitOneAsync(Set(App, "u", Range(4, 5)));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [6, 7], through: 6, new SnapshotWrite(1, 7, [42]))));

        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((2L, 7L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([42], user.Snapshot.State);
        Assert.Empty(user.Tail);
        Assert.Equal([7L], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [8], new SnapshotWrite(2, 8, [43]))));
        var next = (await Store.Users.LoadAsync(App, "u", Ct)).Snapshot!;
        Assert.Equal((3L, 8L), (next.Version, next.Seq));
    }

    [Fact]
    public async Task CommitAsync_SnapshotBelowAnErasurePoint_FenceViolated()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3), new SnapshotWrite(0, 3, [3])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [4, 5], through: 5)));
        Assert.Null((await Store.Users.LoadAsync(App, "u", Ct)).Snapshot);

        // A stale activation's snapshot (it folds erased records) is refused, even with a version that now fits.
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(new UserWriteSet(App, "u", [], new SnapshotWrite(0, 3, [9]))));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Erasing("u", [6], through: 6, new SnapshotWrite(0, 5, [9]))));
        Assert.Null((await Store.Users.LoadAsync(App, "u", Ct)).Snapshot);
        Assert.Empty(await Store.Log.ReadUserAsync(App, "u", Ct));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(new UserWriteSet(App, "u", [], new SnapshotWrite(0, 5, [5]))));
        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((1L, 5L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Empty(user.Tail);
    }

    [Fact]
    public async Task CommitAsync_EraseThroughInsideACommittedSet_KeepsTheRecordsAboveWithTheirIngestSeq()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 5)));
        await CommitOneAsync(Set(App, "v", [1]));
        var before = await Store.Log.ReadAfterAsync(0, 1000, Ct);
        var readerPosition = before.Single(r => r.UserId == "u" && r.Seq == 2).IngestSeq;

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [], through: 3)));

        var after = await Store.Log.ReadAfterAsync(0, 1000, Ct);
        Assert.Equal(before.Where(r => r.UserId != "u" || r.Seq > 3).Select(r => (r.IngestSeq, r.UserId, r.Seq)), after.Select(r => (r.IngestSeq, r.UserId, r.Seq)));
        Assert.All(after, r => Assert.Equal(Body(r.Seq), r.Body));
        // A reader that had got as far as seq 2 goes on with seq 4, skipping nothing that is left.
        Assert.Equal([("u", 4L), ("u", 5), ("v", 1)], (await Store.Log.ReadAfterAsync(readerPosition, 1000, Ct)).Select(r => (r.UserId, r.Seq)));
        Assert.Equal([4L, 5], (await Store.Users.LoadAsync(App, "u", Ct)).Tail.Select(r => r.Seq));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [5])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", [6])));
    }

    [Fact]
    public async Task CommitAsync_EraseThroughInsideTheSetsOwnRows_KeepsOnlyItsRowsAbove()
    {
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [5, 1, 3, 2, 4], through: 3, new SnapshotWrite(0, 3, [3]))));

        var user = await Store.Users.LoadAsync(App, "u", Ct);
        Assert.Equal((1L, 3L), (user.Snapshot!.Version, user.Snapshot.Seq));
        Assert.Equal([4L, 5], user.Tail.Select(r => r.Seq));
        Assert.All(user.Tail, r => Assert.Equal(Body(r.Seq), r.Body));
        Assert.Equal([4L, 5], (await Store.Log.ReadAfterAsync(0, 1000, Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_LongErasingSet_ErasesThroughThePointAcrossItsRows()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 10)));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", Range(11, 70_010), through: 70_000)));

        Assert.Equal(Range(70_001, 70_010), (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal(Range(70_001, 70_010), (await Store.Log.ReadAfterAsync(0, 100_000, Ct)).Select(r => r.Seq));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [70_000])));
    }

    [Fact]
    public async Task CommitAsync_EraseTwice_SecondErasureGoesFurtherAndKeepsTheFence()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 3)));
        await CommitOneAsync(Erasing("u", [4], through: 4));
        await CommitOneAsync(Set(App, "u", Range(5, 7)));

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("u", [8, 9], through: 8, new SnapshotWrite(0, 9, [9]))));

        Assert.Equal([9L], (await Store.Log.ReadUserAsync(App, "u", Ct)).Select(r => r.Seq));
        Assert.Equal([9L], (await Store.Log.ReadAfterAsync(0, 1000, Ct)).Select(r => r.Seq));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [8])));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(new UserWriteSet(App, "u", [], new SnapshotWrite(1, 7, [7]))));
        var snapshot = (await Store.Users.LoadAsync(App, "u", Ct)).Snapshot!;
        Assert.Equal((1L, 9L), (snapshot.Version, snapshot.Seq));
    }

    [Fact]
    public async Task CommitAsync_ErasingAUserWithoutRows_LeavesNothingToRead()
    {
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Erasing("nobody", [], through: 5)));

        var user = await Store.Users.LoadAsync(App, "nobody", Ct);
        Assert.Null(user.Snapshot);
        Assert.Empty(user.Tail);
        Assert.Empty(await Store.Log.ReadAfterAsync(0, 1000, Ct));
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "nobody", [5])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "nobody", [6])));
    }
}
