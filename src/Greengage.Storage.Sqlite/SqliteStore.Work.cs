using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task EnqueueAsync(IReadOnlyList<NewWorkItem> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(transaction =>
        {
            using var insert = Command(transaction, """
                INSERT INTO work_items (queue, payload, not_before_ms, attempts, created_ms, key)
                VALUES (@queue, @payload, @notBefore, 0, @now, @key);
                """);
            var key = insert.Parameters.Add("@key", SqliteType.Text);
            var queue = insert.Parameters.Add("@queue", SqliteType.Text);
            var payload = insert.Parameters.Add("@payload", SqliteType.Text);
            var notBefore = insert.Parameters.Add("@notBefore", SqliteType.Integer);
            insert.Parameters.AddWithValue("@now", NowMs());
            foreach (var item in items)
            {
                queue.Value = item.Queue;
                key.Value = (object?)item.Key ?? DBNull.Value;
                payload.Value = item.Payload;
                notBefore.Value = item.NotBefore.ToUnixTimeMilliseconds();
                insert.ExecuteNonQuery();
            }

            return items.Count;
        }, cancellationToken);
    }

    /// <summary>
    /// Atomically (in one write transaction) takes up to <paramref name="max"/> due items nobody holds or whose lease
    /// ran out, oldest <c>not_before</c> first, and leases them to <paramref name="owner"/> until now + lease.
    /// </summary>
    public Task<IReadOnlyList<WorkItem>> ClaimAsync(
        string queue, string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(lease, TimeSpan.Zero);
        if (max <= 0)
        {
            return Task.FromResult<IReadOnlyList<WorkItem>>([]);
        }

        var nowMs = now.ToUnixTimeMilliseconds();
        var leaseUntilMs = (now + lease).ToUnixTimeMilliseconds();
        return WriteAsync<IReadOnlyList<WorkItem>>(transaction =>
        {
            using var claim = Command(transaction, """
                UPDATE work_items SET owner = @owner, lease_until_ms = @leaseUntil
                WHERE id IN (
                    SELECT id FROM work_items
                    WHERE queue = @queue AND not_before_ms <= @now AND (owner IS NULL OR lease_until_ms <= @now)
                    ORDER BY not_before_ms, id
                    LIMIT @max)
                RETURNING id, queue, payload, not_before_ms, attempts, owner, lease_until_ms, key;
                """);
            claim.Parameters.AddWithValue("@owner", owner);
            claim.Parameters.AddWithValue("@leaseUntil", leaseUntilMs);
            claim.Parameters.AddWithValue("@queue", queue);
            claim.Parameters.AddWithValue("@now", nowMs);
            claim.Parameters.AddWithValue("@max", max);
            var claimed = new List<WorkItem>();
            using (var reader = claim.ExecuteReader())
            {
                while (reader.Read())
                {
                    claimed.Add(new WorkItem(
                        reader.GetInt64(0),
                        reader.GetString(1),
                        reader.GetString(2),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                        reader.GetInt32(4),
                        reader.GetString(5),
                        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                        reader.IsDBNull(7) ? null : reader.GetString(7)));
                }
            }

            // RETURNING yields rows in no defined order.
            claimed.Sort((a, b) => a.NotBefore != b.NotBefore ? a.NotBefore.CompareTo(b.NotBefore) : a.Id.CompareTo(b.Id));
            return claimed;
        }, cancellationToken);
    }

    public Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(transaction =>
        {
            using var delete = Command(transaction, "DELETE FROM work_items WHERE id = @id AND owner = @owner;");
            delete.Parameters.AddWithValue("@id", id);
            delete.Parameters.AddWithValue("@owner", owner);
            return delete.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    public Task<bool> ReleaseAsync(long id, string owner, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        GiveBackAsync(id, owner, notBefore, attempted: true, cancellationToken);

    public Task<bool> PostponeAsync(long id, string owner, DateTimeOffset notBefore, CancellationToken cancellationToken) =>
        GiveBackAsync(id, owner, notBefore, attempted: false, cancellationToken);

    private Task<bool> GiveBackAsync(long id, string owner, DateTimeOffset notBefore, bool attempted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return WriteAsync(transaction =>
        {
            using var release = Command(transaction, """
                UPDATE work_items
                SET owner = NULL, lease_until_ms = NULL, not_before_ms = @notBefore, attempts = attempts + @attempted
                WHERE id = @id AND owner = @owner;
                """);
            release.Parameters.AddWithValue("@notBefore", notBefore.ToUnixTimeMilliseconds());
            release.Parameters.AddWithValue("@attempted", attempted ? 1 : 0);
            release.Parameters.AddWithValue("@id", id);
            release.Parameters.AddWithValue("@owner", owner);
            return release.ExecuteNonQuery() == 1;
        }, cancellationToken);
    }

    public Task<bool> FailAsync(long id, string owner, string reason, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(reason);
        return WriteAsync(transaction =>
        {
            using var move = Command(transaction, """
                INSERT INTO work_failures (id, queue, key, payload, attempts, reason, failed_ms)
                SELECT id, queue, key, payload, attempts + 1, @reason, @at FROM work_items WHERE id = @id AND owner = @owner;
                """);
            move.Parameters.AddWithValue("@reason", reason);
            move.Parameters.AddWithValue("@at", at.ToUnixTimeMilliseconds());
            move.Parameters.AddWithValue("@id", id);
            move.Parameters.AddWithValue("@owner", owner);
            if (move.ExecuteNonQuery() != 1)
                return false;
            using var delete = Command(transaction, "DELETE FROM work_items WHERE id = @id;");
            delete.Parameters.AddWithValue("@id", id);
            delete.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Removes in steps of <see cref="RemoveStep"/> rows by id (whatever their queue), each its own transaction: a
    /// message's waiting users can be a million rows, and group commits go on between the steps. No index holds the key
    /// (the outbox would pay for it on every send), so a removal reads the table once; <c>NOT INDEXED</c> keeps SQLite
    /// on the id range instead of scanning the whole queue by its index at every step.
    /// </summary>
    public async Task<int> RemoveAsync(string queue, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(key);
        var removed = 0;
        long after = 0;
        while (true)
        {
            var (last, count) = await WriteAsync(transaction =>
            {
                using var window = Command(transaction, "SELECT MAX(id) FROM (SELECT id FROM work_items WHERE id > @after ORDER BY id LIMIT @step);");
                window.Parameters.AddWithValue("@after", after);
                window.Parameters.AddWithValue("@step", RemoveStep);
                if (window.ExecuteScalar() is not long end)
                    return ((long?)null, 0);
                using var delete = Command(transaction, """
                    DELETE FROM work_items NOT INDEXED WHERE id > @after AND id <= @end AND queue = @queue AND key = @key;
                    """);
                delete.Parameters.AddWithValue("@after", after);
                delete.Parameters.AddWithValue("@end", end);
                delete.Parameters.AddWithValue("@queue", queue);
                delete.Parameters.AddWithValue("@key", key);
                return (end, delete.ExecuteNonQuery());
            }, cancellationToken);
            if (last is not { } end)
                return removed;
            removed += count;
            after = end;
        }
    }

    /// <summary>Rows read per step of <see cref="RemoveAsync"/>: a step that removes them all holds the writer for tens of milliseconds.</summary>
    private const int RemoveStep = 500;

    public async Task<IReadOnlyList<FailedWorkItem>> ListFailedAsync(string queue, string key, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(key);
        if (limit <= 0)
            return [];
        return await WriteAsync<IReadOnlyList<FailedWorkItem>>(transaction =>
        {
            using var select = Command(transaction, """
                SELECT id, queue, key, payload, attempts, reason, failed_ms FROM work_failures
                WHERE queue = @queue AND key = @key ORDER BY failed_ms DESC, id DESC LIMIT @limit;
                """);
            select.Parameters.AddWithValue("@queue", queue);
            select.Parameters.AddWithValue("@key", key);
            select.Parameters.AddWithValue("@limit", limit);
            var failed = new List<FailedWorkItem>();
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                failed.Add(new FailedWorkItem(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetString(3), reader.GetInt32(4), reader.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
            }
            return failed;
        }, cancellationToken);
    }
}
