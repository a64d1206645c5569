using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private static readonly Lazy<IReadOnlyList<MigrationScript>> Migrations = new(MigrationScript.LoadAll);

    /// <summary>Applies every embedded migration not yet recorded in <c>schema_migrations</c>, each in its own transaction.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) =>
        WithWriterAsync(writer =>
        {
            using (var create = writer.Connection.CreateCommand())
            {
                create.CommandText = """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    INTEGER PRIMARY KEY,
                        applied_ms INTEGER NOT NULL
                    );
                    """;
                create.ExecuteNonQuery();
            }

            foreach (var migration in Migrations.Value)
            {
                writer.InTransaction(transaction => Apply(transaction, migration));
            }

            Prepare(writer);
            return true;
        }, cancellationToken, beforeMigration: true);

    /// <summary>The highest applied migration version; 0 for a database never migrated.</summary>
    public Task<int> SchemaVersionAsync(CancellationToken cancellationToken) =>
        WithWriterAsync(writer =>
        {
            using var command = writer.Connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations';";
            if (Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 0)
            {
                return 0;
            }

            command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }, cancellationToken, beforeMigration: true);

    private bool Apply(SqliteTransaction transaction, MigrationScript migration)
    {
        using (var applied = Command(transaction, "SELECT 1 FROM schema_migrations WHERE version = @version;"))
        {
            applied.Parameters.AddWithValue("@version", migration.Version);
            if (applied.ExecuteScalar() is not null)
            {
                return false;
            }
        }

        using (var script = Command(transaction, migration.Sql))
        {
            script.ExecuteNonQuery();
        }

        using var record = Command(transaction,
            "INSERT INTO schema_migrations (version, applied_ms) VALUES (@version, @applied);");
        record.Parameters.AddWithValue("@version", migration.Version);
        record.Parameters.AddWithValue("@applied", NowMs());
        record.ExecuteNonQuery();
        return true;
    }
}
