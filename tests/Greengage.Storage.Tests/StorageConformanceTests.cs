using System.Text;
using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

/// <summary>
/// The behaviour every storage implementation must show. A backend subclasses this and supplies
/// <see cref="CreateStoreAsync"/>; every test gets a fresh, empty store, which this class migrates first.
/// </summary>
public abstract partial class StorageConformanceTests : IAsyncLifetime
{
    protected const string App = "app-1";

    /// <summary>A fixed "now" for the work queue; times are passed explicitly, never read from a clock.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private StoreUnderTest? _store;

    protected StoreUnderTest Store => _store ?? throw new InvalidOperationException("Not initialized.");

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>A fresh, empty, not yet migrated store; its cleanup removes everything it created.</summary>
    protected abstract Task<StoreUnderTest> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.Lifecycle.MigrateAsync(Ct);
    }

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task MigrateAsync_RunAgain_IsIdempotentAndKeepsVersionAndData()
    {
        var version = await Store.Lifecycle.SchemaVersionAsync(Ct);
        Assert.True(version >= 1, $"schema version {version}");
        await Store.Apps.CreateAppAsync(NewApp("a"), Ct);
        await CommitOneAsync(Set(App, "u", [1, 2]));

        await Store.Lifecycle.MigrateAsync(Ct);
        await Store.Lifecycle.MigrateAsync(Ct);

        Assert.Equal(version, await Store.Lifecycle.SchemaVersionAsync(Ct));
        Assert.NotNull(await Store.Apps.GetAppAsync("a", Ct));
        Assert.Equal(2, (await Store.Log.ReadUserAsync(App, "u", Ct)).Count);
    }

    protected static byte[] Body(long seq) => Encoding.UTF8.GetBytes($"{{\"seq\":{seq}}}");

    protected static NewLogRow Row(long seq, string kind = "event") => new(seq, kind, 1_700_000_000_000 + seq, Body(seq));

    protected static UserWriteSet Set(string app, string user, IEnumerable<long> seqs, SnapshotWrite? snapshot = null) =>
        new(app, user, seqs.Select(s => Row(s)).ToArray(), snapshot);

    protected static IEnumerable<long> Range(long from, long toInclusive)
    {
        for (var s = from; s <= toInclusive; s++)
        {
            yield return s;
        }
    }

    protected async Task<CommitOutcome> CommitOneAsync(UserWriteSet set) =>
        Assert.Single(await Store.Users.CommitAsync([set], Ct));

    protected static StoredApp NewApp(string appId, string keyPrefix = "") => new(
        appId,
        "App " + appId,
        T0,
        "secret-" + appId,
        new Dictionary<string, string>
        {
            ["production"] = $"{keyPrefix}prod-{appId}",
            ["development"] = $"{keyPrefix}dev-{appId}",
            ["dataExport"] = $"{keyPrefix}export-{appId}",
            ["contentReadOnly"] = $"{keyPrefix}content-{appId}",
        });
}
