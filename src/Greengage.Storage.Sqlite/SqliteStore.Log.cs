using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string LogColumns = "ingest_seq, app_id, user_id, seq, kind, time_ms, body";

    /// <summary>
    /// Rows with an ingest sequence above <paramref name="afterIngestSeq"/>, in ingest order. Ingest sequences grow
    /// in commit order (one writer, AUTOINCREMENT), so paging by the last one seen never skips a row.
    /// </summary>
    public Task<IReadOnlyList<LogRow>> ReadAfterAsync(long afterIngestSeq, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return ReadAsync<IReadOnlyList<LogRow>>(transaction =>
        {
            using var command = Command(transaction,
                $"SELECT {LogColumns} FROM activity_log WHERE ingest_seq > @after ORDER BY ingest_seq LIMIT @limit;");
            command.Parameters.AddWithValue("@after", afterIngestSeq);
            command.Parameters.AddWithValue("@limit", limit);
            return ReadRows(command);
        }, cancellationToken);
    }

    /// <summary>All rows of one user, in sequence order.</summary>
    public Task<IReadOnlyList<LogRow>> ReadUserAsync(string appId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(userId);
        return ReadAsync(transaction => ReadUserRows(transaction, appId, userId, long.MinValue), cancellationToken);
    }

    private static IReadOnlyList<LogRow> ReadUserRows(SqliteTransaction transaction, string appId, string userId, long afterSeq)
    {
        using var command = Command(transaction,
            $"SELECT {LogColumns} FROM activity_log WHERE app_id = @app AND user_id = @user AND seq > @after ORDER BY seq;");
        command.Parameters.AddWithValue("@app", appId);
        command.Parameters.AddWithValue("@user", userId);
        command.Parameters.AddWithValue("@after", afterSeq);
        return ReadRows(command);
    }

    private static List<LogRow> ReadRows(SqliteCommand command)
    {
        var rows = new List<LogRow>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(new LogRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetInt64(3),
                reader.GetString(4),
                reader.GetInt64(5),
                reader.GetFieldValue<byte[]>(6)));
        }

        return rows;
    }
}
