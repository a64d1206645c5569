using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    private const string Queue = "outbox";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ClaimAsync_NotYetDue_IsNotClaimedUntilDue()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "later", T0.AddMinutes(5))], Ct);

        Assert.Empty(await Store.Work.ClaimAsync(Queue, "a", 10, T0, Lease, Ct));
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "a", 10, T0.AddMinutes(5).AddMilliseconds(-1), Lease, Ct));
        var item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 10, T0.AddMinutes(5), Lease, Ct));

        Assert.Equal(("later", "a", 0), (item.Payload, item.Owner, item.Attempts));
        Assert.Equal(T0.AddMinutes(5), item.NotBefore);
        Assert.Equal(T0.AddMinutes(5) + Lease, item.LeaseUntil);
    }

    [Fact]
    public async Task ClaimAsync_SeveralDue_OldestFirstUpToMaxAndOnlyFromThatQueue()
    {
        await Store.Work.EnqueueAsync(
        [
            new NewWorkItem(Queue, "third", T0.AddSeconds(-1)),
            new NewWorkItem(Queue, "first", T0.AddSeconds(-3)),
            new NewWorkItem("other", "elsewhere", T0.AddSeconds(-9)),
            new NewWorkItem(Queue, "second", T0.AddSeconds(-2)),
        ], Ct);

        var claimed = await Store.Work.ClaimAsync(Queue, "a", 2, T0, Lease, Ct);
        Assert.Equal(["first", "second"], claimed.Select(i => i.Payload));
        Assert.All(claimed, i => Assert.Equal(Queue, i.Queue));
        Assert.Equal(["third"], (await Store.Work.ClaimAsync(Queue, "b", 10, T0, Lease, Ct)).Select(i => i.Payload));
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "c", 10, T0, Lease, Ct));
    }

    [Fact]
    public async Task ClaimAsync_TwoConcurrentClaimers_GetDisjointSetsCoveringAllDueItems()
    {
        var due = Enumerable.Range(0, 60).Select(i => new NewWorkItem(Queue, $"due-{i}", T0.AddSeconds(-i))).ToList();
        var notDue = Enumerable.Range(0, 5).Select(i => new NewWorkItem(Queue, $"later-{i}", T0.AddSeconds(i + 1)));
        await Store.Work.EnqueueAsync([.. due, .. notDue], Ct);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<List<WorkItem>> Claimer(string owner) => Task.Run(async () =>
        {
            await start.Task;
            var mine = new List<WorkItem>();
            IReadOnlyList<WorkItem> batch;
            while ((batch = await Store.Work.ClaimAsync(Queue, owner, 4, T0, Lease, Ct)).Count > 0)
            {
                Assert.All(batch, i => Assert.Equal(owner, i.Owner));
                mine.AddRange(batch);
                Assert.True(mine.Count <= due.Count, "claimed more items than are due");
            }

            return mine;
        });

        var a = Claimer("a");
        var b = Claimer("b");
        start.SetResult();
        var claimedA = await a;
        var claimedB = await b;

        Assert.Empty(claimedA.Select(i => i.Id).Intersect(claimedB.Select(i => i.Id)));
        Assert.Equal(
            due.Select(i => i.Payload).Order(StringComparer.Ordinal),
            claimedA.Concat(claimedB).Select(i => i.Payload).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ClaimAsync_LeaseExpired_AnotherOwnerCanClaimAndFirstOwnerLosesIt()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "job", T0)], Ct);
        var first = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));

        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 1, T0 + Lease - TimeSpan.FromMilliseconds(1), Lease, Ct));
        var second = Assert.Single(await Store.Work.ClaimAsync(Queue, "b", 1, T0 + Lease, Lease, Ct));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal("b", second.Owner);
        Assert.Equal(T0 + Lease + Lease, second.LeaseUntil);
        Assert.False(await Store.Work.CompleteAsync(first.Id, "a", Ct));
        Assert.False(await Store.Work.ReleaseAsync(first.Id, "a", T0, Ct));
        Assert.True(await Store.Work.CompleteAsync(second.Id, "b", Ct));
    }

    [Fact]
    public async Task CompleteAndReleaseAsync_NonOwner_ReturnFalseAndLeaveTheClaim()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "job", T0)], Ct);
        var item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));

        Assert.False(await Store.Work.CompleteAsync(item.Id, "intruder", Ct));
        Assert.False(await Store.Work.ReleaseAsync(item.Id, "intruder", T0, Ct));
        Assert.False(await Store.Work.CompleteAsync(item.Id + 1000, "a", Ct));

        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddSeconds(1), Lease, Ct));
        Assert.True(await Store.Work.CompleteAsync(item.Id, "a", Ct));
    }

    [Fact]
    public async Task CompleteAsync_Owner_RemovesTheItemForGood()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "job", T0)], Ct);
        var item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));

        Assert.True(await Store.Work.CompleteAsync(item.Id, "a", Ct));

        Assert.False(await Store.Work.CompleteAsync(item.Id, "a", Ct));
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 10, T0.AddDays(1), Lease, Ct));
    }

    [Fact]
    public async Task ReleaseAsync_Owner_CountsAnAttemptAndDelaysTheItem()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "job", T0)], Ct);
        var item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));

        Assert.True(await Store.Work.ReleaseAsync(item.Id, "a", T0.AddMinutes(1), Ct));

        Assert.False(await Store.Work.CompleteAsync(item.Id, "a", Ct));
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddSeconds(59), Lease, Ct));
        var again = Assert.Single(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddMinutes(1), Lease, Ct));
        Assert.Equal((item.Id, 1, T0.AddMinutes(1)), (again.Id, again.Attempts, again.NotBefore));
    }

    [Fact]
    public async Task PostponeAsync_Owner_DelaysTheItemWithoutCountingAnAttempt()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "job", T0)], Ct);
        var item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));
        Assert.True(await Store.Work.ReleaseAsync(item.Id, "a", T0, Ct));
        item = Assert.Single(await Store.Work.ClaimAsync(Queue, "a", 1, T0, Lease, Ct));

        Assert.False(await Store.Work.PostponeAsync(item.Id, "intruder", T0.AddMinutes(1), Ct));
        Assert.True(await Store.Work.PostponeAsync(item.Id, "a", T0.AddMinutes(1), Ct));

        Assert.False(await Store.Work.CompleteAsync(item.Id, "a", Ct));
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddSeconds(59), Lease, Ct));
        var again = Assert.Single(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddMinutes(1), Lease, Ct));
        Assert.Equal((item.Id, 1, T0.AddMinutes(1)), (again.Id, again.Attempts, again.NotBefore));
    }

    [Fact]
    public async Task FailAsync_Owner_MovesTheItemToTheFailures_WithItsReasonAndAttempts()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "send-1", T0, Key: "app-a"), new NewWorkItem(Queue, "send-2", T0, Key: "app-b")], Ct);
        var first = (await Store.Work.ClaimAsync(Queue, "a", 2, T0, Lease, Ct)).Single(i => i.Payload == "send-1");
        Assert.Equal("app-a", first.Key);
        Assert.True(await Store.Work.ReleaseAsync(first.Id, "a", T0.AddSeconds(1), Ct));
        var again = Assert.Single(await Store.Work.ClaimAsync(Queue, "b", 1, T0.AddSeconds(1), Lease, Ct));

        Assert.False(await Store.Work.FailAsync(again.Id, "a", "not the owner", T0, Ct));
        Assert.True(await Store.Work.FailAsync(again.Id, "b", "400 INVALID_ARGUMENT", T0.AddSeconds(2), Ct));

        Assert.Empty(await Store.Work.ClaimAsync(Queue, "c", 10, T0.AddDays(1), Lease, Ct).ContinueWith(t => t.Result.Where(i => i.Payload == "send-1").ToList()));
        var failed = Assert.Single(await Store.Work.ListFailedAsync(Queue, "app-a", 10, Ct));
        Assert.Equal(("send-1", "app-a", 2, "400 INVALID_ARGUMENT", T0.AddSeconds(2)), (failed.Payload, failed.Key, failed.Attempts, failed.Reason, failed.FailedAt));
        Assert.Empty(await Store.Work.ListFailedAsync(Queue, "app-b", 10, Ct));
        Assert.Empty(await Store.Work.ListFailedAsync("other", "app-a", 10, Ct));
    }

    [Fact]
    public async Task RemoveAsync_RemovesEveryItemOfThatQueueAndKey_HeldOrNot_AndNothingElse()
    {
        await Store.Work.EnqueueAsync(
        [
            new NewWorkItem(Queue, "held", T0, Key: "message-1"),
            new NewWorkItem(Queue, "due", T0, Key: "message-1"),
            new NewWorkItem(Queue, "later", T0.AddDays(1), Key: "message-1"),
            new NewWorkItem(Queue, "another key", T0, Key: "message-2"),
            new NewWorkItem(Queue, "no key", T0),
            new NewWorkItem("other", "another queue", T0, Key: "message-1"),
        ], Ct);
        var held = (await Store.Work.ClaimAsync(Queue, "a", 10, T0, Lease, Ct)).Single(i => i.Payload == "held");

        Assert.Equal(3, await Store.Work.RemoveAsync(Queue, "message-1", Ct));

        // The holder finds its item gone, and nothing is kept as failed.
        Assert.False(await Store.Work.CompleteAsync(held.Id, "a", Ct));
        Assert.False(await Store.Work.PostponeAsync(held.Id, "a", T0, Ct));
        Assert.False(await Store.Work.FailAsync(held.Id, "a", "gone", T0, Ct));
        Assert.Empty(await Store.Work.ListFailedAsync(Queue, "message-1", 10, Ct));
        Assert.Equal(["another key", "no key"], (await Store.Work.ClaimAsync(Queue, "b", 10, T0.AddDays(2), Lease, Ct)).Select(i => i.Payload).Order());
        Assert.Equal(["another queue"], (await Store.Work.ClaimAsync("other", "b", 10, T0.AddDays(2), Lease, Ct)).Select(i => i.Payload));
        Assert.Equal(0, await Store.Work.RemoveAsync(Queue, "message-1", Ct));
    }

    [Fact]
    public async Task RemoveAsync_ManyItemsAmongOthers_RemovesThemAll()
    {
        // Thousands, interleaved with others: a store that removes in steps still removes every one.
        var items = Enumerable.Range(0, 3_000).Select(i => new NewWorkItem(Queue, $"item-{i}", T0.AddSeconds(i % 7), Key: i % 3 == 0 ? "kept" : "gone")).ToList();
        await Store.Work.EnqueueAsync(items, Ct);

        Assert.Equal(2_000, await Store.Work.RemoveAsync(Queue, "gone", Ct));

        var left = await Store.Work.ClaimAsync(Queue, "a", 5_000, T0.AddDays(1), Lease, Ct);
        Assert.Equal(1_000, left.Count);
        Assert.All(left, i => Assert.Equal("kept", i.Key));
    }

    [Fact]
    public async Task CommitAsync_WithOutbox_WritesTheItemsWithTheRecords_AndNeitherWhenFenced()
    {
        var outbox = new[] { new NewWorkItem(Queue, "push-1", T0, Key: App), new NewWorkItem(Queue, "push-2", T0, Key: App) };
        var committed = await Store.Users.CommitAsync([new UserWriteSet(App, "sender", [Row(1)], null, Outbox: outbox)], Ct);
        Assert.Equal([CommitOutcome.Committed], committed);
        var claimed = await Store.Work.ClaimAsync(Queue, "a", 10, T0, Lease, Ct);
        Assert.Equal(["push-1", "push-2"], claimed.Select(i => i.Payload).Order());
        Assert.All(claimed, i => Assert.Equal(App, i.Key));

        // The same sequence number again: the fence refuses the set, and its outbox with it.
        var fenced = await Store.Users.CommitAsync([new UserWriteSet(App, "sender", [Row(1)], null, Outbox: [new NewWorkItem(Queue, "push-3", T0)])], Ct);
        Assert.Equal([CommitOutcome.FenceViolated], fenced);
        Assert.Empty(await Store.Work.ClaimAsync(Queue, "b", 10, T0.AddDays(1), Lease, Ct).ContinueWith(t => t.Result.Where(i => i.Payload == "push-3").ToList()));
    }
}

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task CommitAsync_CompletedWork_EndsTheItemsWithTheSet_NotWhenTheFenceRefusesIt()
    {
        await Store.Work.EnqueueAsync([new NewWorkItem(Queue, "one", T0), new NewWorkItem(Queue, "two", T0)], Ct);
        var claimed = await Store.Work.ClaimAsync(Queue, "dispatcher", 10, T0, Lease, Ct);
        var one = claimed.Single(i => i.Payload == "one").Id;
        var two = claimed.Single(i => i.Payload == "two").Id;

        Assert.Equal(CommitOutcome.Committed, await CommitOneAsync(Set(App, "u", Range(1, 1)) with { CompletedWork = [one, 999_999] }));
        // Refused by the fence (sequence 1 again): item two stays.
        Assert.Equal(CommitOutcome.FenceViolated, await CommitOneAsync(Set(App, "u", Range(1, 1)) with { CompletedWork = [two] }));

        var later = T0 + Lease;
        Assert.Equal(["two"], (await Store.Work.ClaimAsync(Queue, "next", 10, later, Lease, Ct)).Select(i => i.Payload));
    }
}
