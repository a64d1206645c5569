using Greengage.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>Stores a new app with its keys. Throws <see cref="InvalidOperationException"/> when the app id or a key is taken.</summary>
    public Task CreateAppAsync(StoredApp app, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(app);
        return WriteAsync(transaction =>
        {
            try
            {
                using (var insert = Command(transaction, """
                    INSERT INTO apps (app_id, name, created_ms, token_secret) VALUES (@app, @name, @created, @secret);
                    """))
                {
                    insert.Parameters.AddWithValue("@app", app.AppId);
                    insert.Parameters.AddWithValue("@name", app.Name);
                    insert.Parameters.AddWithValue("@created", app.Created.ToUnixTimeMilliseconds());
                    insert.Parameters.AddWithValue("@secret", app.TokenSecret);
                    insert.ExecuteNonQuery();
                }

                foreach (var (keyClass, key) in app.Keys)
                {
                    InsertKey(transaction, app.AppId, keyClass, key);
                }
            }
            catch (SqliteException ex) when (IsConstraintViolation(ex))
            {
                throw new InvalidOperationException($"App '{app.AppId}' or one of its keys already exists.", ex);
            }

            return true;
        }, cancellationToken);
    }

    public Task<StoredApp?> GetAppAsync(string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return ReadAsync(transaction => LoadApp(transaction, appId), cancellationToken);
    }

    /// <summary>All apps, ordered by app id.</summary>
    public Task<IReadOnlyList<StoredApp>> ListAppsAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<StoredApp>>(transaction =>
        {
            var keys = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            using (var command = Command(transaction, "SELECT app_id, key_class, key FROM app_keys;"))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var appId = reader.GetString(0);
                    if (!keys.TryGetValue(appId, out var ofApp))
                    {
                        keys[appId] = ofApp = new Dictionary<string, string>(StringComparer.Ordinal);
                    }

                    ofApp[reader.GetString(1)] = reader.GetString(2);
                }
            }

            var apps = new List<StoredApp>();
            using (var command = Command(transaction,
                "SELECT app_id, name, created_ms, token_secret FROM apps ORDER BY app_id;"))
            using (var reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    var appId = reader.GetString(0);
                    apps.Add(ToApp(reader, keys.GetValueOrDefault(appId) ?? new(StringComparer.Ordinal)));
                }
            }

            return apps;
        }, cancellationToken);

    /// <summary>Replaces the key of <paramref name="keyClass"/> (the old key row is deleted). Null when the app is missing.</summary>
    public Task<StoredApp?> ReplaceKeyAsync(string appId, string keyClass, string newKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(keyClass);
        ArgumentNullException.ThrowIfNull(newKey);
        return WriteAsync(transaction =>
        {
            if (LoadApp(transaction, appId) is null)
            {
                return null;
            }

            using (var delete = Command(transaction, "DELETE FROM app_keys WHERE app_id = @app AND key_class = @class;"))
            {
                delete.Parameters.AddWithValue("@app", appId);
                delete.Parameters.AddWithValue("@class", keyClass);
                delete.ExecuteNonQuery();
            }

            try
            {
                InsertKey(transaction, appId, keyClass, newKey);
            }
            catch (SqliteException ex) when (IsConstraintViolation(ex))
            {
                throw new InvalidOperationException("The new key is already in use.", ex);
            }

            return LoadApp(transaction, appId);
        }, cancellationToken);
    }

    private static void InsertKey(SqliteTransaction transaction, string appId, string keyClass, string key)
    {
        using var insert = Command(transaction, "INSERT INTO app_keys (key, app_id, key_class) VALUES (@key, @app, @class);");
        insert.Parameters.AddWithValue("@key", key);
        insert.Parameters.AddWithValue("@app", appId);
        insert.Parameters.AddWithValue("@class", keyClass);
        insert.ExecuteNonQuery();
    }

    private static StoredApp? LoadApp(SqliteTransaction transaction, string appId)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var command = Command(transaction, "SELECT key_class, key FROM app_keys WHERE app_id = @app;"))
        {
            command.Parameters.AddWithValue("@app", appId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                keys[reader.GetString(0)] = reader.GetString(1);
            }
        }

        using (var command = Command(transaction,
            "SELECT app_id, name, created_ms, token_secret FROM apps WHERE app_id = @app;"))
        {
            command.Parameters.AddWithValue("@app", appId);
            using var reader = command.ExecuteReader();
            return reader.Read() ? ToApp(reader, keys) : null;
        }
    }

    private static StoredApp ToApp(SqliteDataReader reader, Dictionary<string, string> keys) =>
        new(reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            reader.GetString(3), keys);
}
