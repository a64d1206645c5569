using System.Collections.Concurrent;
using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Read connections kept open with the three statements of <see cref="SqliteStore.LoadAsync"/> prepared once, for the
/// hottest read there is (every grain activation). Microsoft.Data.Sqlite prepares a command's statements anew each
/// time a new command runs; a loader reuses its own. A loader serves one load at a time: taken from the pool, used in
/// one read transaction, given back (or disposed when anything failed, or when the pool is full).
/// </summary>
internal sealed class UserLoaders(string connectionString, int keep, LogTail tail) : IDisposable
{
    private readonly ConcurrentBag<Loader> _idle = [];
    private volatile bool _disposed;

    public StoredUser Load(string appId, string userId)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var loader = _idle.TryTake(out var idle) ? idle : new Loader(connectionString);
        StoredUser stored;
        try
        {
            stored = loader.Load(appId, userId, tail);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
        if (_disposed || _idle.Count >= keep)
            loader.Dispose();
        else
            _idle.Add(loader);
        return stored;
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var loader))
            loader.Dispose();
    }

    private sealed class Loader : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _findUser;
        private readonly SqliteCommand _snapshot;
        private readonly SqliteCommand _rows;
        private readonly SqliteCommand _rowByIngest;

        public Loader(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            _findUser = Prepare("SELECT user_key FROM users WHERE app_id = @app AND user_id = @user;", ("@app", SqliteType.Text), ("@user", SqliteType.Text));
            _snapshot = Prepare("SELECT version, seq, state FROM user_snapshots WHERE user_key = @key;", ("@key", SqliteType.Integer));
            _rows = Prepare(SqliteStore.UserRowsSql, ("@key", SqliteType.Integer), ("@after", SqliteType.Integer));
            _rowByIngest = Prepare(SqliteStore.RowByIngestSql, ("@ingest", SqliteType.Integer));
        }

        private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
                command.Parameters.Add(name, type);
            command.Prepare();
            return command;
        }

        public StoredUser Load(string appId, string userId, LogTail tail)
        {
            // The key on its own, then the user's rows not indexed yet, then one read transaction for the rest: a merge
            // takes rows out of the tail only once they are in the index, so started after the copy, the transaction
            // finds each row in one place or the other.
            _findUser.Transaction = null;
            _findUser.Parameters[0].Value = appId;
            _findUser.Parameters[1].Value = userId;
            if (_findUser.ExecuteScalar() is not long key)
                return new StoredUser(null, []);
            var unmerged = tail.EntriesOf(key);
            using var transaction = _connection.BeginTransaction(deferred: true);
            UserSnapshot? snapshot = null;
            _snapshot.Transaction = transaction;
            _snapshot.Parameters[0].Value = key;
            using (var reader = _snapshot.ExecuteReader())
            {
                if (reader.Read())
                    snapshot = new UserSnapshot(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
            }
            var afterSeq = snapshot?.Seq ?? long.MinValue;
            _rows.Transaction = transaction;
            _rows.Parameters[0].Value = key;
            _rows.Parameters[1].Value = afterSeq;
            _rowByIngest.Transaction = transaction;
            var rows = SqliteStore.ReadUserRows(_rows, _rowByIngest, appId, userId, afterSeq, unmerged);
            transaction.Commit();
            return new StoredUser(snapshot, rows);
        }

        public void Dispose()
        {
            _findUser.Dispose();
            _snapshot.Dispose();
            _rows.Dispose();
            _rowByIngest.Dispose();
            _connection.Dispose();
        }
    }
}
