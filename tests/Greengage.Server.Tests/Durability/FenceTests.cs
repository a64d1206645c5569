using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;
using Greengage.Storage.Sqlite;

namespace Greengage.Server.Tests.Durability;

/// <summary>
/// Item 7(c): two activations of one user (a brief duplicate during cluster instability) cannot overwrite each other:
/// the one that writes second is refused by the fence and nothing of its write set lands.
/// </summary>
public sealed class FenceTests : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "greengage-fence", Guid.NewGuid().ToString("N"));
    private SqliteStore _store = null!;

    public async Task InitializeAsync()
    {
        _store = new SqliteStore(new SqliteStorageOptions { DataDirectory = _dir }, TimeProvider.System);
        await _store.MigrateAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static UserProcessor Processor() =>
        new("app_f", "u", UserActionTable.Default, new SnapshotPolicy { EveryRecords = 1 }, new ProtocolLimits());

    private static UserBatch Track(string name) => new("app_f", "u", "s", DateTimeOffset.UtcNow, null,
        [new UserBatchItem(0, "track", new ParameterSet(new() { ["event"] = System.Text.Json.JsonSerializer.SerializeToElement(name) }), false)]);

    [Fact]
    public async Task Commit_SecondActivationWritesStaleSnapshot_IsRefusedWhole()
    {
        // Both activations load the same (empty) stored state.
        var first = Processor();
        var second = Processor();
        first.Load(await _store.LoadAsync("app_f", "u", default), 0);
        second.Load(await _store.LoadAsync("app_f", "u", default), 0);

        var (_, firstWrites) = first.Apply(Track("A"));
        var (_, secondWrites) = second.Apply(Track("B"));
        Assert.NotNull(firstWrites!.Snapshot);
        Assert.NotNull(secondWrites!.Snapshot);

        Assert.Equal([CommitOutcome.Committed], await _store.CommitAsync([firstWrites], default));
        Assert.Equal([CommitOutcome.FenceViolated], await _store.CommitAsync([secondWrites], default));

        var stored = await _store.LoadAsync("app_f", "u", default);
        var reloaded = Processor();
        reloaded.Load(stored, 0);
        Assert.True(reloaded.State.Aggregates.Events.ContainsKey("A"));
        Assert.False(reloaded.State.Aggregates.Events.ContainsKey("B"));
        Assert.Equal(1, reloaded.Seq);
    }

    [Fact]
    public async Task Commit_StaleSnapshotOnly_IsRefusedByVersion()
    {
        var p = Processor();
        p.Load(await _store.LoadAsync("app_f", "u", default), 0);
        var (_, w1) = p.Apply(Track("A"));
        Assert.Equal([CommitOutcome.Committed], await _store.CommitAsync([w1!], default));
        p.Committed(w1!);

        // A stale writer that still believes no snapshot exists (expected version 0) is refused.
        var stale = new UserWriteSet("app_f", "u", [], new SnapshotWrite(0, 1, [(byte)'{', (byte)'}']));
        Assert.Equal([CommitOutcome.FenceViolated], await _store.CommitAsync([stale], default));
        Assert.Equal(1, (await _store.LoadAsync("app_f", "u", default)).Snapshot!.Version);
    }
}
