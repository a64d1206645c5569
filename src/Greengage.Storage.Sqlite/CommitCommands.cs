using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Prepared, reused commands of the group-commit path. Each write set runs inside its own savepoint; a conflict on
/// a log sequence number or on the snapshot fence rolls back to the savepoint and reports
/// <see cref="CommitOutcome.FenceViolated"/>.
/// </summary>
internal sealed class CommitCommands : IDisposable
{
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;
    private readonly SqliteCommand _insertLog;
    private readonly SqliteCommand _insertSnapshot;
    private readonly SqliteCommand _updateSnapshot;
    private readonly SqliteCommand[] _all;

    public CommitCommands(SqliteConnection connection)
    {
        _savepoint = Create(connection, "SAVEPOINT write_set;");
        _release = Create(connection, "RELEASE write_set;");
        _rollbackTo = Create(connection, "ROLLBACK TO write_set;");
        _insertLog = Create(connection, """
            INSERT INTO activity_log (app_id, user_id, seq, kind, time_ms, body)
            VALUES (@app, @user, @seq, @kind, @time, @body)
            ON CONFLICT (app_id, user_id, seq) DO NOTHING;
            """);
        AddParameters(_insertLog, ("@app", SqliteType.Text), ("@user", SqliteType.Text), ("@seq", SqliteType.Integer),
            ("@kind", SqliteType.Text), ("@time", SqliteType.Integer), ("@body", SqliteType.Blob));
        _insertSnapshot = Create(connection, """
            INSERT INTO user_snapshots (app_id, user_id, version, seq, state, updated_ms)
            VALUES (@app, @user, @expected + 1, @seq, @state, @now)
            ON CONFLICT (app_id, user_id) DO NOTHING;
            """);
        _updateSnapshot = Create(connection, """
            UPDATE user_snapshots SET version = @expected + 1, seq = @seq, state = @state, updated_ms = @now
            WHERE app_id = @app AND user_id = @user AND version = @expected;
            """);
        foreach (var command in new[] { _insertSnapshot, _updateSnapshot })
        {
            AddParameters(command, ("@app", SqliteType.Text), ("@user", SqliteType.Text),
                ("@expected", SqliteType.Integer), ("@seq", SqliteType.Integer), ("@state", SqliteType.Blob),
                ("@now", SqliteType.Integer));
        }

        _all = [_savepoint, _release, _rollbackTo, _insertLog, _insertSnapshot, _updateSnapshot];
    }

    /// <summary>Writes every set inside <paramref name="transaction"/>; one outcome per set.</summary>
    public CommitOutcome[] Apply(SqliteTransaction transaction, IReadOnlyList<UserWriteSet> sets, long nowMs)
    {
        foreach (var command in _all)
        {
            command.Transaction = transaction;
        }

        var outcomes = new CommitOutcome[sets.Count];
        for (var i = 0; i < sets.Count; i++)
        {
            _savepoint.ExecuteNonQuery();
            if (TryWrite(sets[i], nowMs))
            {
                outcomes[i] = CommitOutcome.Committed;
            }
            else
            {
                _rollbackTo.ExecuteNonQuery();
                outcomes[i] = CommitOutcome.FenceViolated;
            }

            _release.ExecuteNonQuery();
        }

        return outcomes;
    }

    public void Dispose()
    {
        foreach (var command in _all)
        {
            command.Dispose();
        }
    }

    private bool TryWrite(UserWriteSet set, long nowMs)
    {
        var p = _insertLog.Parameters;
        p[0].Value = set.AppId;
        p[1].Value = set.UserId;
        foreach (var row in set.Rows)
        {
            p[2].Value = row.Seq;
            p[3].Value = row.Kind;
            p[4].Value = row.TimeMs;
            p[5].Value = row.Body;
            if (_insertLog.ExecuteNonQuery() != 1)
            {
                return false;
            }
        }

        if (set.Snapshot is not { } snapshot)
        {
            return true;
        }

        var command = snapshot.ExpectedVersion == 0 ? _insertSnapshot : _updateSnapshot;
        var s = command.Parameters;
        s[0].Value = set.AppId;
        s[1].Value = set.UserId;
        s[2].Value = snapshot.ExpectedVersion;
        s[3].Value = snapshot.Seq;
        s[4].Value = snapshot.State;
        s[5].Value = nowMs;
        return command.ExecuteNonQuery() == 1;
    }

    private static SqliteCommand Create(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static void AddParameters(SqliteCommand command, params (string Name, SqliteType Type)[] parameters)
    {
        foreach (var (name, type) in parameters)
        {
            command.Parameters.Add(name, type);
        }
    }
}
