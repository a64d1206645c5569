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
    private readonly UserLoaders _loaders;
    private volatile bool _disposed;

    public SqliteStore(SqliteStorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _connectionStrings = SqliteConnectionStrings.From(options);
        _checkpointer = new WalCheckpointer(_connectionStrings.Writer, _connectionStrings.FilePath);
        _loaders = new UserLoaders(_connectionStrings.Reader, keep: Math.Max(4, Environment.ProcessorCount * 4));
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
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="work"/> on the writer connection while holding the write lock.</summary>
    private async Task<T> WithWriterAsync<T>(Func<WriterConnection, T> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _writer ??= WriterConnection.Open(_connectionStrings, _options);
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
