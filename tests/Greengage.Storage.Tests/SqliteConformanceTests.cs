using Greengage.Storage.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>Runs the conformance suite against <see cref="SqliteStore"/>, one temp-file database per test.</summary>
public sealed class SqliteConformanceTests : StorageConformanceTests
{
    protected override Task<StoreUnderTest> CreateStoreAsync()
    {
        var directory = TempDirectory.Create();
        var store = new SqliteStore(new SqliteStorageOptions { DataDirectory = directory }, TimeProvider.System);
        return Task.FromResult(StoreUnderTest.Of(store, async () =>
        {
            await store.DisposeAsync();
            TempDirectory.Delete(directory);
        }));
    }
}
