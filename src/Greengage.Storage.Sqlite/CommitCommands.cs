using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Prepared, reused commands of the group-commit path. Each write set costs: its user's key (cached), one packed log
/// row appended only if its first sequence number is above the user's last committed one (the fence: the index and
/// the <see cref="LogTail"/>), and its snapshot if any. The row reaches the per-user index later, merged in bulk with
/// others (<see cref="MergeChunk"/>). A set with more than one
/// statement runs inside a savepoint; a stale sequence number or snapshot version rolls back to it and reports
/// <see cref="CommitOutcome.FenceViolated"/>.
/// <para>
/// A set with <see cref="UserWriteSet.EraseThroughSeq"/> is written as usual (fenced), then erased: the user's packed
/// rows (all indexed first) with <c>last_seq</c> at or below the point are deleted (this set's own rows included), the one row that may
/// straddle the point is rewritten to keep only the records above it (its <c>first_pos</c> grows by the records cut
/// off, so the kept ones keep their ingest sequence), a tombstone row (no records, <c>last_seq</c> = the point) keeps
/// the fence above the erased sequence numbers, and the snapshot is deleted unless the set writes a fresh one. Every
/// snapshot write is also refused below a tombstone. All of it runs inside the set's savepoint, so a set refused by the
/// fence erases nothing.
/// </para>
/// </summary>
internal sealed class CommitCommands : IDisposable
{
    /// <summary>Cached user keys; cleared whole when it grows past this (keys are cheap to look up again).</summary>
    private const int MaxCachedUsers = 100_000;

    private readonly SqliteConnection _connection;

    /// <summary>
    /// The last ingest number handed out: set once from the database (<see cref="StartIngestAfter"/>), then counted
    /// here, in commit order (one writer). A number taken by a transaction that rolls back is not taken again; gaps are
    /// harmless, a number seen twice would not be.
    /// </summary>
    private long _lastIngest = -1;

    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;
    private readonly SqliteCommand _savepointPair;
    private readonly SqliteCommand _releasePair;
    private readonly SqliteCommand _rollbackToPair;
    private readonly SqliteCommand _findUser;
    private readonly SqliteCommand _insertUser;
    private readonly SqliteCommand _fenceLog;
    private readonly SqliteCommand _insertLog;
    private readonly SqliteCommand _linkDevice;
    private readonly SqliteCommand _insertWork;
    private readonly SqliteCommand _deleteWork;
    private readonly SqliteCommand _setDeadline;
    private readonly SqliteCommand _clearDeadline;
    private readonly SqliteCommand _insertSnapshot;
    private readonly SqliteCommand _updateSnapshot;
    private readonly SqliteCommand _eraseLog;
    private readonly SqliteCommand _findStraddler;
    private readonly SqliteCommand _rewriteRow;
    private readonly SqliteCommand _insertTombstone;
    private readonly SqliteCommand _deleteSnapshot;
    private readonly SqliteCommand _indexRow;
    private readonly SqliteCommand _setMergedThrough;
    private readonly LogTail _tail;
    private readonly Dictionary<(string App, string User), long> _userKeys = [];
    private readonly List<(string App, string User)> _addedInTransaction = [];
    private SqliteTransaction? _transaction;

