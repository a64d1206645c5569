using Greengage.Engine.Commit;
using Greengage.Engine.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Greengage.Engine.Tests;

public sealed class GroupCommitWriterTests
{
    /// <summary>A store whose commits wait on a gate, so tests decide when a transaction finishes.</summary>
    private sealed class GatedStore : IUserStore
    {
        public SemaphoreSlim Gate { get; } = new(0);
        public SemaphoreSlim Entered { get; } = new(0);
        public List<int> BatchSizes { get; } = [];
        public bool Fail { get; set; }

        public Task<StoredUser> LoadAsync(string appId, string userId, CancellationToken cancellationToken) =>
            Task.FromResult(new StoredUser(null, []));

        public Task<string?> FindUserByDeviceAsync(string appId, string deviceId, CancellationToken cancellationToken) =>
            Task.FromResult<string?>(null);

        public Task<IReadOnlyList<DueSession>> DueSessionsAsync(long nowMs, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<DueSession>>([]);

        public Task<IReadOnlyList<ScannedUser>> ScanUsersAsync(string appId, string? afterUserId, int limit, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ScannedUser>>([]);

        public Task<IReadOnlyList<CommitOutcome>> CommitAsync(IReadOnlyList<UserWriteSet> sets, CancellationToken cancellationToken)
        {
            Entered.Release();
            Gate.Wait(cancellationToken);
            lock (BatchSizes)
                BatchSizes.Add(sets.Count);
            if (Fail)
                throw new IOException("disk on fire");
            return Task.FromResult<IReadOnlyList<CommitOutcome>>(sets.Select(s => s.UserId == "fenced" ? CommitOutcome.FenceViolated : CommitOutcome.Committed).ToList());
        }
    }

    private static UserWriteSet Set(string user) => new("app", user, [new NewLogRow(1, "event", 0, [])], null);

    /// <summary>The schedule runner paces itself by the sends waiting for the dispatcher; a deferred send (quiet hours,
    /// a delay) cannot be taken up yet, so it must not count, or a run would wait for it.</summary>
    [Fact]
    public async Task Counters_CountTheOutboxItemsDueNow_NotTheDeferredOnes()
    {
        var store = new GatedStore();
        store.Gate.Release(1);
        await using var writer = new GroupCommitWriter(store, new CommitOptions(), NullLogger<GroupCommitWriter>.Instance);
        var now = DateTimeOffset.UtcNow;
        var set = Set("a") with
        {
            Outbox = [new NewWorkItem("delivery", "{}", now), new NewWorkItem("delivery", "{}", now.AddMinutes(-1)), new NewWorkItem("delivery", "{}", now.AddHours(8))],
        };
        Assert.Equal(CommitOutcome.Committed, await writer.CommitAsync(set));
        Assert.Equal(2, writer.Counters.OutboxItems);
    }

    [Fact]
    public async Task CommitAsync_WritesQueuedDuringATransaction_CommitTogether()
    {
        var store = new GatedStore();
        await using var writer = new GroupCommitWriter(store, new CommitOptions(), NullLogger<GroupCommitWriter>.Instance);
        var first = writer.CommitAsync(Set("a"));
        await store.Entered.WaitAsync();
        // The writer is now blocked inside the first transaction; these queue up behind it.
        var rest = Enumerable.Range(0, 50).Select(i => writer.CommitAsync(Set("u" + i))).ToList();
        store.Gate.Release(2);
        Assert.Equal(CommitOutcome.Committed, await first);
        Assert.All(await Task.WhenAll(rest), o => Assert.Equal(CommitOutcome.Committed, o));
        Assert.Equal([1, 50], store.BatchSizes);
        Assert.Equal(2, writer.Counters.Transactions);
        Assert.Equal(51, writer.Counters.WriteSets);
    }

    [Fact]
    public async Task CommitAsync_QueueFull_RefusesAtOnce()
    {
        var store = new GatedStore();
        await using var writer = new GroupCommitWriter(store, new CommitOptions { QueueCapacity = 2, MaxBatch = 1 }, NullLogger<GroupCommitWriter>.Instance);
        var inFlight = writer.CommitAsync(Set("a"));
        await store.Entered.WaitAsync();
        var queued = new List<Task<CommitOutcome>>();
        var refused = 0;
        for (var i = 0; i < 10; i++)
        {
            try
            {
                queued.Add(writer.CommitAsync(Set("q" + i)));
            }
            catch (StorageUnavailableException)
            {
                refused++;
            }
        }
        Assert.Equal(8, refused);
        store.Gate.Release(100);
        await Task.WhenAll(queued.Append(inFlight));
    }

    [Fact]
    public async Task CommitAsync_StoreThrows_EveryWaiterGetsStorageUnavailable()
    {
        var store = new GatedStore { Fail = true };
        await using var writer = new GroupCommitWriter(store, new CommitOptions(), NullLogger<GroupCommitWriter>.Instance);
        var tasks = Enumerable.Range(0, 5).Select(i => writer.CommitAsync(Set("u" + i))).ToList();
        store.Gate.Release(10);
        foreach (var t in tasks)
            await Assert.ThrowsAsync<StorageUnavailableException>(() => t);
    }

    [Fact]
    public async Task CommitAsync_FencedSet_ReportsViolationWithoutFailingOthers()
    {
        var store = new GatedStore();
        await using var writer = new GroupCommitWriter(store, new CommitOptions(), NullLogger<GroupCommitWriter>.Instance);
        store.Gate.Release(10);
        Assert.Equal(CommitOutcome.FenceViolated, await writer.CommitAsync(Set("fenced")));
        Assert.Equal(CommitOutcome.Committed, await writer.CommitAsync(Set("ok")));
        Assert.Equal(1, writer.Counters.FenceViolations);
    }

    [Fact]
    public async Task StopAsync_CommitsWhatIsQueuedThenRefuses()
    {
        var store = new GatedStore();
        var writer = new GroupCommitWriter(store, new CommitOptions(), NullLogger<GroupCommitWriter>.Instance);
        var queued = Enumerable.Range(0, 20).Select(i => writer.CommitAsync(Set("u" + i))).ToList();
        var stopping = writer.StopAsync();
        store.Gate.Release(100);
        await stopping;
        Assert.All(await Task.WhenAll(queued), o => Assert.Equal(CommitOutcome.Committed, o));
        Assert.Throws<StorageUnavailableException>(() => { _ = writer.CommitAsync(Set("late")); });
    }
}
