using System.Globalization;
using System.Text;
using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Prepared, reused commands of the group-commit path. Log rows go in up to <see cref="MaxRowsPerInsert"/> per
/// statement. A set with more than one row or statement runs inside a savepoint; a conflict on a log sequence number or
/// on the snapshot fence rolls back to it and reports <see cref="CommitOutcome.FenceViolated"/>. A single-row
/// (or snapshot-only) set needs no savepoint: its one statement writes all or nothing.
/// </summary>
internal sealed class CommitCommands : IDisposable
{
    public const int MaxRowsPerInsert = 8;
    private const int ParametersPerRow = 4;

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _savepoint;
    private readonly SqliteCommand _release;
    private readonly SqliteCommand _rollbackTo;
    private readonly SqliteCommand _insertSnapshot;
    private readonly SqliteCommand _updateSnapshot;
    private readonly SqliteCommand?[] _insertLog = new SqliteCommand?[MaxRowsPerInsert + 1];
    private SqliteTransaction? _transaction;

    public CommitCommands(SqliteConnection connection)
    {
        _connection = connection;
        _savepoint = Create("SAVEPOINT write_set;");
        _release = Create("RELEASE write_set;");
        _rollbackTo = Create("ROLLBACK TO write_set;");
        _insertSnapshot = Create("""
            INSERT INTO user_snapshots (app_id, user_id, version, seq, state, updated_ms)
            VALUES (@app, @user, @expected + 1, @seq, @state, @now)
            ON CONFLICT (app_id, user_id) DO NOTHING;
            """);
        _updateSnapshot = Create("""
            UPDATE user_snapshots SET version = @expected + 1, seq = @seq, state = @state, updated_ms = @now
            WHERE app_id = @app AND user_id = @user AND version = @expected;
            """);
        foreach (var command in new[] { _insertSnapshot, _updateSnapshot })
        {
            command.Parameters.Add("@app", SqliteType.Text);
            command.Parameters.Add("@user", SqliteType.Text);
            command.Parameters.Add("@expected", SqliteType.Integer);
            command.Parameters.Add("@seq", SqliteType.Integer);
            command.Parameters.Add("@state", SqliteType.Blob);
            command.Parameters.Add("@now", SqliteType.Integer);
        }
    }

    /// <summary>Writes every set inside <paramref name="transaction"/>; one outcome per set.</summary>
    public CommitOutcome[] Apply(SqliteTransaction transaction, IReadOnlyList<UserWriteSet> sets, long nowMs)
    {
        _transaction = transaction;
        var outcomes = new CommitOutcome[sets.Count];
        for (var i = 0; i < sets.Count; i++)
        {
            var set = sets[i];
            var statements = (set.Rows.Count + MaxRowsPerInsert - 1) / MaxRowsPerInsert + (set.Snapshot is null ? 0 : 1);
            var guarded = statements > 1 || set.Rows.Count > 1; // a multi-row insert may apply only in part
            if (guarded)
            {
                Execute(_savepoint);
            }

            var written = TryWrite(set, nowMs);
            if (guarded)
            {
                if (!written)
                {
                    Execute(_rollbackTo);
                }

                Execute(_release);
            }

            outcomes[i] = written ? CommitOutcome.Committed : CommitOutcome.FenceViolated;
        }

        _transaction = null;
        return outcomes;
    }

    public void Dispose()
    {
        foreach (var command in _insertLog)
        {
            command?.Dispose();
        }

        foreach (var command in new[] { _savepoint, _release, _rollbackTo, _insertSnapshot, _updateSnapshot })
        {
            command.Dispose();
        }
    }

    private bool TryWrite(UserWriteSet set, long nowMs)
    {
        var rows = set.Rows;
        for (var start = 0; start < rows.Count; start += MaxRowsPerInsert)
        {
            var count = Math.Min(MaxRowsPerInsert, rows.Count - start);
            var insert = _insertLog[count] ??= CreateInsertLog(count);
            var p = insert.Parameters;
            p[0].Value = set.AppId;
            p[1].Value = set.UserId;
            for (var i = 0; i < count; i++)
            {
                var row = rows[start + i];
                var at = 2 + (i * ParametersPerRow);
                p[at].Value = row.Seq;
                p[at + 1].Value = row.Kind;
                p[at + 2].Value = row.TimeMs;
                p[at + 3].Value = row.Body;
            }

            if (Execute(insert) != count)
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
        return Execute(command) == 1;
    }

    private int Execute(SqliteCommand command)
    {
        command.Transaction = _transaction;
        return command.ExecuteNonQuery();
    }

    private SqliteCommand CreateInsertLog(int rows)
    {
        var sql = new StringBuilder("INSERT INTO activity_log (app_id, user_id, seq, kind, time_ms, body) VALUES ");
        for (var i = 0; i < rows; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@app, @user, @s{i}, @k{i}, @t{i}, @b{i})");
        }

        sql.Append(" ON CONFLICT (app_id, user_id, seq) DO NOTHING;");
        var command = Create(sql.ToString());
        command.Parameters.Add("@app", SqliteType.Text);
        command.Parameters.Add("@user", SqliteType.Text);
        for (var i = 0; i < rows; i++)
        {
            command.Parameters.Add($"@s{i}", SqliteType.Integer);
            command.Parameters.Add($"@k{i}", SqliteType.Text);
            command.Parameters.Add($"@t{i}", SqliteType.Integer);
            command.Parameters.Add($"@b{i}", SqliteType.Blob);
        }

        return command;
    }

    private SqliteCommand Create(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }
}
