using Greengage.Engine.Storage;
using Greengage.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>
/// The per-user index of the SQLite log written behind it (<c>LogTail</c>): rows wait in memory, merge into
/// <c>activity_index</c> a range of users at a time, are read back after a restart, and a database of the schema before
/// it (the index inside the log table) is rebuilt without losing a row or an ingest number.
/// </summary>
public sealed class SqliteLogIndexTests : IDisposable
{
    private readonly string _directory = TempDirectory.Create();

    public void Dispose() => TempDirectory.Delete(_directory);

    [Fact]
    public async Task Rows_WaitInMemoryUntilTheLag_ThenMergeInKeyOrderAndStayReadable()
    {
        await using var store = Open(lagRows: 6, chunkRows: 3);
        await store.MigrateAsync(default);

        for (var seq = 1; seq <= 2; seq++)
            await CommitAsync(store, Enumerable.Range(1, 2).Select(u => Set($"u{u}", seq)).ToArray());
        Assert.Equal(4, store.UnindexedRows);
        Assert.Equal(0, IndexRows());

        // The 6th row starts a merge cycle: one chunk (about three rows' worth of users, lowest keys first) after each
        // commit.
        await CommitAsync(store, [Set("u3", 1), Set("u4", 1)]);
        Assert.Equal(4, IndexRows()); // u1 and u2, two rows each
        Assert.Equal(2, store.UnindexedRows);
        Assert.Equal([1L, 2L], IndexedSeqs("u1"));

        await CommitAsync(store, [Set("u1", 3)]);
        Assert.Equal(6, IndexRows()); // the cycle's users u3, u4; u1's new row waits for the next cycle
        Assert.Equal(1, store.UnindexedRows);
        Assert.Equal(MaxIngest(), MergedThrough() + 1); // every row up to the cycle's start is indexed

        foreach (var (user, count) in new[] { ("u1", 3), ("u2", 2), ("u3", 1), ("u4", 1) })
            Assert.Equal(Enumerable.Range(1, count).Select(s => (long)s), (await store.LoadAsync("app", user, default)).Tail.Select(r => r.Seq));
        Assert.Equal([1L, 2L, 3L], (await store.ReadUserAsync("app", "u1", default)).Select(r => r.Seq));
        // The fence sees indexed rows and waiting ones alike.
        Assert.Equal(CommitOutcome.FenceViolated, (await store.CommitAsync([Set("u1", 2)], default))[0]);
        Assert.Equal(CommitOutcome.FenceViolated, (await store.CommitAsync([Set("u1", 3)], default))[0]);
    }

    [Fact]
    public async Task Reopen_WithRowsNeverMerged_ReadsThemBackSoLoadsAndTheFenceSeeThem()
    {
        await using (var store = Open(lagRows: 1_000, chunkRows: 100))
        {
            await store.MigrateAsync(default);
            await CommitAsync(store, [Set("a", 1), Set("b", 1)]);
            await CommitAsync(store, [Set("a", 2)]);
            Assert.Equal(3, store.UnindexedRows);
        }
        Assert.Equal(0, IndexRows());

        await using (var reopened = Open(lagRows: 1_000, chunkRows: 100))
        {
            await reopened.MigrateAsync(default);
            Assert.Equal(3, reopened.UnindexedRows);
            Assert.Equal([1L, 2L], (await reopened.LoadAsync("app", "a", default)).Tail.Select(r => r.Seq));
            Assert.Equal([1L], (await reopened.LoadAsync("app", "b", default)).Tail.Select(r => r.Seq));
            Assert.Equal(CommitOutcome.FenceViolated, (await reopened.CommitAsync([Set("a", 2)], default))[0]);
            Assert.Equal(CommitOutcome.Committed, (await reopened.CommitAsync([Set("a", 3)], default))[0]);
        }
    }

    [Fact]
    public async Task Reopen_AfterACycleMergedSomeRows_ReadsBackOnlyTheOthers()
    {
        await using (var store = Open(lagRows: 3, chunkRows: 1))
        {
            await store.MigrateAsync(default);
            foreach (var user in new[] { "a", "b", "c" })
                await CommitAsync(store, [Set(user, 1)]);
            // The third row started a cycle over three users; its first step merged two rows' worth (twice what the
            // commit added): the cycle stopped after a and b, its low-water mark not stored yet.
            Assert.Equal(2, IndexRows());
            Assert.Equal(0, MergedThrough());
        }

        await using var reopened = Open(lagRows: 1_000, chunkRows: 100);
        await reopened.MigrateAsync(default);
        Assert.Equal(1, reopened.UnindexedRows);
        foreach (var user in new[] { "a", "b", "c" })
            Assert.Equal([1L], (await reopened.LoadAsync("app", user, default)).Tail.Select(r => r.Seq));
    }