    public CommitCommands(SqliteConnection connection, LogTail tail)
    {
        _connection = connection;
        _tail = tail;
        _savepoint = Create("SAVEPOINT write_set;");
        _release = Create("RELEASE write_set;");
        _rollbackTo = Create("ROLLBACK TO write_set;");
        _savepointPair = Create("SAVEPOINT write_pair;");
        _releasePair = Create("RELEASE write_pair;");
        _rollbackToPair = Create("ROLLBACK TO write_pair;");
        _findUser = Create("SELECT user_key FROM users WHERE app_id = @app AND user_id = @user;", ("@app", SqliteType.Text), ("@user", SqliteType.Text));
        _insertUser = Create("INSERT INTO users (app_id, user_id) VALUES (@app, @user) RETURNING user_key;", ("@app", SqliteType.Text), ("@user", SqliteType.Text));
        // The fence looks in the index here and in the tail in memory (rows not indexed yet). There is one writer, so
        // nothing can come between the fence and the insert.
        _fenceLog = Create("SELECT 1 FROM activity_index WHERE user_key = @key AND last_seq >= @first LIMIT 1;",
            ("@key", SqliteType.Integer), ("@first", SqliteType.Integer));
        _insertLog = Create("INSERT INTO activity_log (ingest, user_key, last_seq, records) VALUES (@ingest, @key, @last, @records);",
            ("@ingest", SqliteType.Integer), ("@key", SqliteType.Integer), ("@last", SqliteType.Integer), ("@records", SqliteType.Blob));
        _setDeadline = Create("""
            INSERT INTO session_deadlines (user_key, deadline_ms) VALUES (@key, @deadline)
            ON CONFLICT (user_key) DO UPDATE SET deadline_ms = excluded.deadline_ms;
            """, ("@key", SqliteType.Integer), ("@deadline", SqliteType.Integer));
        _linkDevice = Create("""
            INSERT INTO device_users (app_id, device_id, user_key) VALUES (@app, @device, @key)
            ON CONFLICT (app_id, device_id) DO UPDATE SET user_key = excluded.user_key WHERE user_key <> excluded.user_key;
            """, ("@app", SqliteType.Text), ("@device", SqliteType.Text), ("@key", SqliteType.Integer));
        _clearDeadline = Create("DELETE FROM session_deadlines WHERE user_key = @key;", ("@key", SqliteType.Integer));
        _insertWork = Create("""
            INSERT INTO work_items (queue, payload, not_before_ms, attempts, created_ms, key)
            VALUES (@queue, @payload, @notBefore, 0, @now, @workKey);
            """, ("@queue", SqliteType.Text), ("@payload", SqliteType.Text), ("@notBefore", SqliteType.Integer), ("@now", SqliteType.Integer), ("@workKey", SqliteType.Text));
        _deleteWork = Create("DELETE FROM work_items WHERE id = @id;", ("@id", SqliteType.Integer));
        (string, SqliteType)[] snapshot = [("@key", SqliteType.Integer), ("@expected", SqliteType.Integer), ("@seq", SqliteType.Integer), ("@state", SqliteType.Blob), ("@now", SqliteType.Integer)];
        // A snapshot below an erasure point (a tombstone: a log row without records) would fold erased records back in.
        // Tombstones go into the index as they are written, so the index alone answers this.
        const string AboveErasure = """
            NOT EXISTS (SELECT 1 FROM activity_index i JOIN activity_log l ON l.ingest = i.ingest
                        WHERE i.user_key = @key AND i.last_seq > @seq AND length(l.records) = 0)
            """;
        _insertSnapshot = Create($"""
            INSERT INTO user_snapshots (user_key, version, seq, state, updated_ms)
            SELECT @key, @expected + 1, @seq, @state, @now
            WHERE {AboveErasure}
            ON CONFLICT (user_key) DO NOTHING;
            """, snapshot);
        _updateSnapshot = Create($"""
            UPDATE user_snapshots SET version = @expected + 1, seq = @seq, state = @state, updated_ms = @now
            WHERE user_key = @key AND version = @expected AND {AboveErasure};
            """, snapshot);
        (string, SqliteType)[] erasure = [("@key", SqliteType.Integer), ("@through", SqliteType.Integer)];
        _eraseLog = Create("""
            DELETE FROM activity_log WHERE ingest IN
                (SELECT ingest FROM activity_index WHERE user_key = @key AND last_seq <= @through);
            DELETE FROM activity_index WHERE user_key = @key AND last_seq <= @through;
            """, erasure);
        _findStraddler = Create("""
            SELECT l.ingest, l.records, l.first_pos FROM activity_index i JOIN activity_log l ON l.ingest = i.ingest
            WHERE i.user_key = @key AND i.last_seq > @through ORDER BY i.last_seq LIMIT 1;
            """, erasure);
        _rewriteRow = Create("UPDATE activity_log SET records = @records, first_pos = @first WHERE ingest = @ingest;",
            ("@ingest", SqliteType.Integer), ("@records", SqliteType.Blob), ("@first", SqliteType.Integer));
        _insertTombstone = Create("INSERT INTO activity_log (ingest, user_key, last_seq, records) VALUES (@ingest, @key, @through, x'');",
            ("@ingest", SqliteType.Integer), ("@key", SqliteType.Integer), ("@through", SqliteType.Integer));
        _deleteSnapshot = Create("DELETE FROM user_snapshots WHERE user_key = @key;", ("@key", SqliteType.Integer));
        // No ON CONFLICT: a row indexed twice would mean the fence let a sequence number through twice, which must
        // fail loudly rather than hide one of them.
        _indexRow = Create("INSERT INTO activity_index (user_key, last_seq, ingest) VALUES (@key, @seq, @ingest);", ("@key", SqliteType.Integer), ("@seq", SqliteType.Integer), ("@ingest", SqliteType.Integer));
        _setMergedThrough = Create("UPDATE log_index_state SET merged_through = max(merged_through, @through) WHERE id = 1;",
            ("@through", SqliteType.Integer));
    }

