namespace Greengage.Storage.Sqlite;

/// <summary>
/// The log rows not yet in <c>activity_index</c>, by user, in memory. A commit appends its rows to the log only (one
/// page at the end of the table) and records them here; the writer merges them into the index in the background, in
/// key order and a range of users at a time (<see cref="NextChunk"/>), so that an index page is written once for every
/// row of its users instead of once per commit. Everything that finds a user's rows through the index also looks here.
/// <para>
/// Changes made inside a write transaction are pending until <see cref="Commit"/> (after SQLite's commit) and dropped
/// by <see cref="Abandon"/> or <see cref="RollbackTo"/> (a savepoint undone), so memory never runs ahead of disk. The
/// writer's methods run under the store's write lock; readers take <see cref="EntriesOf"/>, a copy under this object's
/// lock, before they start their read transaction: a merge removes rows from here only after it committed them to the
/// index, so a reader finds every row in one place or the other, or both (it dedups by ingest number).
/// </para>
/// </summary>
internal sealed class LogTail(int mergeThreshold, int chunkRows)
{
    /// <summary>A row of the log: the user's last sequence number in it and its ingest number.</summary>
    public readonly record struct Entry(long LastSeq, long Ingest);

    /// <summary>Most lists kept for reuse (<see cref="Release"/>), and the largest capacity one may have to be kept.</summary>
    private const int SpareLists = 4_096;
    private const int SpareListCapacity = 16;

    private readonly object _lock = new();
    private readonly Dictionary<long, List<Entry>> _users = [];
    private readonly Stack<List<Entry>> _spare = new();
    private readonly List<Change> _pending = [];

    /// <summary>
    /// Per user in <see cref="_pending"/>, its highest sequence number there (null: indexed, no row since), for the
    /// fence, which asks once per set; rebuilt after a rollback.
    /// </summary>
    private readonly Dictionary<long, long?> _pendingMaxSeq = [];
    private int _count;
    private long _maxIngest;
    private long[]? _cycle;
    private int _cursor;
    private long _cycleThrough;

    private volatile bool _loaded;

    /// <summary>Whether <see cref="Load"/> ran (the store loads the tail once, before the first read or write).</summary>
    public bool Loaded => _loaded;

