using System.Diagnostics;
using Greengage.Engine.Storage;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>The snapshot (or null) and the log rows after its sequence number, in one read transaction.</summary>
    public Task<StoredUser> LoadAsync(string appId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(userId);
        if (cancellationToken.IsCancellationRequested)
            return Task.FromCanceled<StoredUser>(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EnsureTailLoaded();
            // The same reads as ReadUserAsync, on statements prepared once (UserLoaders).
            return Task.FromResult(_loaders.Load(appId, userId));
        }
#pragma warning disable CA1031 // Reported through the task, like an async method would.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Task.FromException<StoredUser>(ex);
        }
    }

    /// <summary>
    /// Commits all sets in one <c>BEGIN IMMEDIATE</c> transaction, each set inside its own savepoint. A taken log
    /// sequence number or a stale snapshot version rolls back only that set (<see cref="CommitOutcome.FenceViolated"/>).
    /// Any other failure rolls back everything and throws.
    /// </summary>
    public Task<IReadOnlyList<CommitOutcome>> CommitAsync(IReadOnlyList<UserWriteSet> sets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sets);
        if (sets.Count == 0)
        {
            return Task.FromResult<IReadOnlyList<CommitOutcome>>([]);
        }

        return WithWriterAsync<IReadOnlyList<CommitOutcome>>(writer =>
        {
            IReadOnlyList<CommitOutcome> outcomes;
            try
            {
                outcomes = writer.InTransaction(transaction => writer.Commit.Apply(transaction, sets, NowMs()));
            }
            catch
            {
                writer.Commit.Abandon();
                throw;
            }
            var added = _tail.Commit();
            _checkpointer.Written(writer.Connection);
            if (_checkpointer.TailDue)
                _checkpointer.FinishTail(writer.Connection);
            var mergeDue = _tail.MergeDue;
            _addedSinceMerge = mergeDue ? _addedSinceMerge + added : 0;
            if (mergeDue && _mergePacer.MayStep(overdue: _tail.Count >= 2L * _options.IndexLagRows))
            {
                var started = Stopwatch.GetTimestamp();
                MergeTail(writer, 2 * _addedSinceMerge);
                _addedSinceMerge = 0;
                _mergePacer.Spent(Stopwatch.GetTimestamp() - started);
            }
            return outcomes;
        }, cancellationToken);
    }

    /// <summary>Users whose stored session deadline has passed, earliest first (a short read transaction).</summary>
    public Task<IReadOnlyList<DueSession>> DueSessionsAsync(long nowMs, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<DueSession>>(transaction =>
        {
            using var command = Command(transaction, """
                SELECT u.app_id, u.user_id, d.deadline_ms
                FROM session_deadlines d JOIN users u ON u.user_key = d.user_key
                WHERE d.deadline_ms <= @now ORDER BY d.deadline_ms LIMIT @limit;
                """);
            command.Parameters.AddWithValue("@now", nowMs);
            command.Parameters.AddWithValue("@limit", limit);
            var due = new List<DueSession>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
                due.Add(new DueSession(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            return due;
        }, cancellationToken);
    }

    /// <summary>The users of a scan's first page, in user id order.</summary>
    internal const string ScanFirstPageSql = "SELECT user_key, user_id FROM users WHERE app_id = @app ORDER BY user_id LIMIT @limit;";

    /// <summary>The users of a later page: a seek to the cursor in the (app, user id) index, whatever the page's position.</summary>
    internal const string ScanNextPageSql = "SELECT user_key, user_id FROM users WHERE app_id = @app AND user_id > @after ORDER BY user_id LIMIT @limit;";

    /// <summary>
    /// A page of an app's users by user id (bytewise order, the UNIQUE (app_id, user_id) index): the page's users in one
    /// read, then their rows not indexed yet (LogTail), then their snapshots and rows in a second read.
    /// </summary>
    public async Task<IReadOnlyList<ScannedUser>> ScanUsersAsync(string appId, string? afterUserId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        EnsureTailLoaded();
        var keys = await ReadAsync(transaction =>
        {
            var keys = new List<(long Key, string UserId)>();
            // Two statements, not `(@after IS NULL OR user_id > @after)`: with the OR, SQLite seeks only on app_id and
            // walks every user before the cursor, so each page cost more than the last (a campaign to a million users
            // slowed to half its rate).
            using var command = Command(transaction, afterUserId is null ? ScanFirstPageSql : ScanNextPageSql);
            command.Parameters.AddWithValue("@app", appId);
            if (afterUserId is not null)
                command.Parameters.AddWithValue("@after", afterUserId);
            command.Parameters.AddWithValue("@limit", limit);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                keys.Add((reader.GetInt64(0), reader.GetString(1)));
            return keys;
        }, cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0)
            return [];
        var unmerged = keys.Select(k => _tail.EntriesOf(k.Key)).ToList();
        return await ReadAsync<IReadOnlyList<ScannedUser>>(transaction =>
        {
            var users = new List<ScannedUser>(keys.Count);
            using var snapshots = Command(transaction, "SELECT version, seq, state FROM user_snapshots WHERE user_key = @key;");
            var key = snapshots.Parameters.Add("@key", Microsoft.Data.Sqlite.SqliteType.Integer);
            // One statement for the page's log reads too (a command per user prepared the same SQL 500 times a page).
            using var rows = Command(transaction, UserRowsSql);
            var rowsKey = rows.Parameters.Add("@key", Microsoft.Data.Sqlite.SqliteType.Integer);
            var rowsAfter = rows.Parameters.Add("@after", Microsoft.Data.Sqlite.SqliteType.Integer);
            using var byIngest = Command(transaction, RowByIngestSql);
            byIngest.Parameters.Add("@ingest", Microsoft.Data.Sqlite.SqliteType.Integer);
            for (var i = 0; i < keys.Count; i++)
            {
                var (userKey, userId) = keys[i];
                key.Value = userKey;
                UserSnapshot? snapshot = null;
                using (var reader = snapshots.ExecuteReader())
                {
                    if (reader.Read())
                        snapshot = new UserSnapshot(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
                }
                var after = snapshot?.Seq ?? long.MinValue;
                rowsKey.Value = userKey;
                rowsAfter.Value = after;
                users.Add(new ScannedUser(userId, new StoredUser(snapshot, ReadUserRows(rows, byIngest, appId, userId, after, unmerged[i]))));
            }
            return users;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The user a device belongs to, or null (one short read).</summary>
    public Task<string?> FindUserByDeviceAsync(string appId, string deviceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(deviceId);
        return ReadAsync(transaction =>
        {
            using var command = Command(transaction, """
                SELECT u.user_id FROM device_users d JOIN users u ON u.user_key = d.user_key
                WHERE d.app_id = @app AND d.device_id = @device;
                """);
            command.Parameters.AddWithValue("@app", appId);
            command.Parameters.AddWithValue("@device", deviceId);
            return command.ExecuteScalar() as string;
        }, cancellationToken);
    }
}