    /// <summary>Writes every set inside <paramref name="transaction"/>; one outcome per set.</summary>
    public CommitOutcome[] Apply(SqliteTransaction transaction, IReadOnlyList<UserWriteSet> sets, long nowMs)
    {
        _transaction = transaction;
        _addedInTransaction.Clear();
        _tail.Abandon();
        var outcomes = new CommitOutcome[sets.Count];
        for (var i = 0; i < sets.Count; i++)
        {
            var set = sets[i];
            if (set.Along is not { } along)
            {
                outcomes[i] = WriteSet(set, nowMs) ? CommitOutcome.Committed : CommitOutcome.FenceViolated;
                continue;
            }
            // Two users at once (a login): both sets inside one more savepoint, undone together if either is refused.
            // Keys first, outside it: a key created inside and rolled back would stay in the cache.
            UserKey(set.AppId, set.UserId);
            UserKey(along.AppId, along.UserId);
            Execute(_savepointPair);
            var pairMark = _tail.Mark();
            var written = WriteSet(along, nowMs) && WriteSet(set, nowMs);
            if (!written)
            {
                Execute(_rollbackToPair);
                _tail.RollbackTo(pairMark);
            }
            Execute(_releasePair);
            outcomes[i] = written ? CommitOutcome.Committed : CommitOutcome.FenceViolated;
        }
        _transaction = null;
        return outcomes;
    }

    private bool WriteSet(UserWriteSet set, long nowMs)
    {
        var key = UserKey(set.AppId, set.UserId);
        // One statement writes all or nothing; more than one needs a savepoint to undo the first on a fence.
        var statements = (set.Rows.Count > 0 ? 1 : 0) + (set.Snapshot is null ? 0 : 1) + (set.SessionDeadlineMs is null ? 0 : 1)
            + (set.LinkedDevices?.Count ?? 0) + (set.Outbox?.Count ?? 0) + (set.CompletedWork?.Count ?? 0);
        var guarded = statements > 1 || set.Rows.Count > LogPacking.MaxRowsPerPack || set.EraseThroughSeq is not null;
        if (guarded)
            Execute(_savepoint);
        var mark = _tail.Mark();
        var written = TryWrite(key, set, nowMs);
        if (!written)
            _tail.RollbackTo(mark);
        if (guarded)
        {
            if (!written)
                Execute(_rollbackTo);
            Execute(_release);
        }
        return written;
    }

    /// <summary>The transaction failed and rolled back: keys created in it no longer exist.</summary>
    public void Abandon()
    {
        foreach (var user in _addedInTransaction)
            _userKeys.Remove(user);
        _addedInTransaction.Clear();
        _tail.Abandon();
        _transaction = null;
    }

    public void Dispose()
    {
        foreach (var command in new[] { _savepoint, _release, _rollbackTo, _savepointPair, _releasePair, _rollbackToPair, _findUser, _insertUser, _fenceLog, _insertLog, _linkDevice, _insertWork, _deleteWork, _setDeadline, _clearDeadline, _insertSnapshot, _updateSnapshot,
                     _eraseLog, _findStraddler, _rewriteRow, _insertTombstone, _deleteSnapshot, _indexRow, _setMergedThrough })
            command.Dispose();
    }

