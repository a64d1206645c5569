using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// The SQLite implementation of the storage contracts. One dedicated writer connection, serialized by a lock, does
/// every write (each in a <c>BEGIN IMMEDIATE</c> transaction); reads use short-lived pooled read-only connections,
/// each in a short read transaction (WAL snapshot). SQLite calls run synchronously on the caller's thread.
/// Call <see cref="MigrateAsync"/> once before anything else.
/// </summary>
public sealed partial class SqliteStore
    : IStorageLifecycle, IAppStore, IAppNameStore, IContentStore, IUserStore, IActivityLogReader, IWorkQueue, IAsyncDisposable
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteStorageOptions _options;
    private readonly SqliteConnectionStrings _connectionStrings;
    private readonly TimeProvider _time;
    private readonly WalCheckpointer _checkpointer;
    private WriterConnection? _writer;
    private FileStream? _ownership;
    private readonly UserLoaders _loaders;
    private readonly LogTail _tail;
    private readonly MergePacer _mergePacer;

    /// <summary>Rows committed since the last merge step (under the write lock): the next step merges at least twice as many.</summary>
    private int _addedSinceMerge;

    private volatile bool _disposed;

    public SqliteStore(SqliteStorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _connectionStrings = SqliteConnectionStrings.From(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.IndexLagRows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.IndexMergeChunkRows);
        if (options.IndexMergeShare is not (> 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.IndexMergeShare, "IndexMergeShare must be above 0 and at most 1.");
        _checkpointer = new WalCheckpointer(_connectionStrings.Writer, _connectionStrings.FilePath);
        _tail = new LogTail(options.IndexLagRows, options.IndexMergeChunkRows);
        _mergePacer = new MergePacer(options.IndexMergeShare);
        _loaders = new UserLoaders(_connectionStrings.Reader, keep: Math.Max(4, Environment.ProcessorCount * 4), _tail);
    }

    /// <summary>The full path (or URI) of the database file.</summary>
    public string DatabasePath => _connectionStrings.FilePath;

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await _checkpointer.DisposeAsync().ConfigureAwait(false);

            // Readers first, so that the writer is the last connection and checkpoints the WAL when it closes.
            _loaders.Dispose();
            using (var probe = new SqliteConnection(_connectionStrings.Reader))
            {
                SqliteConnection.ClearPool(probe);
            }

            _writer?.Dispose();
            _writer = null;
            _checkpointer.CloseDatabaseFile();
            _ownership?.Dispose();
            _ownership = null;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Runs <paramref name="work"/> on the writer connection while holding the write lock; first, once (unless
    /// <paramref name="beforeMigration"/>), reads the log's rows not indexed yet into <see cref="LogTail"/>.
    /// </summary>
    private async Task<T> WithWriterAsync<T>(Func<WriterConnection, T> work, CancellationToken cancellationToken, bool beforeMigration = false)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _ownership ??= TakeOwnership(_connectionStrings.FilePath);
            _writer ??= WriterConnection.Open(_connectionStrings, _options, _tail);
            if (!beforeMigration)
                Prepare(_writer);
            return work(_writer);
        }
        finally
        {
            if (_writer is { Broken: true })
            {
                _writer.Dispose();
                _writer = null;
            }

            _writeLock.Release();
        }
    }

    /// <summary>
    /// The store is its database's only writer (rows waiting for the index live in its memory, where no other process
    /// sees them): an exclusive lock on <c>&lt;database&gt;.lock</c>, held until dispose (the OS drops it if the
    /// process dies), keeps a second server or tool from writing the same file.
    /// </summary>
    private static FileStream? TakeOwnership(string databasePath)
    {
        if (databasePath.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return null;
        var directory = Path.GetDirectoryName(databasePath);
        if (!string.IsNullOrEmpty(directory))
            Directory.CreateDirectory(directory);
        try
        {
            return new FileStream(databasePath + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException(
                $"Another process (or another store) is writing the database {databasePath}: {e.Message}", e);
        }
    }

    /// <summary>Loads <see cref="LogTail"/> unless done: a read path that comes before any write (the writer does it).</summary>
    private void EnsureTailLoaded()
    {
        if (!_tail.Loaded)
            WithWriterAsync(_ => true, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Before a writer's first write: the tail read back (once per store) and the writer's ingest counter set.</summary>
    private void Prepare(WriterConnection writer)
    {
        if (!_tail.Loaded)
            LoadTail(writer.Connection);
        if (!writer.Commit.IngestKnown)
            writer.Commit.StartIngestAfter(LastIngest(writer.Connection));
    }

    /// <summary>The largest ingest number ever handed out: the log's largest, or the floor migration 0008 kept.</summary>
    private static long LastIngest(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT max(COALESCE((SELECT MAX(ingest) FROM activity_log), 0),
                       COALESCE((SELECT ingest_floor FROM log_index_state WHERE id = 1), 0));
            """;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The log's rows above the stored low-water mark of the tail that the index lacks: the rows a stop or a crash left
    /// unmerged (at most a merge cycle's worth).
    /// </summary>
    private void LoadTail(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT l.ingest, l.user_key, l.last_seq FROM activity_log l
            WHERE l.ingest > (SELECT merged_through FROM log_index_state WHERE id = 1)
              AND NOT EXISTS (SELECT 1 FROM activity_index i
                              WHERE i.user_key = l.user_key AND i.last_seq = l.last_seq AND i.ingest = l.ingest)
            ORDER BY l.ingest;
            """;
        var rows = new List<(long, LogTail.Entry)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                rows.Add((reader.GetInt64(1), new LogTail.Entry(reader.GetInt64(2), reader.GetInt64(0))));
        }
        _tail.Load(rows, LastIngest(connection));
    }

    /// <summary>
    /// One merge step of the tail into the index, in its own transaction, after a commit: at least
    /// <paramref name="minRows"/> rows' worth of users (twice what the commits since the last step added, so the tail
    /// cannot outgrow the merge); the steps are paced (<see cref="MergePacer"/>). A failure leaves the rows in memory and
    /// starts the cycle over; the commit before it stands either way.
    /// </summary>
    private void MergeTail(WriterConnection writer, int minRows)
    {
        try
        {
            writer.InTransaction(transaction => writer.Commit.MergeChunk(transaction, minRows));
        }
        catch (Exception e)
        {
            _tail.Abandon();
            _tail.AbandonCycle();
            if (e is OutOfMemoryException)
                throw;
            return;
        }
        _tail.Commit();
        _checkpointer.Written(writer.Connection);
    }

    /// <summary>Rows waiting in memory for the per-user index (for tests and diagnostics).</summary>
    internal int UnindexedRows => _tail.Count;

    /// <summary>Runs <paramref name="work"/> in one write transaction; on failure nothing of it is kept.</summary>
    private Task<T> WriteAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken) =>
        WithWriterAsync(writer =>
        {
            var result = writer.InTransaction(work);
            _checkpointer.Written(writer.Connection);
            return result;
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> on a pooled read connection inside one short read transaction.</summary>
    private Task<T> ReadAsync<T>(Func<SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var connection = new SqliteConnection(_connectionStrings.Reader);
            connection.Open();
            using var transaction = connection.BeginTransaction(deferred: true);
            var result = work(transaction);
            transaction.Commit();
            return Task.FromResult(result);
        }
#pragma warning disable CA1031 // Reported through the task, like an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<T>(ex);
        }
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static bool IsConstraintViolation(SqliteException ex) => ex.SqliteErrorCode == 19; // SQLITE_CONSTRAINT
}
