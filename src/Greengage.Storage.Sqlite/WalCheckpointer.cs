using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Folds the WAL back into the database on its own connection and thread, so that the writer never pays for a
/// checkpoint (and its fsyncs) inside a commit. The writer connection runs with <c>wal_autocheckpoint=0</c> and reports
/// roughly how much it wrote; past <see cref="ThresholdBytes"/> a <c>PASSIVE</c> checkpoint is requested, which runs
/// alongside further writes and readers.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>About SQLite's default auto-checkpoint size (1000 pages of 4 KiB).</summary>
    public const long ThresholdBytes = 4 * 1024 * 1024;

    private readonly string _connectionString;
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _loop;
    private long _pendingBytes;

    public WalCheckpointer(string connectionString)
    {
        _connectionString = connectionString;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The last checkpoint failure, cleared by the next success. Failures only let the WAL grow.</summary>
    public Exception? LastError { get; private set; }

    /// <summary>Checkpoints run so far.</summary>
    public int Completed { get; private set; }

    /// <summary>Called by the writer, under the store's write lock, after a committed write transaction.</summary>
    public void Written(long approximateBytes)
    {
        _pendingBytes += approximateBytes;
        if (_pendingBytes >= ThresholdBytes)
        {
            _pendingBytes = 0;
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
