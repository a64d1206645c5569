using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// The store's single write connection (not pooled) with its prepared commit commands. Not thread-safe: the store
/// uses it only while holding its write lock.
/// </summary>
internal sealed class WriterConnection : IDisposable
{
    private WriterConnection(SqliteConnection connection, LogTail tail)
    {
        Connection = connection;
        Commit = new CommitCommands(connection, tail);
    }

    public SqliteConnection Connection { get; }

    public CommitCommands Commit { get; }

    /// <summary>Set when a failed transaction could not be rolled back; the store then reopens the connection.</summary>
    public bool Broken { get; private set; }

    public static WriterConnection Open(SqliteConnectionStrings strings, SqliteStorageOptions options, LogTail tail)
    {
        if (!strings.FilePath.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            var directory = Path.GetDirectoryName(strings.FilePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }

        var connection = new SqliteConnection(strings.Writer);
        try
        {
            connection.Open();
            var mode = Convert.ToString(Scalar(connection, "PRAGMA journal_mode=WAL;"), CultureInfo.InvariantCulture);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode (journal_mode is '{mode}').");
            }

            Scalar(connection, options.Durability == SqliteDurability.Full
                ? "PRAGMA synchronous=FULL;"
                : "PRAGMA synchronous=NORMAL;");

            // Checkpoints run on WalCheckpointer's connection, not inside commits; the WAL is cut back to 128 MiB
            // after each restart (it stays below that: a cycle starts at 64 MiB). A 16 MiB page cache keeps the
            // log's per-user index hot.
            Scalar(connection, "PRAGMA wal_autocheckpoint=0;");
            Scalar(connection, "PRAGMA journal_size_limit=134217728;");
            Scalar(connection, "PRAGMA cache_size=-16384;");
            using (var timeout = connection.CreateCommand())
            {
                var ms = (long)Math.Min(options.BusyTimeout.TotalMilliseconds, int.MaxValue);
                timeout.CommandText = "PRAGMA busy_timeout=" + ms.ToString(CultureInfo.InvariantCulture) + ";";
                timeout.ExecuteNonQuery();
            }

            return new WriterConnection(connection, tail);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> in a <c>BEGIN IMMEDIATE</c> transaction; rolls back and rethrows on failure.</summary>
    public T InTransaction<T>(Func<SqliteTransaction, T> work)
    {
        var transaction = Connection.BeginTransaction(deferred: false);
        try
        {
            var result = work(transaction);
            transaction.Commit();
            transaction.Dispose();
            return result;
        }
        catch
        {
            try
            {
                transaction.Rollback();
                transaction.Dispose();
            }
#pragma warning disable CA1031 // The original failure is what the caller must see.
            catch (Exception)
#pragma warning restore CA1031
            {
                Broken = true;
            }

            throw;
        }
    }

    public void Dispose()
    {
        Commit.Dispose();
        Connection.Dispose();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
