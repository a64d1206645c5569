using Greengage.Engine.Storage;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>The snapshot (or null) and the log rows after its sequence number, in one read transaction.</summary>
    public Task<StoredUser> LoadAsync(string appId, string userId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(userId);
        return ReadAsync(transaction =>
        {
            UserSnapshot? snapshot = null;
            using (var command = Command(transaction,
                "SELECT version, seq, state FROM user_snapshots WHERE app_id = @app AND user_id = @user;"))
            {
                command.Parameters.AddWithValue("@app", appId);
                command.Parameters.AddWithValue("@user", userId);
                using var reader = command.ExecuteReader();
                if (reader.Read())
                {
                    snapshot = new UserSnapshot(reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
                }
            }

            var tail = ReadUserRows(transaction, appId, userId, snapshot?.Seq ?? long.MinValue);
            return new StoredUser(snapshot, tail);
        }, cancellationToken);
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
            var outcomes = writer.InTransaction(transaction => writer.Commit.Apply(transaction, sets, NowMs()));
            _checkpointer.Written(ApproximateSize(sets));
            if (_checkpointer.TailDue)
                _checkpointer.FinishTail(writer.Connection);
            return outcomes;
        }, cancellationToken);
    }

    /// <summary>Roughly how many bytes a commit adds to the WAL (rows, index entries, snapshots).</summary>
    private static long ApproximateSize(IReadOnlyList<UserWriteSet> sets)
    {
        long bytes = 0;
        foreach (var set in sets)
        {
            foreach (var row in set.Rows)
            {
                bytes += row.Body.Length + 96;
            }

            bytes += set.Snapshot is { } snapshot ? snapshot.State.Length + 64 : 0;
        }

        return bytes;
    }
}
