using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore : IScheduleRunStore
{
    public Task<ScheduleRun?> ClaimRunAsync(string appId, long messageId, long occurrence, string owner, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.Zero);
        var nowMs = now.ToUnixTimeMilliseconds();
        return WriteAsync(transaction =>
        {
            using var insert = Command(transaction, """
                INSERT INTO schedule_runs (app_id, message_id, occurrence, state, cursor, scanned, matched, deferred, owner, lease_until_ms, started_ms, finished_ms)
                VALUES (@app, @message, @occurrence, 'running', NULL, 0, 0, 0, @owner, @leaseUntil, @now, NULL)
                ON CONFLICT (app_id, message_id, occurrence) DO UPDATE SET owner = excluded.owner, lease_until_ms = excluded.lease_until_ms
                WHERE schedule_runs.state = 'running' AND (schedule_runs.owner = excluded.owner OR schedule_runs.lease_until_ms <= @now)
                RETURNING state, cursor, scanned, matched, deferred, started_ms, finished_ms;
                """);
            insert.Parameters.AddWithValue("@app", appId);
            insert.Parameters.AddWithValue("@message", messageId);
            insert.Parameters.AddWithValue("@occurrence", occurrence);
            insert.Parameters.AddWithValue("@owner", owner);
            insert.Parameters.AddWithValue("@leaseUntil", (now + lease).ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("@now", nowMs);
            using var reader = insert.ExecuteReader();
            return reader.Read() ? ReadRun(reader, appId, messageId, occurrence, 0) : null;
        }, cancellationToken);
    }

    public Task<bool> SaveRunAsync(ScheduleRun run, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(transaction =>
        {
            using var update = Command(transaction, """
                UPDATE schedule_runs SET state = @state, cursor = @cursor, scanned = @scanned, matched = @matched, deferred = @deferred,
                    lease_until_ms = @leaseUntil, finished_ms = @finished
                WHERE app_id = @app AND message_id = @message AND occurrence = @occurrence AND owner = @owner AND state = 'running';
                """);
            update.Parameters.AddWithValue("@state", run.State);
            update.Parameters.AddWithValue("@cursor", (object?)run.Cursor ?? DBNull.Value);
            update.Parameters.AddWithValue("@scanned", run.Scanned);
            update.Parameters.AddWithValue("@matched", run.Matched);
            update.Parameters.AddWithValue("@deferred", run.Deferred);
            update.Parameters.AddWithValue("@leaseUntil", leaseUntil.ToUnixTimeMilliseconds());
            update.Parameters.AddWithValue("@finished", run.Finished is { } finished ? finished.ToUnixTimeMilliseconds() : DBNull.Value);
            update.Parameters.AddWithValue("@app", run.AppId);
            update.Parameters.AddWithValue("@message", run.MessageId);
            update.Parameters.AddWithValue("@occurrence", run.Occurrence);
            update.Parameters.AddWithValue("@owner", owner);
            return update.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ScheduleRun>> ListRunsAsync(string appId, long messageId, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        if (limit <= 0)
            return Task.FromResult<IReadOnlyList<ScheduleRun>>([]);
        return ReadAsync<IReadOnlyList<ScheduleRun>>(transaction =>
        {
            using var select = Command(transaction, """
                SELECT state, cursor, scanned, matched, deferred, started_ms, finished_ms, occurrence FROM schedule_runs
                WHERE app_id = @app AND message_id = @message ORDER BY occurrence DESC LIMIT @limit;
                """);
            select.Parameters.AddWithValue("@app", appId);
            select.Parameters.AddWithValue("@message", messageId);
            select.Parameters.AddWithValue("@limit", limit);
            using var reader = select.ExecuteReader();
            var runs = new List<ScheduleRun>();
            while (reader.Read())
                runs.Add(ReadRun(reader, appId, messageId, reader.GetInt64(7), 0));
            return runs;
        }, cancellationToken);
    }

    /// <summary>Reads state, cursor, scanned, matched, deferred, started_ms, finished_ms from <paramref name="first"/> on.</summary>
    private static ScheduleRun ReadRun(SqliteDataReader reader, string appId, long messageId, long occurrence, int first) =>
        new(appId, messageId, occurrence, reader.GetString(first), reader.IsDBNull(first + 1) ? null : reader.GetString(first + 1),
            reader.GetInt64(first + 2), reader.GetInt64(first + 3), reader.GetInt64(first + 4),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(first + 5)),
            reader.IsDBNull(first + 6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(first + 6)));
}