    [Fact]
    public async Task Erase_OfRowsPartlyIndexedPartlyWaiting_RemovesThemAllAndKeepsTheFenceAbove()
    {
        await using var store = Open(lagRows: 2, chunkRows: 10);
        await store.MigrateAsync(default);
        await CommitAsync(store, [Set("a", 1), Set("b", 1)]); // merged right after
        await CommitAsync(store, [Set("a", 2)]);              // waits
        Assert.Equal(1, store.UnindexedRows);

        var erase = Set("a", 3) with { EraseThroughSeq = 3 };
        await CommitAsync(store, [erase]);

        Assert.Empty((await store.LoadAsync("app", "a", default)).Tail);
        Assert.Empty(await store.ReadUserAsync("app", "a", default));
        Assert.Equal(CommitOutcome.FenceViolated, (await store.CommitAsync([Set("a", 3)], default))[0]);
        Assert.Equal(CommitOutcome.Committed, (await store.CommitAsync([Set("a", 4)], default))[0]);
        Assert.Equal([4L], (await store.LoadAsync("app", "a", default)).Tail.Select(r => r.Seq));
        Assert.Equal([1L], (await store.LoadAsync("app", "b", default)).Tail.Select(r => r.Seq));
    }

    [Fact]
    public async Task Migration_FromTheLogWithItsOwnIndex_KeepsEveryRowAndNeverReusesAnIngestNumber()
    {
        // The log as 0001 made it (the unique index inside the table), with a row at the end deleted (an erasure),
        // and every migration before 0007 recorded.
        Execute($"""
            CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL);
            INSERT INTO schema_migrations (version, applied_ms) VALUES (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0);
            CREATE TABLE users (user_key INTEGER NOT NULL PRIMARY KEY, app_id TEXT NOT NULL, user_id TEXT NOT NULL,
                UNIQUE (app_id, user_id)) STRICT;
            CREATE TABLE user_snapshots (user_key INTEGER NOT NULL PRIMARY KEY, version INTEGER NOT NULL,
                seq INTEGER NOT NULL, state BLOB NOT NULL, updated_ms INTEGER NOT NULL) STRICT;
            CREATE TABLE activity_log (ingest INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, user_key INTEGER NOT NULL,
                last_seq INTEGER NOT NULL, records BLOB NOT NULL, first_pos INTEGER NOT NULL DEFAULT 0,
                UNIQUE (user_key, last_seq)) STRICT;
            INSERT INTO users (user_key, app_id, user_id) VALUES (1, 'app', 'old');
            """);
        ExecuteRows();

        await using var store = Open(lagRows: 1_000, chunkRows: 100);
        await store.MigrateAsync(default);

        Assert.Equal([1L, 2L], (await store.LoadAsync("app", "old", default)).Tail.Select(r => r.Seq));
        Assert.Equal(2, IndexRows());
        Assert.Equal(0, store.UnindexedRows);
        Assert.Equal(3, MergedThrough());
        await CommitAsync(store, [Set("old", 4)]);
        // Ingest 3 was handed out before the migration (then erased): the next row gets 4.
        var after = await store.ReadAfterAsync(0, 100, default);
        Assert.Equal([1L, 2L, 4L], after.Select(r => r.Seq));
        Assert.Equal(4L, after[^1].IngestSeq >> 16);
        Assert.Empty(Query("SELECT name FROM sqlite_master WHERE sql LIKE '%UNIQUE (user_key, last_seq)%';"));
        Assert.Empty(Query("SELECT 1 FROM sqlite_sequence WHERE name = 'activity_log';"));
        Assert.Equal([3L], Query("SELECT ingest_floor FROM log_index_state;"));
    }

    [Fact]
    public async Task Ingest_AfterAnErasureOfTheNewestRowsAndAReopen_IsNeverHandedOutTwice()
    {
        await using (var store = Open(lagRows: 1_000, chunkRows: 100))
        {
            await store.MigrateAsync(default);
            await CommitAsync(store, [Set("a", 1)]);
            await CommitAsync(store, [Set("b", 1)]);
            await CommitAsync(store, [Set("b", 2) with { EraseThroughSeq = 2 }]);
        }
        // b's rows (ingest 2 and 3) are gone; the tombstone took 4, so the largest number in the log never went down.
        Assert.Equal(4, MaxIngest());
        Assert.Empty(Query("SELECT 1 FROM sqlite_master WHERE name = 'activity_log' AND sql LIKE '%AUTOINCREMENT%';"));

        await using var reopened = Open(lagRows: 1_000, chunkRows: 100);
        await reopened.MigrateAsync(default);
        await CommitAsync(reopened, [Set("c", 1)]);
        var rows = await reopened.ReadAfterAsync(0, 100, default);
        Assert.Equal(["a", "c"], rows.Select(r => r.UserId));
        Assert.Equal(5L, rows[^1].IngestSeq >> 16);
    }

