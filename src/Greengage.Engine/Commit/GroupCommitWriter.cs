using Greengage.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace Greengage.Engine.Commit;

/// <summary>
/// Group commit (ARCHITECTURE decision 3): callers queue their write sets and wait; one writer thread takes everything
/// queued, commits it in one transaction and answers every waiter after the commit. The queue is bounded: when it is
/// full, <see cref="CommitAsync"/> throws <see cref="StorageUnavailableException"/> at once (the server answers 503).
/// </summary>
public sealed partial class GroupCommitWriter : IAsyncDisposable
{
    private readonly IUserStore _store;
    private readonly CommitOptions _options;
    private readonly ILogger _logger;
    // A plain queue under a lock: the caller that finds the writer waiting wakes its thread directly. (A channel's
    // waiter would be woken through a thread-pool work item first, which on a busy 2-core box waits its turn behind
    // the requests.)
    private readonly object _lock = new();
    private readonly Queue<Pending> _queue = new();
    private readonly Thread _thread;
    private bool _writerWaiting;
    private bool _completed;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public GroupCommitWriter(IUserStore store, CommitOptions options, ILogger<GroupCommitWriter> logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = "greengage-group-commit" };
        _thread.Start();
    }

    public CommitCounters Counters { get; } = new();

    /// <summary>
    /// Queues <paramref name="writes"/> and completes once they are durable (or refused by the fence). By default the
    /// caller's continuation runs on the writer thread, which suits a grain (its await resumes on its own scheduler
    /// anyway, and one thread-pool hop per request less is measurable); a caller off any grain passes
    /// <paramref name="resumeOnThreadPool"/> so that its work does not run on, and stall, the writer.
    /// </summary>
    public Task<CommitOutcome> CommitAsync(UserWriteSet writes, bool resumeOnThreadPool = false)
    {
        var pending = new Pending(writes, new TaskCompletionSource<CommitOutcome>(
            resumeOnThreadPool ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None));
        lock (_lock)
        {
            if (_completed || _queue.Count >= _options.QueueCapacity)
            {
                throw new StorageUnavailableException(
                    _completed ? "The server is shutting down." : "The write queue is full.", _options.RetryAfterSeconds);
            }
            _queue.Enqueue(pending);
            if (_writerWaiting)
            {
                _writerWaiting = false;
                Monitor.Pulse(_lock);
            }
        }
        return pending.Done.Task;
    }

    /// <summary>Stops taking writes and commits everything already queued.</summary>
    public async Task StopAsync()
    {
        lock (_lock)
        {
            _completed = true;
            Monitor.Pulse(_lock);
        }
        await _stopped.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private void Run()
    {
        var batch = new List<Pending>(_options.MaxBatch);
        var sets = new List<UserWriteSet>(_options.MaxBatch);
        try
        {
            while (Take(batch))
            {
                foreach (var p in batch)
                    sets.Add(p.Writes);
                CommitBatch(batch, sets);
                batch.Clear();
                sets.Clear();
            }
        }
        finally
        {
            _stopped.TrySetResult();
        }
    }

    /// <summary>Waits for writes and moves up to MaxBatch of them into <paramref name="batch"/>; false once stopped and drained.</summary>
    private bool Take(List<Pending> batch)
    {
        lock (_lock)
        {
            while (_queue.Count == 0)
            {
                if (_completed)
                    return false;
                _writerWaiting = true;
                Monitor.Wait(_lock);
            }
            while (batch.Count < _options.MaxBatch && _queue.TryDequeue(out var p))
                batch.Add(p);
            return true;
        }
    }

    private void CommitBatch(List<Pending> batch, List<UserWriteSet> sets)
    {
        try
        {
            var outcomes = _store.CommitAsync(sets, CancellationToken.None).GetAwaiter().GetResult();
            int rows = 0, snapshots = 0, violations = 0, outbox = 0;
            var now = DateTimeOffset.UtcNow.AddSeconds(1);
            for (var i = 0; i < batch.Count; i++)
            {
                if (outcomes[i] == CommitOutcome.Committed)
                {
                    for (var set = sets[i]; set is not null; set = set.Along)
                    {
                        rows += set.Rows.Count;
                        snapshots += set.Snapshot is null ? 0 : 1;
                        // Only sends due now: the dispatcher cannot take up a deferred one (quiet hours, a delay) yet.
                        foreach (var item in set.Outbox ?? [])
                            outbox += item.NotBefore <= now ? 1 : 0;
                    }
                }
                else
                {
                    violations++;
                }
            }
            Counters.Count(batch.Count, rows, snapshots, violations, outbox);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Done.TrySetResult(outcomes[i]);
        }
        catch (Exception e)
        {
            LogCommitFailed(_logger, batch.Count, e);
            var error = new StorageUnavailableException("The store could not commit.", _options.RetryAfterSeconds, e);
            foreach (var p in batch)
                p.Done.TrySetException(error);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit of {Count} write sets failed")]
    private static partial void LogCommitFailed(ILogger logger, int count, Exception exception);

    private sealed record Pending(UserWriteSet Writes, TaskCompletionSource<CommitOutcome> Done);
}
