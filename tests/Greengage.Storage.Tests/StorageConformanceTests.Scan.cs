using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task ScanUsersAsync_PagesThroughOneAppsUsers_WithSnapshotAndTail()
    {
        foreach (var user in new[] { "c", "a", "e", "b", "d" })
            Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, user, [1, 2])));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "b", [3], new SnapshotWrite(0, 2, [7]))));
        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set("other-app", "aa", [1])));

        var seen = new List<ScannedUser>();
        string? after = null;
        while (true)
        {
            var page = await Store.Users.ScanUsersAsync(App, after, 2, Ct);
            Assert.True(page.Count <= 2);
            if (page.Count == 0)
                break;
            seen.AddRange(page);
            after = page[^1].UserId;
        }

        Assert.Equal(["a", "b", "c", "d", "e"], seen.Select(u => u.UserId));
        var b = seen[1].Stored;
        Assert.Equal((1L, 2L), (b.Snapshot!.Version, b.Snapshot.Seq));
        Assert.Equal([7], b.Snapshot.State);
        Assert.Equal([3L], b.Tail.Select(r => r.Seq));
        Assert.Null(seen[0].Stored.Snapshot);
        Assert.Equal([1L, 2], seen[0].Stored.Tail.Select(r => r.Seq));
        Assert.Empty(await Store.Users.ScanUsersAsync("no-such-app", null, 10, Ct));
    }

    [Fact]
    public async Task ScanUsersAsync_NonPositiveLimit_Throws()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.Users.ScanUsersAsync(App, null, 0, Ct));
    }
}