    private long UserKey(string appId, string userId)
    {
        if (_userKeys.TryGetValue((appId, userId), out var key))
            return key;
        _findUser.Parameters[0].Value = appId;
        _findUser.Parameters[1].Value = userId;
        _findUser.Transaction = _transaction;
        if (_findUser.ExecuteScalar() is long found)
        {
            key = found;
        }
        else
        {
            _insertUser.Parameters[0].Value = appId;
            _insertUser.Parameters[1].Value = userId;
            _insertUser.Transaction = _transaction;
            key = (long)_insertUser.ExecuteScalar()!;
            _addedInTransaction.Add((appId, userId));
        }
        if (_userKeys.Count >= MaxCachedUsers)
            _userKeys.Clear();
        _userKeys[(appId, userId)] = key;
        return key;
    }

    private bool TryWrite(long key, UserWriteSet set, long nowMs)
    {
        var rows = InSeqOrder(set.Rows);
        if (rows.Count > 0)
        {
            for (var i = 1; i < rows.Count; i++)
            {
                if (rows[i].Seq == rows[i - 1].Seq)
                    return false;
            }
            for (var start = 0; start < rows.Count; start += LogPacking.MaxRowsPerPack)
            {
                var count = Math.Min(LogPacking.MaxRowsPerPack, rows.Count - start);
                if (_tail.MaxSeq(key) >= rows[start].Seq)
                    return false;
                _fenceLog.Parameters[0].Value = key;
                _fenceLog.Parameters[1].Value = rows[start].Seq;
                _fenceLog.Transaction = _transaction;
                if (_fenceLog.ExecuteScalar() is not null)
                    return false;
                var ingest = NextIngest();
                var l = _insertLog.Parameters;
                l[0].Value = ingest;
                l[1].Value = key;
                l[2].Value = rows[start + count - 1].Seq;
                l[3].Value = LogPacking.Pack(rows, start, count);
                Execute(_insertLog);
                _tail.Added(key, rows[start + count - 1].Seq, ingest);
            }
        }

        foreach (var device in set.LinkedDevices ?? [])
        {
            var link = _linkDevice.Parameters;
            link[0].Value = set.AppId;
            link[1].Value = device;
            link[2].Value = key;
            Execute(_linkDevice);
        }

        foreach (var item in set.Outbox ?? [])
        {
            var w = _insertWork.Parameters;
            w[0].Value = item.Queue;
            w[1].Value = item.Payload;
            w[2].Value = item.NotBefore.ToUnixTimeMilliseconds();
            w[3].Value = nowMs;
            w[4].Value = (object?)item.Key ?? DBNull.Value;
            Execute(_insertWork);
        }

        foreach (var id in set.CompletedWork ?? [])
        {
            _deleteWork.Parameters[0].Value = id;
            Execute(_deleteWork);
        }

        if (set.SessionDeadlineMs is { } deadline)
        {
            var command = deadline > 0 ? _setDeadline : _clearDeadline;
            command.Parameters[0].Value = key;
            if (deadline > 0)
                command.Parameters[1].Value = deadline;
            Execute(command);
        }

        if (set.EraseThroughSeq is { } through)
            Erase(key, through, keepSnapshot: set.Snapshot is not null);

        if (set.Snapshot is not { } snapshot)
            return true;
        var write = snapshot.ExpectedVersion == 0 ? _insertSnapshot : _updateSnapshot;
        var s = write.Parameters;
        s[0].Value = key;
        s[1].Value = snapshot.ExpectedVersion;
        s[2].Value = snapshot.Seq;
        s[3].Value = snapshot.State;
        s[4].Value = nowMs;
        return Execute(write) == 1;
    }

