using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>
/// <see cref="UserWriteSet.Along"/>: a login commits the target's merge and the source's move in one transaction, so a
/// user id move happens once or not at all.
/// </summary>
public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task CommitAsync_SetWithAlong_CommitsBothUsers()
    {
        var source = Set(App, "anon", [1, 2]) with { LinkedDevices = ["d1"] };
        var target = Set(App, "alice", [1], new SnapshotWrite(0, 1, [7])) with { LinkedDevices = ["d1"], Along = source };

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(target));

        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "anon", Ct)).Select(r => r.Seq));
        var alice = await Store.Users.LoadAsync(App, "alice", Ct);
        Assert.Equal([7], alice.Snapshot!.State);
        Assert.Equal("alice", await Store.Users.FindUserByDeviceAsync(App, "d1", Ct));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CommitAsync_SetWithAlong_EitherFenced_WritesNeither(bool sourceStale)
    {
        await CommitOneAsync(Set(App, "anon", [1, 2]));
        await CommitOneAsync(Set(App, "alice", [1, 2, 3], new SnapshotWrite(0, 3, [1])));
        var source = Set(App, "anon", sourceStale ? [2, 3] : [3]) with { LinkedDevices = ["d1"] };
        var target = Set(App, "alice", sourceStale ? [4] : [3, 4], new SnapshotWrite(1, 4, [2])) with { Along = source };

        var outcomes = await Store.Users.CommitAsync([target, Set(App, "bystander", [1])], Ct);

        Assert.Equal([CommitOutcome.FenceViolated, CommitOutcome.Committed], outcomes);
        Assert.Equal([1L, 2], (await Store.Log.ReadUserAsync(App, "anon", Ct)).Select(r => r.Seq));
        Assert.Equal([1L, 2, 3], (await Store.Log.ReadUserAsync(App, "alice", Ct)).Select(r => r.Seq));
        Assert.Equal([1], (await Store.Users.LoadAsync(App, "alice", Ct)).Snapshot!.State);
        Assert.Null(await Store.Users.FindUserByDeviceAsync(App, "d1", Ct));
        Assert.Equal([1L], (await Store.Log.ReadUserAsync(App, "bystander", Ct)).Select(r => r.Seq));
    }

    [Fact]
    public async Task CommitAsync_SetWithAlong_NewUsersRolledBack_CanCommitLater()
    {
        await CommitOneAsync(Set(App, "alice", [1]));
        var source = Set(App, "fresh-anon", [1]);
        var stale = Set(App, "alice", [1]) with { Along = source };

        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(stale));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "alice", [2]) with { Along = source }));

        Assert.Equal([1L], (await Store.Log.ReadUserAsync(App, "fresh-anon", Ct)).Select(r => r.Seq));
    }
}
