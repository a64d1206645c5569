using System.Diagnostics;
using Greengage.Engine.Storage;
using Greengage.Storage.Sqlite;
using Xunit.Abstractions;

namespace Greengage.Storage.Tests;

/// <summary>Behaviour specific to the SQLite store: options, reopening, durability, bulk throughput.</summary>
public sealed class SqliteStoreTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public void Constructor_NoLocation_ThrowsInvalidOperation()
    {
        Assert.Throws<InvalidOperationException>(() => new SqliteStore(new SqliteStorageOptions(), TimeProvider.System));
    }

    [Fact]
    public void Constructor_InMemoryConnectionString_ThrowsInvalidOperation()
    {
        var options = new SqliteStorageOptions { ConnectionString = "Data Source=:memory:" };

        Assert.Throws<InvalidOperationException>(() => new SqliteStore(options, TimeProvider.System));
    }

    /// <summary>
    /// Each page of a scan seeks to its cursor in the (app, user id) index; a plan that seeks on the app alone walks
    /// every user before the cursor, so a scan over a million users costs a quadratic number of steps.
    /// </summary>
    [Fact]
    public async Task ScanPages_SeekToTheirCursor_InTheUsersIndex()
    {
        await using (var store = Open(SqliteDurability.Normal))
            await store.MigrateAsync(default);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_directory, "nested", SqliteStorageOptions.DefaultFileName)}");
        connection.Open();
        string Plan(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            command.Parameters.AddWithValue("@app", "a");
            command.Parameters.AddWithValue("@after", "u1");
            command.Parameters.AddWithValue("@limit", 500);
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
                lines.Add(reader.GetString(3));
            return string.Join(" | ", lines);
        }

        Assert.Contains("(app_id=? AND user_id>?)", Plan(SqliteStore.ScanNextPageSql), StringComparison.Ordinal);
        Assert.Contains("(app_id=?)", Plan(SqliteStore.ScanFirstPageSql), StringComparison.Ordinal);
        Assert.DoesNotContain("TEMP B-TREE", Plan(SqliteStore.ScanNextPageSql), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaVersionAsync_BeforeMigrate_ReturnsZero()
    {
        await using var store = Open(SqliteDurability.Normal);

        Assert.Equal(0, await store.SchemaVersionAsync(default));
        Assert.Equal(Path.Combine(_directory, "nested", SqliteStorageOptions.DefaultFileName), store.DatabasePath);
    }

    [Fact]
    public async Task Reopen_FullDurability_KeepsDataAndSchemaVersion()
    {
        int version;
        await using (var store = Open(SqliteDurability.Full))
        {
            await store.MigrateAsync(default);
            version = await store.SchemaVersionAsync(default);
            await store.CommitAsync([new UserWriteSet("a", "u", [new NewLogRow(1, "e", 1, [1])], null)], default);
        }

        await using (var reopened = Open(SqliteDurability.Full))
        {
            await reopened.MigrateAsync(default);
            Assert.Equal(version, await reopened.SchemaVersionAsync(default));
            Assert.Single((await reopened.LoadAsync("a", "u", default)).Tail);
        }
    }

    [Fact]
    public async Task AnyCall_AfterDispose_ThrowsObjectDisposed()
    {
        var store = Open(SqliteDurability.Normal);
        await store.MigrateAsync(default);
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.CommitAsync([new UserWriteSet("a", "u", [], null)], default));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.ReadAfterAsync(0, 1, default));
    }

    [Fact]
    public async Task CommitAsync_LargeBatches_AllRowsReadable()
    {
        const int batches = 10, usersPerBatch = 200, rowsPerUser = 25;
        await using var store = Open(SqliteDurability.Normal);
        await store.MigrateAsync(default);
        var body = new byte[200];

        var watch = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var sets = Enumerable.Range(0, usersPerBatch).Select(u => new UserWriteSet("app", $"user-{u}",
                Enumerable.Range(b * rowsPerUser + 1, rowsPerUser).Select(s => new NewLogRow(s, "event", s, body)).ToArray(),
                new SnapshotWrite(b, (b + 1) * rowsPerUser, body))).ToArray();
            var outcomes = await store.CommitAsync(sets, default);
            Assert.All(outcomes, o => Assert.Equal(CommitOutcome.Committed, o));
        }

        watch.Stop();
        const int total = batches * usersPerBatch * rowsPerUser;
        output.WriteLine($"{total} rows + {batches * usersPerBatch} snapshots in {watch.ElapsedMilliseconds} ms " +
            $"({total / watch.Elapsed.TotalSeconds:F0} rows/s)");
        Assert.Equal(total, (await store.ReadAfterAsync(0, int.MaxValue, default)).Count);
        var user = await store.LoadAsync("app", "user-7", default);
        Assert.Equal((long)batches, user.Snapshot!.Version);
        Assert.Empty(user.Tail);
    }

    private SqliteStore Open(SqliteDurability durability) => new(
        new SqliteStorageOptions { DataDirectory = Path.Combine(_directory, "nested"), Durability = durability },
        TimeProvider.System);
}
