using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Folds the WAL back into the database in two phases, so that the writer never pays for the bulk of a checkpoint
/// inside a commit and the WAL still restarts under sustained writes. The writer connection runs with
/// <c>wal_autocheckpoint=0</c> and reports roughly how much it wrote; past <see cref="ThresholdBytes"/> a
/// <c>PASSIVE</c> checkpoint runs here, on its own connection, alongside further writes. It cannot finish the frames
/// appended meanwhile, and SQLite restarts the WAL only once every frame is back in the database, so when it is done
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

    /// <summary>How many commits pass between two looks at the WAL's size.</summary>
    private const int CheckEvery = 16;

    private readonly string _connectionString;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _loop;

    private readonly string _walPath;
    private int _sinceCheck;
    private bool _requested;

    public WalCheckpointer(string connectionString, string databasePath)
    {
        _connectionString = connectionString;
        _walPath = databasePath + "-wal";
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The last checkpoint failure, cleared by the next success. Failures only let the WAL grow.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Checkpoints run so far.</summary>
    public int Completed { get; private set; }

    /// <summary>Tail checkpoints the writer ran so far.</summary>
    public int TailsFinished { get; private set; }

    /// <summary>True once a background checkpoint is done and the writer should fold the remaining tail.</summary>
    public bool TailDue => Volatile.Read(ref _tailDue);

    private bool _tailDue;

    /// <summary>
    /// Called by the writer between transactions, on its own connection: checkpoints the frames written since the
    /// background checkpoint started (few, so it is quick). No other writer exists, so it completes unless a reader
    /// still uses old frames; then the next round tries again.
    /// </summary>
    public void FinishTail(SqliteConnection writer)
    {
        Volatile.Write(ref _tailDue, false);
        _requested = false;
        try
        {
            using var command = writer.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
            command.ExecuteNonQuery();
            TailsFinished++;
        }
        catch (SqliteException ex)
        {
            // The commit before it stands; only the WAL restart waits for the next round.
            LastError = ex;
        }
    }

    /// <summary>
    /// Called by the writer, under the store's write lock, after a committed write transaction: now and then looks at
    /// the WAL's real size and asks for a background checkpoint once it passes <see cref="ThresholdBytes"/>.
    /// </summary>
    public void Written()
    {
        if (++_sinceCheck < CheckEvery || _requested)
            return;
        _sinceCheck = 0;
        long size;
        try
        {
            size = new FileInfo(_walPath).Length;
        }
        catch (IOException)
        {
            return;
        }
        if (size >= ThresholdBytes)
        {
            _requested = true;
            _requests.Writer.TryWrite(true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _requests.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        SqliteConnection? connection = null;
        try
        {
            await foreach (var unused in _requests.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        connection.Open();
                    }

                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                    command.ExecuteNonQuery();
                    LastError = null;
                    Completed++;
                    Volatile.Write(ref _tailDue, true);
                }
                catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
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
}
