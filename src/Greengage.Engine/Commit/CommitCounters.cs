namespace Greengage.Engine.Commit;

/// <summary>What the writer has done since start; read by tests and metrics.</summary>
public sealed class CommitCounters
{
    private long _transactions;
    private long _writeSets;
    private long _logRows;
    private long _snapshots;
    private long _fenceViolations;
    private long _outboxItems;

    public long Transactions => Interlocked.Read(ref _transactions);
    public long WriteSets => Interlocked.Read(ref _writeSets);
    public long LogRows => Interlocked.Read(ref _logRows);
    public long SnapshotWrites => Interlocked.Read(ref _snapshots);
    public long FenceViolations => Interlocked.Read(ref _fenceViolations);

    /// <summary>Work items due at once written in users' commits (sends for the outbox).</summary>
    public long OutboxItems => Interlocked.Read(ref _outboxItems);

    internal void Count(int sets, int rows, int snapshots, int violations, int outbox = 0)
    {
        Interlocked.Add(ref _outboxItems, outbox);
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _writeSets, sets);
        Interlocked.Add(ref _logRows, rows);
        Interlocked.Add(ref _snapshots, snapshots);
        Interlocked.Add(ref _fenceViolations, violations);
    }
}
