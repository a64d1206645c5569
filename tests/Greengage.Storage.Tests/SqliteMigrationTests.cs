using Greengage.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>
/// How the SQLite store applies its embedded migrations: by version, each on its own, so the numbers may have gaps
/// and a lower number that lands after a higher one (two changes made side by side) is still applied.
/// </summary>
public sealed class SqliteMigrationTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public async Task MigrateAsync_FreshDatabase_RecordsEveryEmbeddedVersionAndReportsTheHighest()
    {
        await using var store = Open();

        await store.MigrateAsync(default);

        var versions = ReadVersions(store);
        Assert.Contains(1, versions);
        Assert.Contains(3, versions);
        Assert.Equal(versions.Max(), await store.SchemaVersionAsync(default));
    }

    [Fact]
    public async Task MigrateAsync_HigherVersionAlreadyApplied_AppliesTheLowerMissingOneAndKeepsTheHigher()
    {
        // A database where 0003 was applied but 0001 was not: what a database looks like when a lower-numbered
        // migration lands after a higher one. 0003's table is there with a row, as if the app had used it.
        Execute(Path.Combine(_directory, SqliteStorageOptions.DefaultFileName), """
            CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL);
            INSERT INTO schema_migrations (version, applied_ms) VALUES (3, 0);
            CREATE TABLE test_devices (app_id TEXT NOT NULL, device_id TEXT NOT NULL, email TEXT NOT NULL,
                registered_ms INTEGER NOT NULL, PRIMARY KEY (app_id, device_id)) WITHOUT ROWID, STRICT;
            INSERT INTO test_devices VALUES ('a', 'kept', 'dev@example.com', 0);
            """);

        await using var reopened = Open();
        await reopened.MigrateAsync(default);

        var versions = ReadVersions(reopened);
        Assert.Contains(1, versions);
        Assert.Contains(3, versions);
        Assert.Equal(versions.Max(), await reopened.SchemaVersionAsync(default));
        Assert.Empty(await reopened.ListAppsAsync(default)); // 0001's tables exist now
        Assert.Equal("kept", Assert.Single(await reopened.ListTestDevicesAsync("a", default)).DeviceId); // 0003 not re-run
    }

    private SqliteStore Open() => new(new SqliteStorageOptions { DataDirectory = _directory }, TimeProvider.System);

    private static List<long> ReadVersions(SqliteStore store)
    {
        using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations ORDER BY version;";
        using var reader = command.ExecuteReader();
        var versions = new List<long>();
        while (reader.Read())
            versions.Add(reader.GetInt64(0));
        return versions;
    }

    private static void Execute(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
