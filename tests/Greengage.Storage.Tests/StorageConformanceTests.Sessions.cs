using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>Session deadlines for the idle-session sweep, written with a user's commit.</summary>
public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task DueSessionsAsync_DeadlinesSetAndCleared_ListsOnlyDueUsersEarliestFirst()
    {
        await Store.Users.CommitAsync(
        [
            Set(App, "late", [1]) with { SessionDeadlineMs = 3_000 },
            Set(App, "early", [1]) with { SessionDeadlineMs = 1_000 },
            Set(App, "future", [1]) with { SessionDeadlineMs = 9_000 },
            Set(App, "none", [1]),
        ], Ct);

        var due = await Store.Users.DueSessionsAsync(5_000, 10, Ct);

        Assert.Equal(["early", "late"], due.Select(d => d.UserId));
        Assert.Equal([1_000L, 3_000], due.Select(d => d.DeadlineMs));
        Assert.All(due, d => Assert.Equal(App, d.AppId));
    }

    [Fact]
    public async Task DueSessionsAsync_DeadlineMovedOrCleared_FollowsTheLastCommit()
    {
        await CommitOneAsync(Set(App, "moved", [1]) with { SessionDeadlineMs = 1_000 });
        await CommitOneAsync(Set(App, "cleared", [1]) with { SessionDeadlineMs = 1_000 });
        await CommitOneAsync(Set(App, "moved", [2]) with { SessionDeadlineMs = 8_000 });
        await CommitOneAsync(Set(App, "cleared", [2]) with { SessionDeadlineMs = 0 });
        await CommitOneAsync(Set(App, "untouched", [1]) with { SessionDeadlineMs = 2_000 });
        await CommitOneAsync(Set(App, "untouched", [2]));

        Assert.Equal(["untouched"], (await Store.Users.DueSessionsAsync(5_000, 10, Ct)).Select(d => d.UserId));
        Assert.Equal(["untouched", "moved"], (await Store.Users.DueSessionsAsync(9_000, 10, Ct)).Select(d => d.UserId));
        Assert.Single(await Store.Users.DueSessionsAsync(9_000, 1, Ct));
    }

    [Fact]
    public async Task DueSessionsAsync_FencedSet_LeavesTheDeadlineAsItWas()
    {
        await CommitOneAsync(Set(App, "u", [1, 2]) with { SessionDeadlineMs = 1_000 });
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", [2]) with { SessionDeadlineMs = 0 }));
        Assert.Single(await Store.Users.DueSessionsAsync(5_000, 10, Ct));
    }
}
