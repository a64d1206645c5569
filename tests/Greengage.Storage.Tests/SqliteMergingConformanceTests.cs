using Greengage.Storage.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>
/// The conformance suite against a <see cref="SqliteStore"/> that merges its log's rows into the per-user index after
/// almost every commit, a few rows at a time: every contract holds whichever rows are indexed and which still wait in
/// memory (the default store, run by <see cref="SqliteConformanceTests"/>, keeps all of a test's rows in memory).
/// </summary>
public sealed class SqliteMergingConformanceTests : StorageConformanceTests
{
    protected override Task<StoreUnderTest> CreateStoreAsync()
    {
        var directory = TempDirectory.Create();
        var store = new SqliteStore(
            new SqliteStorageOptions { DataDirectory = directory, IndexLagRows = 2, IndexMergeChunkRows = 1, IndexMergeShare = 1 },
            TimeProvider.System);
        return Task.FromResult(StoreUnderTest.Of(store, async () =>
        {
            await store.DisposeAsync();
            TempDirectory.Delete(directory);
        }));
    }
}
