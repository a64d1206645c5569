using Greengage.Engine.Storage;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    public Task<IReadOnlyList<AppName>> ListAppNamesAsync(string appId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return ReadAsync<IReadOnlyList<AppName>>(transaction =>
        {
            var names = new List<AppName>();
            using var command = Command(transaction, "SELECT kind, name FROM app_names WHERE app_id = @app ORDER BY kind, name;");
            command.Parameters.AddWithValue("@app", appId);
            using var reader = command.ExecuteReader();
            while (reader.Read())
                names.Add(new AppName(reader.GetString(0), reader.GetString(1)));
            return names;
        }, cancellationToken);
    }

    public Task AddAppNamesAsync(string appId, IReadOnlyList<AppName> names, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(appId);
        ArgumentNullException.ThrowIfNull(names);
        if (names.Count == 0)
            return Task.CompletedTask;
        return WriteAsync(transaction =>
        {
            using var insert = Command(transaction, """
                INSERT INTO app_names (app_id, kind, name, created_ms) VALUES (@app, @kind, @name, @at)
                ON CONFLICT (app_id, kind, name) DO NOTHING;
                """);
            var app = insert.Parameters.AddWithValue("@app", appId);
            var kind = insert.Parameters.AddWithValue("@kind", "");
            var name = insert.Parameters.AddWithValue("@name", "");
            insert.Parameters.AddWithValue("@at", at.ToUnixTimeMilliseconds());
            foreach (var n in names)
            {
                kind.Value = n.Kind;
                name.Value = n.Name;
                insert.ExecuteNonQuery();
            }
            return true;
        }, cancellationToken);
    }
}
