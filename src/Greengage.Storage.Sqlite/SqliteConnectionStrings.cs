using Microsoft.Data.Sqlite;

namespace Greengage.Storage.Sqlite;

/// <summary>The connection strings derived from <see cref="SqliteStorageOptions"/>: one writer, pooled readers.</summary>
internal sealed record SqliteConnectionStrings(string Writer, string Reader, string FilePath)
{
    public static SqliteConnectionStrings From(SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BusyTimeout, TimeSpan.Zero, nameof(options.BusyTimeout));
        var builder = Base(options);
        if (builder.Mode == SqliteOpenMode.Memory || string.IsNullOrWhiteSpace(builder.DataSource)
            || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("SqliteStore needs a database file; in-memory databases are not supported.");
        }

        if (!builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource);
        }

        builder.DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        var writer = new SqliteConnectionStringBuilder(builder.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
        };
        var reader = new SqliteConnectionStringBuilder(builder.ConnectionString)
        {
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = true,
        };
        return new SqliteConnectionStrings(writer.ConnectionString, reader.ConnectionString, builder.DataSource);
    }

    private static SqliteConnectionStringBuilder Base(SqliteStorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return new SqliteConnectionStringBuilder(options.ConnectionString);
        }

        if (!string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            return new SqliteConnectionStringBuilder { DataSource = options.DatabasePath };
        }

        if (!string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            return new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(options.DataDirectory, SqliteStorageOptions.DefaultFileName),
            };
        }

        throw new InvalidOperationException(
            "SqliteStorageOptions needs a ConnectionString, a DatabasePath or a DataDirectory.");
    }
}
