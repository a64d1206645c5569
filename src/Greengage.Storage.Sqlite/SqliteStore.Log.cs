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
    public async Task<IReadOnlyList<LogRow>> ReadUserAsync(string appId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(userId);
        EnsureTailLoaded();
        if (await ReadAsync(transaction => FindUserKey(transaction, appId, userId), cancellationToken).ConfigureAwait(false) is not { } key)
            return [];
        // The rows not indexed yet are taken before the read transaction starts (LogTail).
        var unmerged = _tail.EntriesOf(key);
        return await ReadAsync(transaction =>
        {
            using var rows = Command(transaction, UserRowsSql);
            rows.Parameters.AddWithValue("@key", key);
            rows.Parameters.AddWithValue("@after", long.MinValue);
            using var byIngest = Command(transaction, RowByIngestSql);
            byIngest.Parameters.Add("@ingest", SqliteType.Integer);
            return ReadUserRows(rows, byIngest, appId, userId, long.MinValue, unmerged);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static long? FindUserKey(SqliteTransaction transaction, string appId, string userId)
    {
        using var command = Command(transaction, "SELECT user_key FROM users WHERE app_id = @app AND user_id = @user;");
        command.Parameters.AddWithValue("@app", appId);
        command.Parameters.AddWithValue("@user", userId);
        return command.ExecuteScalar() as long?;
    }

    /// <summary>A user's indexed rows after a sequence number (the rows in <see cref="LogTail"/> are read by ingest).</summary>
    internal const string UserRowsSql = """
        SELECT l.ingest, l.records, l.first_pos FROM activity_index i JOIN activity_log l ON l.ingest = i.ingest
        WHERE i.user_key = @key AND i.last_seq > @after ORDER BY i.last_seq;
        """;

    internal const string RowByIngestSql = "SELECT records, first_pos FROM activity_log WHERE ingest = @ingest;";

    /// <summary>
    /// The rows <paramref name="indexed"/> (<see cref="UserRowsSql"/>, its parameters set) reads, then those of
    /// <paramref name="unmerged"/> (the user's rows in <see cref="LogTail"/>, taken before the transaction began) through
    /// <paramref name="byIngest"/> (<see cref="RowByIngestSql"/>), unpacked, each once, in sequence order.
    /// </summary>
    internal static IReadOnlyList<LogRow> ReadUserRows(
        SqliteCommand indexed, SqliteCommand byIngest, string appId, string userId, long afterSeq, IReadOnlyList<LogTail.Entry> unmerged)
    {
        var rows = new List<LogRow>();
        HashSet<long>? seen = unmerged.Count > 0 ? [] : null;
        using (var reader = indexed.ExecuteReader())
        {
            while (reader.Read())
            {
                var ingest = reader.GetInt64(0);
                seen?.Add(ingest);
                AddAfter(rows, LogPacking.Unpack(ingest, appId, userId, reader.GetFieldValue<byte[]>(1), reader.GetInt64(2)), afterSeq);
            }
        }
        foreach (var entry in unmerged)
        {
            if (entry.LastSeq <= afterSeq || !seen!.Add(entry.Ingest))
                continue;
            byIngest.Parameters[0].Value = entry.Ingest;
            using var reader = byIngest.ExecuteReader();
            // A row erased since is gone: nothing of it is read.
            if (reader.Read())
                AddAfter(rows, LogPacking.Unpack(entry.Ingest, appId, userId, reader.GetFieldValue<byte[]>(0), reader.GetInt64(1)), afterSeq);
        }
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Seq < rows[i - 1].Seq)
            {
                rows.Sort((x, y) => x.Seq.CompareTo(y.Seq));
                break;
            }
        }
        return rows;
    }

    private static void AddAfter(List<LogRow> rows, IEnumerable<LogRow> unpacked, long afterSeq)
    {
        foreach (var row in unpacked)
        {
            if (row.Seq > afterSeq)
                rows.Add(row);
        }
    }
}