    /// <summary>Rows held here (committed ones).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _count;
        }
    }

    /// <summary>Whether the writer should merge a chunk now: enough rows wait, or a merge cycle is under way.</summary>
    public bool MergeDue => _cycle is not null || Volatile.Read(ref _count) >= mergeThreshold;

    /// <summary>Takes the rows a restart found in the log but not in the index (<see cref="Loaded"/> from then on).</summary>
    public void Load(IEnumerable<(long User, Entry Entry)> rows, long maxIngest)
    {
        lock (_lock)
        {
            foreach (var (user, entry) in rows)
                AddCommitted(user, entry);
            _maxIngest = Math.Max(_maxIngest, maxIngest);
            _loaded = true;
        }
    }

    /// <summary>A row written in the current transaction (writer thread).</summary>
    public void Added(long user, long lastSeq, long ingest)
    {
        var change = new Change(user, new Entry(lastSeq, ingest), Indexed: false);
        _pending.Add(change);
        Note(change);
    }

    /// <summary>Every row of <paramref name="user"/> held so far (pending ones too) went into the index in this transaction.</summary>
    public void Indexed(long user)
    {
        var change = new Change(user, default, Indexed: true);
        _pending.Add(change);
        Note(change);
    }

    /// <summary>A point to go back to when a savepoint is undone.</summary>
    public int Mark() => _pending.Count;

    public void RollbackTo(int mark)
    {
        if (mark == _pending.Count)
            return;
        _pending.RemoveRange(mark, _pending.Count - mark);
        _pendingMaxSeq.Clear();
        foreach (var change in _pending)
            Note(change);
    }

    /// <summary>The transaction failed, or is about to start: nothing of the changes noted so far happened.</summary>
    public void Abandon()
    {
        _pending.Clear();
        _pendingMaxSeq.Clear();
    }

    /// <summary>The transaction committed: its changes take effect. Returns the rows it added.</summary>
    public int Commit()
    {
        if (_pending.Count == 0)
            return 0;
        var added = 0;
        lock (_lock)
        {
            foreach (var change in _pending)
            {
                if (!change.Indexed)
                {
                    AddCommitted(change.User, change.Entry);
                    _maxIngest = Math.Max(_maxIngest, change.Entry.Ingest);
                    added++;
                }
                else if (_users.Remove(change.User, out var gone))
                {
                    _count -= gone.Count;
                    Release(gone);
                }
            }
        }
        Abandon();
        return added;
    }

    /// <summary>
    /// The highest sequence number among the rows of <paramref name="user"/> held here, pending ones included (writer
    /// thread; the fence). A user's rows arrive in sequence order (the fence itself, and a restart reads them back in
    /// ingest order), so the last one has it.
    /// </summary>
    public long? MaxSeq(long user)
    {
        // A row of this transaction is above the user's committed ones; a user indexed in it has no row here but those
        // added since.
        if (_pendingMaxSeq.TryGetValue(user, out var pending))
            return pending;
        lock (_lock)
            return _users.TryGetValue(user, out var entries) ? entries[^1].LastSeq : null;
    }

    /// <summary>
    /// The rows of <paramref name="user"/> held here, by sequence number (they arrive in that order); with
    /// <paramref name="withPending"/> (writer thread only) the current transaction's too.
    /// </summary>
    public List<Entry> EntriesOf(long user, bool withPending = false)
    {
        var result = new List<Entry>();
        lock (_lock)
        {
            if (_users.TryGetValue(user, out var entries))
                result.AddRange(entries);
        }
        if (withPending)
        {
            foreach (var change in _pending)
            {
                if (change.User != user)
                    continue;
                if (change.Indexed)
                    result.Clear();
                else
                    result.Add(change.Entry);
            }
        }
        return result;
    }

    /// <summary>
    /// The next users to merge, in key order, about <paramref name="chunkRows"/> rows (or <paramref name="minRows"/>, if
    /// more) in all (writer thread). A cycle starts with the users held when it starts and ends when the last of them
    /// was merged; then
    /// <paramref name="mergedThrough"/> is the highest ingest number committed when it started: every row up to it is in
    /// the index from then on.
    /// </summary>
    public List<(long User, List<Entry> Entries)> NextChunk(int minRows, out long? mergedThrough)
    {
        mergedThrough = null;
        var chunk = new List<(long, List<Entry>)>();
        lock (_lock)
        {
            if (_cycle is null)
            {
                _cycle = [.. _users.Keys];
                Array.Sort(_cycle);
                _cursor = 0;
                _cycleThrough = _maxIngest;
            }
            var rows = 0;
            var want = Math.Max(chunkRows, minRows);
            while (_cursor < _cycle.Length && rows < want)
            {
                var user = _cycle[_cursor++];
                if (!_users.TryGetValue(user, out var entries))
                    continue;
                chunk.Add((user, [.. entries]));
                rows += entries.Count;
            }
            if (_cursor >= _cycle.Length)
            {
                mergedThrough = _cycleThrough;
                _cycle = null;
            }
        }
        return chunk;
    }

    /// <summary>A merge transaction failed: the cycle starts over, so that its end never claims rows it did not merge.</summary>
    public void AbandonCycle()
    {
        lock (_lock)
            _cycle = null;
    }

    /// <summary>A user's rows come in sequence order, so its latest pending row has its highest sequence number.</summary>
    private void Note(Change change) => _pendingMaxSeq[change.User] = change.Indexed ? null : change.Entry.LastSeq;

    private void AddCommitted(long user, Entry entry)
    {
        if (!_users.TryGetValue(user, out var entries))
            _users[user] = entries = _spare.TryPop(out var kept) ? kept : new List<Entry>(2);
        entries.Add(entry);
        _count++;
    }

    /// <summary>
    /// Keeps an indexed user's list for the next user that comes (the tail lives as long as the store, and most users
    /// come back: a new list for it to point at is work for every young collection until both are old). Lists never leave
    /// this class, so none is still in use.
    /// </summary>
    private void Release(List<Entry> entries)
    {
        if (_spare.Count >= SpareLists || entries.Capacity > SpareListCapacity)
            return;
        entries.Clear();
        _spare.Push(entries);
    }

    private readonly record struct Change(long User, Entry Entry, bool Indexed);
}