    [Fact]
    public async Task PacedMerge_OnceItsTimeIsSpent_WaitsUntilTwiceTheLag()
    {
        // A share so small that the merge earns no time within the test.
        await using var store = Open(lagRows: 4, chunkRows: 100, share: 1e-9);
        await store.MigrateAsync(default);
        var waiting = new List<int>();
        for (var seq = 1; seq <= 12; seq++)
        {
            await CommitAsync(store, [Set("a", seq)]);
            waiting.Add(store.UnindexedRows);
        }
        // Due at 4 rows, but paced: the tail waits until twice the lag (8), then merges regardless; and again.
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4], waiting);
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), (await store.LoadAsync("app", "a", default)).Tail.Select(r => r.Seq));
        Assert.Equal(CommitOutcome.FenceViolated, (await store.CommitAsync([Set("a", 12)], default))[0]);
    }

    [Fact]
    public void Pacer_LetsAStepRunOnlyWithTimeInHand_EarnedAtItsShareOfTheClock()
    {
        var now = 0L;
        var ms = System.Diagnostics.Stopwatch.Frequency / 1000;
        var pacer = new MergePacer(0.25, () => now);
        Assert.False(pacer.MayStep(overdue: false)); // nothing earned yet
        Assert.True(pacer.MayStep(overdue: true));
        now = 100 * ms;
        Assert.True(pacer.MayStep(overdue: false)); // 25 ms earned
        pacer.Spent(40 * ms);                       // -15 ms
        now = 140 * ms;
        Assert.False(pacer.MayStep(overdue: false)); // -5 ms
        now = 161 * ms;
        Assert.True(pacer.MayStep(overdue: false));  // +0.25 ms
        // A long idle earns at most one long step's worth, not a burst.
        now = 3_600_000 * ms;
        Assert.True(pacer.MayStep(overdue: false));
        pacer.Spent(MergePacer.MaxCreditTicks + ms);
        Assert.False(pacer.MayStep(overdue: false));
        Assert.True(new MergePacer(1, () => now).MayStep(overdue: false)); // unpaced
    }

    [Fact]
    public async Task SecondStore_OnTheSameDatabase_IsRefusedUntilTheFirstIsDisposed()
    {
        var first = Open(lagRows: 1_000, chunkRows: 100);
        await first.MigrateAsync(default);
        await CommitAsync(first, [Set("a", 1)]);

        await using (var second = Open(lagRows: 1_000, chunkRows: 100))
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => second.MigrateAsync(default));
            Assert.Contains("Another process", refused.Message);
        }

        await first.DisposeAsync();
        await using var third = Open(lagRows: 1_000, chunkRows: 100);
        await third.MigrateAsync(default);
        Assert.Equal([1L], (await third.LoadAsync("app", "a", default)).Tail.Select(r => r.Seq));
    }

    [Fact]
    public async Task Commit_AddingMoreRowsThanAMergeStep_StillMergesAtLeastTwiceWhatItAdded()
    {
        await using var store = Open(lagRows: 10, chunkRows: 1);
        await store.MigrateAsync(default);

        await CommitAsync(store, Enumerable.Range(1, 40).Select(u => Set($"u{u}", 1)).ToArray());

        // 40 rows added, the lag passed: the step merged 80 rows' worth of users, i.e. all of them, not one.
        Assert.Equal(0, store.UnindexedRows);
        Assert.Equal(40, IndexRows());
    }

    private void ExecuteRows()
    {
        using var connection = Connect();
        foreach (var seq in new[] { 1, 2, 3 })
        {
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO activity_log (user_key, last_seq, records) VALUES (1, @seq, @records);";
            command.Parameters.AddWithValue("@seq", seq);
            command.Parameters.AddWithValue("@records", PackOne(seq));
            command.ExecuteNonQuery();
        }
        using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM activity_log WHERE last_seq = 3;";
        delete.ExecuteNonQuery();
    }

    /// <summary>One record as the store packs it: sequence number, kind, time, body (7-bit integers, length-prefixed bytes).</summary>
    private static byte[] PackOne(long seq) => [(byte)seq, 1, (byte)'e', (byte)seq, 1, 7];

    private static UserWriteSet Set(string user, long seq) =>
        new("app", user, [new NewLogRow(seq, "e", seq, [7])], null);

    private static async Task CommitAsync(SqliteStore store, UserWriteSet[] sets) =>
        Assert.All(await store.CommitAsync(sets, default), o => Assert.Equal(CommitOutcome.Committed, o));

    /// <summary>A store merging after every commit once due (<paramref name="share"/> 1, unpaced), unless told otherwise.</summary>
    private SqliteStore Open(int lagRows, int chunkRows, double share = 1) => new(
        new SqliteStorageOptions { DataDirectory = _directory, IndexLagRows = lagRows, IndexMergeChunkRows = chunkRows, IndexMergeShare = share },
        TimeProvider.System);

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, SqliteStorageOptions.DefaultFileName)};Pooling=False");
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private List<long> Query(string sql)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<long>();
        while (reader.Read())
            values.Add(reader.IsDBNull(0) ? 0 : reader.GetFieldType(0) == typeof(string) ? 1 : reader.GetInt64(0));
        return values;
    }

    private long IndexRows() => Query("SELECT count(*) FROM activity_index;")[0];

    private long MergedThrough() => Query("SELECT merged_through FROM log_index_state;")[0];

    private long MaxIngest() => Query("SELECT max(ingest) FROM activity_log;")[0];

    private List<long> IndexedSeqs(string user) =>
        Query($"SELECT i.last_seq FROM activity_index i JOIN users u ON u.user_key = i.user_key WHERE u.user_id = '{user}' ORDER BY 1;");
}
