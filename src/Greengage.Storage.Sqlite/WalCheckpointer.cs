using Microsoft.Data.Sqlite;
using Microsoft.Win32.SafeHandles;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Folds the WAL back into the database in two phases, so that the writer never pays for the bulk of a checkpoint
/// inside a commit and the WAL still restarts under sustained writes. The writer connection runs with
/// <c>wal_autocheckpoint=0</c> and reports after each transaction; once the pages it wrote to the WAL since the last
/// restart pass <see cref="ThresholdBytes"/>, <c>PASSIVE</c> checkpoints run here, on their own connection and thread,
/// alongside further writes, and the database file is synced here too. A pass cannot finish the frames appended
/// meanwhile, and SQLite restarts the WAL only once every frame is back in the database, so when the passes are done
/// <see cref="TailDue"/> asks the writer to checkpoint the short tail itself between two transactions
/// (<see cref="FinishTail"/>); the next write transaction then starts the WAL over instead of growing it.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>
    /// The WAL size that starts a checkpoint. Large on purpose: every cycle ends with a short checkpoint (and fsync) on
    /// the writer thread, so fewer, longer cycles keep the writer busy writing rather than syncing.
    /// </summary>
    public const long ThresholdBytes = 64L * 1024 * 1024;

    /// <summary>
    /// The background checkpoint repeats while a pass had more than this many new frames to copy (about 4 MiB), so
    /// that the tail left to the writer is short.
    /// </summary>
    private const long ShortTailFrames = 1024;

    /// <summary>Most background passes per cycle (the WAL only grows if writes keep outrunning the checkpoint).</summary>
    private const int MaxPasses = 4;

    /// <summary><c>SQLITE_DBSTATUS_CACHE_WRITE</c>: pages the connection wrote to the WAL.</summary>
    private const int CacheWriteStatus = 9;

    /// <summary>A WAL frame's header.</summary>
    private const int FrameHeaderBytes = 24;

    private readonly string _connectionString;
    private readonly string _databasePath;
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _walBytes;
    private int _pageSize;
    private bool _requested;
    private bool _tailDue;
    private SafeFileHandle? _databaseFile;

    public WalCheckpointer(string connectionString, string databasePath)
    {
        _connectionString = connectionString;
        _databasePath = databasePath;
        // Its own thread: a checkpoint blocks in writes and fsyncs for a long time, which a thread-pool thread of a
        // 2-core box must not do while it is serving requests.
        _thread = new Thread(Run) { IsBackground = true, Name = "greengage-wal-checkpoint" };
        _thread.Start();
    }

    /// <summary>The last checkpoint failure, cleared by the next success. Failures only let the WAL grow.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Checkpoints run so far.</summary>
    public int Completed { get; private set; }

    /// <summary>Tail checkpoints the writer ran so far.</summary>
    public int TailsFinished { get; private set; }

    /// <summary>True once a background checkpoint is done and the writer should fold the remaining tail.</summary>
    public bool TailDue => Volatile.Read(ref _tailDue);

    /// <summary>
    /// Called by the writer between transactions, on its own connection: checkpoints the frames written since the
    /// background checkpoint started (few, so it is quick). No other writer exists, so it completes unless a reader
    /// still uses old frames; then the WAL keeps growing and the next round tries again.
    /// </summary>
    public void FinishTail(SqliteConnection writer)
    {
        Volatile.Write(ref _tailDue, false);
        _requested = false;
        try
        {
            using var command = writer.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            using var reader = command.ExecuteReader();
            // (busy, frames in the WAL, frames checkpointed): all of them back in the database means the next write
            // transaction starts the WAL over.
            if (reader.Read() && reader.GetInt64(0) == 0 && reader.GetInt64(1) == reader.GetInt64(2))
                _walBytes = 0;
            TailsFinished++;
        }
        catch (SqliteException ex)
        {
            // The commit before it stands; only the WAL restart waits for the next round.
            LastError = ex;
        }
    }

    /// <summary>
    /// Called by the writer, under the store's write lock, after a committed write transaction: counts the pages the
    /// transaction wrote to the WAL (SQLite's own counter; the file's size says nothing once the WAL restarts inside
    /// a file of the same size) and asks for a background checkpoint once they pass <see cref="ThresholdBytes"/>.
    /// </summary>
    public void Written(SqliteConnection writer)
    {
        if (_pageSize == 0)
        {
            using var command = writer.CreateCommand();
            command.CommandText = "PRAGMA page_size;";
            _pageSize = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (SQLitePCL.raw.sqlite3_db_status(writer.Handle, CacheWriteStatus, out var pages, out _, 1) == SQLitePCL.raw.SQLITE_OK)
            _walBytes += (long)pages * (_pageSize + FrameHeaderBytes);
        if (_requested || _walBytes < ThresholdBytes)
            return;
        _requested = true;
        _signal.Release();
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _signal.Release();
        _thread.Join();
        _signal.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Closes the handle used to sync the database file. Only after every SQLite connection to the file is closed:
    /// closing any descriptor of a file drops the process's POSIX locks on it, SQLite's included.
    /// </summary>
    public void CloseDatabaseFile()
    {
        _databaseFile?.Dispose();
        _databaseFile = null;
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _signal.Wait();
                if (_stopping)
                    return;
                try
                {
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                    }
                    // Each pass copies the frames that were in the WAL when it began; the writer appends meanwhile.
                    long previousLog = 0;
                    for (var pass = 0; pass < MaxPasses && !_stopping; pass++)
                    {
                        var log = Checkpoint(connection);
                        if (log - previousLog <= ShortTailFrames)
                            break;
                        previousLog = log;
                    }
                    // Then the pages copied so far go to disk, and a last pass copies what the writer appended
                    // meanwhile: the writer's tail syncs only that much.
                    SyncDatabaseFile();
                    if (!_stopping)
                        Checkpoint(connection);
                    LastError = null;
                    Completed++;
                    Volatile.Write(ref _tailDue, true);
                }
                catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    LastError = ex;
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>One <c>PASSIVE</c> checkpoint; returns the number of frames the WAL held when it ran.</summary>
    private static long Checkpoint(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        return reader.Read() && !reader.IsDBNull(1) ? reader.GetInt64(1) : 0;
    }

    /// <summary>
    /// Syncs the pages the passes wrote into the database file. SQLite syncs the file only when a checkpoint reaches
    /// the end of the WAL, which under load is the writer's tail: without this, the whole cycle's pages would be
    /// synced there, on the commit path. The handle stays open until the store closes (see
    /// <see cref="CloseDatabaseFile"/>).
    /// </summary>
    private void SyncDatabaseFile()
    {
        if (_databasePath.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            return; // a URI: SQLite knows the file, not us
        _databaseFile ??= File.OpenHandle(_databasePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        RandomAccess.FlushToDisk(_databaseFile);
    }
}
