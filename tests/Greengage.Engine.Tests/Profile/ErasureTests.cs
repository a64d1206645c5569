using System.Text;
using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Requests;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Profile;

/// <summary>
/// <c>deleteUser</c> with <c>fullErasure</c>: the write set erases the stored activity through the delete record
/// (<see cref="UserWriteSet.EraseThroughSeq"/>) and carries a fresh snapshot, so a reload gives the same state.
/// </summary>
public sealed class ErasureTests
{
    private static UserProcessor NewProcessor() =>
        new("app_test", "u1", UserActionTable.Default, new SnapshotPolicy(), new ProtocolLimits());

    /// <summary>Applies and commits one batch; returns its write set.</summary>
    private static UserWriteSet Commit(UserProcessor p, TimeSpan at, params UserBatchItem[] items)
    {
        var (results, writes) = p.Apply(Batch("u1", T0 + at, items));
        Assert.All(results, r => Assert.True(r.Success, r.Warning));
        p.Committed(writes!);
        return writes!;
    }

    /// <summary>What a store keeps after committing an erasing set: its snapshot and its rows above both points.</summary>
    private static StoredUser StoredAfter(UserWriteSet erasing)
    {
        var snapshot = erasing.Snapshot!;
        return new StoredUser(
            new UserSnapshot(snapshot.ExpectedVersion + 1, snapshot.Seq, snapshot.State),
            erasing.Rows.Where(r => r.Seq > erasing.EraseThroughSeq && r.Seq > snapshot.Seq)
                .Select(r => new LogRow(0, "app_test", "u1", r.Seq, r.Kind, r.TimeMs, r.Body)).ToList());
    }

    private static string Serialized(UserProcessor p) => Encoding.UTF8.GetString(p.State.Serialize());

    private static UserProcessor Reloaded(StoredUser stored)
    {
        var fresh = NewProcessor();
        fresh.Load(stored, 0);
        return fresh;
    }

    [Fact]
    public void DeleteUser_FullErasure_ErasesThroughTheDeleteRecordWithAFreshSnapshotThatReloadsTheSameState()
    {
        var p = NewProcessor();
        Commit(p, TimeSpan.Zero, Item(0, "start", new { deviceId = "d1", userAttributes = "{\"plan\":\"gold\"}", uuid = "b1", reqId = "r1" }),
            Item(1, "track", new { deviceId = "d1", @event = "E", uuid = "b1", reqId = "r2" }));
        Commit(p, TimeSpan.FromMinutes(1), Item(0, "block", new { deviceId = "d1" }));

        var writes = Commit(p, TimeSpan.FromMinutes(2), Item(0, "deleteUser", new { deviceId = "d1", fullErasure = true, uuid = "b2", reqId = "r1" }));

        var delete = Assert.Single(writes.Rows);
        Assert.Equal(UserDeleted.Kind, delete.Kind);
        Assert.Equal(delete.Seq, writes.EraseThroughSeq);
        Assert.Equal(p.Seq, delete.Seq);
        var snapshot = Assert.IsType<SnapshotWrite>(writes.Snapshot);
        Assert.Equal(p.Seq, snapshot.Seq);
        Assert.False(p.State.Exists);

        var reloaded = Reloaded(StoredAfter(writes));
        Assert.Equal(Serialized(p), Serialized(reloaded));
        Assert.Equal(p.Seq, reloaded.Seq);
        Assert.False(reloaded.State.Exists);
        Assert.True(reloaded.State.Block.Blocked);
        // The delete itself is not applied again when its batch is retried, after the reload too.
        var (results, retry) = reloaded.Apply(Batch("u1", T0.AddMinutes(3), Item(0, "deleteUser", new { deviceId = "d1", fullErasure = true, uuid = "b2", reqId = "r1" })));
        Assert.True(results[0].Success);
        Assert.Null(retry);
    }

    [Fact]
    public void DeleteUser_FullErasureFollowedByItemsInTheSameBatch_ErasesOnlyThroughTheDelete()
    {
        var p = NewProcessor();
        Commit(p, TimeSpan.Zero, Item(0, "track", new { @event = "Old" }));

        var writes = Commit(p, TimeSpan.FromMinutes(1),
            Item(0, "track", new { @event = "Old" }),
            Item(1, "deleteUser", new { fullErasure = "true" }),
            Item(2, "track", new { @event = "New" }));

        Assert.Equal([EventTracked.Kind, UserDeleted.Kind, EventTracked.Kind], writes.Rows.Select(r => r.Kind));
        Assert.Equal(writes.Rows[1].Seq, writes.EraseThroughSeq);
        Assert.Equal(writes.Rows[2].Seq, writes.Snapshot!.Seq);
        var reloaded = Reloaded(StoredAfter(writes));
        Assert.Equal(Serialized(p), Serialized(reloaded));
        Assert.Equal(1, reloaded.State.Aggregates.Events["New"].Count);
        Assert.False(reloaded.State.Aggregates.Events.ContainsKey("Old"));
    }

    [Fact]
    public void DeleteUser_TwoFullErasuresInOneBatch_ErasesThroughTheLast()
    {
        var p = NewProcessor();
        var writes = Commit(p, TimeSpan.Zero,
            Item(0, "track", new { @event = "A" }),
            Item(1, "deleteUser", new { fullErasure = true }),
            Item(2, "track", new { @event = "B" }),
            Item(3, "deleteUser", new { fullErasure = true }));

        Assert.Equal(4L, writes.EraseThroughSeq);
        Assert.Equal(4L, writes.Snapshot!.Seq);
    }

    [Fact]
    public void DeleteUser_WithoutFullErasure_ErasesNothing()
    {
        var p = NewProcessor();
        Commit(p, TimeSpan.Zero, Item(0, "track", new { @event = "E" }));

        var writes = Commit(p, TimeSpan.FromMinutes(1), Item(0, "deleteUser", new { fullErasure = false }));

        Assert.Null(writes.EraseThroughSeq);
        Assert.Null(writes.Snapshot);
        var next = Commit(p, TimeSpan.FromMinutes(2), Item(0, "track", new { @event = "E" }));
        Assert.Null(next.EraseThroughSeq);
    }

    [Fact]
    public void Apply_AfterAnErasure_NextSnapshotExpectsTheVersionTheErasureWrote()
    {
        var p = new UserProcessor("app_test", "u1", UserActionTable.Default, new SnapshotPolicy { EveryRecords = 1 }, new ProtocolLimits());
        Commit(p, TimeSpan.Zero, Item(0, "track", new { @event = "E" }));                 // snapshot version 1
        Commit(p, TimeSpan.FromMinutes(1), Item(0, "deleteUser", new { fullErasure = true })); // version 2

        var next = Commit(p, TimeSpan.FromMinutes(2), Item(0, "track", new { @event = "E" }));

        Assert.Equal(2L, next.Snapshot!.ExpectedVersion);
        Assert.Null(next.EraseThroughSeq);
    }

    [Fact]
    public void Committed_ErasureWithoutSnapshot_NextSnapshotExpectsNone()
    {
        var p = new UserProcessor("app_test", "u1", UserActionTable.Default, new SnapshotPolicy { EveryRecords = 1 }, new ProtocolLimits());
        Commit(p, TimeSpan.Zero, Item(0, "track", new { @event = "E" }));
        p.Committed(new UserWriteSet("app_test", "u1", [], null, EraseThroughSeq: p.Seq)); // the store deleted the snapshot

        var next = Commit(p, TimeSpan.FromMinutes(1), Item(0, "track", new { @event = "E" }));

        Assert.Equal(0L, next.Snapshot!.ExpectedVersion);
    }
}
