namespace Greengage.Storage.Sqlite;

/// <summary>
/// Where and how <see cref="SqliteStore"/> keeps its database. Set one of <see cref="ConnectionString"/>,
/// <see cref="DatabasePath"/> or <see cref="DataDirectory"/> (checked in that order). The database must be a file:
/// in-memory databases are refused (readers use their own connections).
/// </summary>
public sealed class SqliteStorageOptions
{
    /// <summary>The file name used inside <see cref="DataDirectory"/>.</summary>
    public const string DefaultFileName = "greengage.db";

    /// <summary>A directory (created if missing) that holds <see cref="DefaultFileName"/>.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>An explicit database file path (its directory is created if missing).</summary>
    public string? DatabasePath { get; set; }

    /// <summary>
    /// A full Microsoft.Data.Sqlite connection string. The store overrides Mode, Pooling, ForeignKeys and
    /// Default Timeout on the connections it derives from it.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Maps to <c>PRAGMA synchronous</c>; see <see cref="SqliteDurability"/>.</summary>
    public SqliteDurability Durability { get; set; } = SqliteDurability.Normal;

    /// <summary>
    /// How many log rows may wait in memory for the per-user index before the writer merges them into it (a range of
    /// users at a time, between commits). More rows make each index page written carry more of them; all of them are
    /// read back from the log after a restart.
    /// </summary>
    public int IndexLagRows { get; set; } = 524_288;

    /// <summary>About how many rows one merge step (one transaction between two commits) puts into the index.</summary>
    public int IndexMergeChunkRows { get; set; } = 4_096;

    /// <summary>
    /// The share of the writer's time a merge cycle may take (above 0, at most 1), so that commits keep their pace
    /// while it runs; past twice <see cref="IndexLagRows"/> the writer merges after every commit regardless.
    /// </summary>
    public double IndexMergeShare { get; set; } = 0.2;

    /// <summary>How long a statement waits for a lock held by another connection or process before it fails.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
