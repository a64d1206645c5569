using Greengage.Engine.Storage;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<IReadOnlyList<ContentDocument>> ListContentAsync(string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return ReadAsync<IReadOnlyList<ContentDocument>>(transaction =>
        {
            var documents = new List<ContentDocument>();
            using var command = Command(transaction, "SELECT kind, key, body, updated_ms FROM app_content WHERE app_id = @app ORDER BY kind, key;");
            command.Parameters.AddWithValue("@app", appId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                documents.Add(new ContentDocument(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetInt64(3)));
            return documents;
        }, cancellationToken);
    }

    public Task WriteContentAsync(string appId, IReadOnlyList<ContentDocument> puts, IReadOnlyList<(string Kind, string Key)> deletes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return WriteAsync(transaction =>
        {
            using (var put = Command(transaction, """
                INSERT INTO app_content (app_id, kind, key, body, updated_ms) VALUES (@app, @kind, @key, @body, @at)
                ON CONFLICT (app_id, kind, key) DO UPDATE SET body = excluded.body, updated_ms = excluded.updated_ms;
                """))
            {
                put.Parameters.AddWithValue("@app", appId);
                var kind = put.Parameters.AddWithValue("@kind", "");
                var key = put.Parameters.AddWithValue("@key", "");
                var body = put.Parameters.AddWithValue("@body", Array.Empty<byte>());
                var at = put.Parameters.AddWithValue("@at", 0L);
                foreach (var document in puts)
                {
                    (kind.Value, key.Value, body.Value, at.Value) = (document.Kind, document.Key, document.Body, document.UpdatedMs);
                    put.ExecuteNonQuery();
                }
            }
            using (var delete = Command(transaction, "DELETE FROM app_content WHERE app_id = @app AND kind = @kind AND key = @key;"))
            {
                delete.Parameters.AddWithValue("@app", appId);
                var kind = delete.Parameters.AddWithValue("@kind", "");
                var key = delete.Parameters.AddWithValue("@key", "");
                foreach (var (k, name) in deletes)
                {
                    (kind.Value, key.Value) = (k, name);
                    delete.ExecuteNonQuery();
                }
            }
            return true;
        }, cancellationToken);
    }
}
