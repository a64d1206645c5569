namespace Greengage.Storage.Sqlite;

/// <summary>How hard SQLite works to keep a commit across a crash (WAL mode in both cases).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>PRAGMA synchronous=NORMAL</c>: a commit survives a crash of the process, but the last commits before a
    /// power loss or OS crash may be lost (the database stays consistent). Much faster: no fsync per commit.
    /// </summary>
    Normal,

    /// <summary><c>PRAGMA synchronous=FULL</c>: every commit is fsynced to the WAL before it returns.</summary>
    Full,
}
