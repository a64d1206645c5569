using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>
    /// Rows with an ingest sequence above <paramref name="afterIngestSeq"/>, in ingest order. A record's ingest
    /// sequence is <c>(ingest &lt;&lt; 16) | position</c> of the packed commit row that holds it, and ingest grows in
    /// commit order (one writer, AUTOINCREMENT), so paging by the last one seen never skips a row.
    /// </summary>
    public Task<IReadOnlyList<LogRow>> ReadAfterAsync(long afterIngestSeq, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<LogRow>>(transaction =>
        {
            var rows = new List<LogRow>(Math.Min(limit, 4096));
            var from = afterIngestSeq < 0 ? 0 : afterIngestSeq >> LogPacking.IngestShift;
            using var command = Command(transaction, """
                SELECT l.ingest, u.app_id, u.user_id, l.records, l.first_pos
                FROM activity_log l JOIN users u ON u.user_key = l.user_key
                WHERE l.ingest >= @from ORDER BY l.ingest LIMIT @batch;
                """);
            var fromParameter = command.Parameters.AddWithValue("@from", from);
            command.Parameters.AddWithValue("@batch", Math.Max(16, Math.Min(limit, 1024)));
            while (rows.Count < limit)
            {
                var lastIngest = -1L;
                using (var reader = command.ExecuteReader())
                {
                    while (reader.Read() && rows.Count < limit)
                    {
                        lastIngest = reader.GetInt64(0);
                        foreach (var row in LogPacking.Unpack(lastIngest, reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3), reader.GetInt64(4)))
                        {
                            if (row.IngestSeq > afterIngestSeq && rows.Count < limit)
                                rows.Add(row);
                        }
                    }
                }
                if (lastIngest < 0)
                    break;
                fromParameter.Value = lastIngest + 1;
            }
            return rows;
        }, cancellationToken);
    }

    /// <summary>All rows of one user, in sequence order.</summary>
    public Task<IReadOnlyList<LogRow>> ReadUserAsync(string appId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(userId);
        return ReadAsync<IReadOnlyList<LogRow>>(transaction =>
            FindUserKey(transaction, appId, userId) is { } key ? ReadUserRows(transaction, key, appId, userId, long.MinValue) : [],
            cancellationToken);
    }

    private static long? FindUserKey(SqliteTransaction transaction, string appId, string userId)
    {
        using var command = Command(transaction, "SELECT user_key FROM users WHERE app_id = @app AND user_id = @user;");
        command.Parameters.AddWithValue("@app", appId);
        command.Parameters.AddWithValue("@user", userId);
        return command.ExecuteScalar() as long?;
    }

    internal const string UserRowsSql = "SELECT ingest, records, first_pos FROM activity_log WHERE user_key = @key AND last_seq > @after ORDER BY last_seq;";

    private static IReadOnlyList<LogRow> ReadUserRows(SqliteTransaction transaction, long key, string appId, string userId, long afterSeq)
    {
        using var command = Command(transaction, UserRowsSql);
        command.Parameters.AddWithValue("@key", key);
        command.Parameters.AddWithValue("@after", afterSeq);
        return ReadUserRows(command, appId, userId, afterSeq);
    }

    /// <summary>The rows <paramref name="command"/> (<see cref="UserRowsSql"/>, its parameters set) reads, unpacked.</summary>
    internal static IReadOnlyList<LogRow> ReadUserRows(SqliteCommand command, string appId, string userId, long afterSeq)
    {
        var rows = new List<LogRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            foreach (var row in LogPacking.Unpack(reader.GetInt64(0), appId, userId, reader.GetFieldValue<byte[]>(1), reader.GetInt64(2)))
            {
                if (row.Seq > afterSeq)
                    rows.Add(row);
            }
        }
        return rows;
    }
}