    /// <summary>
    /// Erases the user's log records at or below <paramref name="through"/> and, unless a fresh one follows, the
    /// snapshot; leaves a tombstone at <paramref name="through"/>. Runs after the set's own rows were written.
    /// </summary>
    private void Erase(long key, long through, bool keepSnapshot)
    {
        // The user's rows not indexed yet (this set's own among them) go into the index first: from here on the index
        // alone finds them.
        foreach (var entry in _tail.EntriesOf(key, withPending: true))
            IndexRow(key, entry.LastSeq, entry.Ingest);
        _tail.Indexed(key);

        _eraseLog.Parameters[0].Value = key;
        _eraseLog.Parameters[1].Value = through;
        Execute(_eraseLog);

        // The user's packed rows hold disjoint, increasing sequence ranges (the fence), so only the first row left
        // above the point can still hold records at or below it.
        _findStraddler.Parameters[0].Value = key;
        _findStraddler.Parameters[1].Value = through;
        _findStraddler.Transaction = _transaction;
        long ingest, firstPosition;
        List<LogRow> records;
        using (var reader = _findStraddler.ExecuteReader())
        {
            if (!reader.Read())
            {
                records = [];
                ingest = firstPosition = 0;
            }
            else
            {
                ingest = reader.GetInt64(0);
                firstPosition = reader.GetInt64(2);
                records = LogPacking.Unpack(ingest, "", "", reader.GetFieldValue<byte[]>(1), firstPosition).ToList();
            }
        }
        var cut = records.TakeWhile(r => r.Seq <= through).Count();
        if (cut > 0)
        {
            var kept = records.Skip(cut).Select(r => new NewLogRow(r.Seq, r.Kind, r.TimeMs, r.Body)).ToList();
            var w = _rewriteRow.Parameters;
            w[0].Value = ingest;
            w[1].Value = LogPacking.Pack(kept, 0, kept.Count);
            w[2].Value = firstPosition + cut;
            Execute(_rewriteRow);
        }

        var tombstone = NextIngest();
        _insertTombstone.Parameters[0].Value = tombstone;
        _insertTombstone.Parameters[1].Value = key;
        _insertTombstone.Parameters[2].Value = through;
        Execute(_insertTombstone);
        IndexRow(key, through, tombstone);

        if (!keepSnapshot)
        {
            _deleteSnapshot.Parameters[0].Value = key;
            Execute(_deleteSnapshot);
        }
    }

    /// <summary>
    /// Merges the next chunk of the tail into the index, in its own transaction (the caller commits it and then calls
    /// <see cref="LogTail.Commit"/>). At the end of a merge cycle the new low-water mark of the tail is stored with it.
    /// </summary>
    public int MergeChunk(SqliteTransaction transaction, int minRows)
    {
        _transaction = transaction;
        _tail.Abandon();
        var rows = 0;
        var chunk = _tail.NextChunk(minRows, out var mergedThrough);
        foreach (var (user, entries) in chunk)
        {
            foreach (var entry in entries)
                IndexRow(user, entry.LastSeq, entry.Ingest);
            _tail.Indexed(user);
            rows += entries.Count;
        }
        if (mergedThrough is { } through)
        {
            _setMergedThrough.Parameters[0].Value = through;
            Execute(_setMergedThrough);
        }
        _transaction = null;
        return rows;
    }

    private void IndexRow(long key, long lastSeq, long ingest)
    {
        var p = _indexRow.Parameters;
        p[0].Value = key;
        p[1].Value = lastSeq;
        p[2].Value = ingest;
        Execute(_indexRow);
    }

    /// <summary>Called once the store knows the largest ingest ever handed out (the log's, or the floor migrations kept).</summary>
    public void StartIngestAfter(long last) => _lastIngest = Math.Max(_lastIngest, last);

    /// <summary>Whether <see cref="StartIngestAfter"/> ran for this writer (a reopened writer reads the counter again).</summary>
    public bool IngestKnown => _lastIngest >= 0;

    private long NextIngest()
    {
        if (_lastIngest < 0)
            throw new InvalidOperationException("The log's ingest counter was not read from the database.");
        return ++_lastIngest;
    }

    /// <summary>The rows sorted by sequence number (the engine writes them in order; the contract does not demand it).</summary>
    private static IReadOnlyList<NewLogRow> InSeqOrder(IReadOnlyList<NewLogRow> rows)
    {
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Seq < rows[i - 1].Seq)
                return rows.OrderBy(r => r.Seq).ToList();
        }
        return rows;
    }

    private int Execute(SqliteCommand command)
    {
        command.Transaction = _transaction;
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Create(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters)
            command.Parameters.Add(name, type);
        return command;
    }
}
