using System.Collections.Concurrent;
using Greengage.Cluster.Hosting;
using Greengage.Engine.Actions;
using Greengage.Engine.Commit;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Microsoft.Extensions.Logging;

namespace Greengage.Cluster.Grains;

/// <summary>
/// The gateway the server uses (<see cref="IUserGateway"/>): a run of the app's actions goes to the user's grain
/// (<see cref="OrleansUserGateway"/>), and so does the server's own work (a scheduled send, a delivery outcome, a
/// sweep) for a user who is active here. For a user who is not, the server's work is applied in place, the way an
/// activation would apply it but without one: under a local lease (<see cref="UserResidency"/>, which an activation
/// that starts meanwhile waits for), from the state a scan just read or else loaded from the store, committed through
/// the same group-commit writer with the same fences, and forgotten. A campaign to a million users then costs
/// neither a million activations nor Orleans messages. Anything out of the ordinary (a fence that failed because the
/// user changed since the scan, a user that moved, a handler that threw) goes to the grain instead, which loads the
/// user afresh: nothing of the in-place attempt was written.
/// </summary>
public sealed partial class ServerWorkGateway(
    OrleansUserGateway grains,
    UserResidency residency,
    IUserStore store,
    GroupCommitWriter writer,
    UserProcessorFactory processors,
    TimeProvider time,
    GreengageClusterOptions options,
    ILogger<ServerWorkGateway> logger) : IUserGateway
{
    private long _inPlace;
    private long _toGrain;
    private long _loaded;

    /// <summary>
    /// Users who just had sends queued in place, kept as applied (oldest first, bounded) for the sends' outcomes, which
    /// come back within moments: each then applies to what is here instead of loading the user again, and the user is
    /// kept until the last of them (<c>Awaited</c>: one per device sent to). The commit fence tells when one is out of
    /// date (the user's grain wrote since), and the grain takes the outcome then.
    /// </summary>
    private readonly ConcurrentDictionary<string, (UserProcessor Processor, long AddedMs, int Awaited)> _awaitingOutcome = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, long AddedMs)> _awaitingOrder = new();

    /// <summary>Users kept for their sends' outcomes at most (<see cref="_awaitingOutcome"/>).</summary>
    public const int MaxAwaitingOutcome = 10_000;

    /// <summary>How long a user is kept for an outcome at most.</summary>
    public static readonly TimeSpan AwaitingOutcomeFor = TimeSpan.FromSeconds(30);

    /// <summary>Runs of server work applied in place (for tests and diagnostics).</summary>
    public long AppliedInPlace => Interlocked.Read(ref _inPlace);

    /// <summary>Runs of server work that went to a grain (user active here, or an attempt in place gave way).</summary>
    public long SentToGrain => Interlocked.Read(ref _toGrain);

    /// <summary>Runs of server work in place that loaded their user from the store (for tests and diagnostics).</summary>
    public long LoadedInPlace => Interlocked.Read(ref _loaded);

    // An SDK's request goes straight to the grain's call, without a state machine of its own here.
    public Task<ActionResult[]> ApplyAsync(UserBatch batch, CancellationToken cancellationToken) =>
        IsServerWork(batch) ? ApplyAsync(batch, null, cancellationToken) : grains.ApplyAsync(batch, cancellationToken);

    public async Task<ActionResult[]> ApplyAsync(UserBatch batch, KnownUser? known, CancellationToken cancellationToken)
    {
        if (!IsServerWork(batch))
            return await grains.ApplyAsync(batch, cancellationToken);
        var key = UserGrainKey.Of(batch.AppId, batch.UserId);
        // Another run in place on the same user (the outcome of a send to another of their devices) is waited for;
        // an activation takes the run.
        if (options.ServerWorkInPlace && await residency.LeaseAsync(key, cancellationToken))
        {
            ActionResult[]? results;
            try
            {
                results = await ApplyInPlaceAsync(key, batch, known, cancellationToken);
            }
            finally
            {
                residency.Release(key);
            }
            if (results is not null)
            {
                Interlocked.Increment(ref _inPlace);
                return results;
            }
        }
        Interlocked.Increment(ref _toGrain);
        return await grains.ApplyAsync(batch, cancellationToken);
    }

    /// <summary>The run's results once committed; null when the grain should take it (nothing was written).</summary>
    private async Task<ActionResult[]?> ApplyInPlaceAsync(string key, UserBatch batch, KnownUser? known, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Loaded here, under the lease, it is the user as stored now; from a scan or kept since a send, it may be older.
        var fresh = false;
        UserProcessor processor;
        // A scan's state replaces a kept user, but the outcomes the kept one awaited are still to come.
        var hadKept = _awaitingOutcome.TryRemove(key, out var kept) && nowMs - kept.AddedMs <= AwaitingOutcomeFor.TotalMilliseconds;
        var (keptSince, awaited) = hadKept ? (kept.AddedMs, kept.Awaited) : (nowMs, 0);
        if (hadKept && known is null)
        {
            processor = kept.Processor;
        }
        else
        {
            fresh = known is null;
            processor = processors.Create(batch.AppId, batch.UserId);
            if (known is null)
                Interlocked.Increment(ref _loaded);
            var stored = known?.Stored ?? await store.LoadAsync(batch.AppId, batch.UserId, cancellationToken);
            try
            {
                processor.Load(stored, nowMs, known?.State);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogInPlaceFailed(logger, batch.AppId, batch.UserId, e);
                return null;
            }
        }
        ApplyOutcome outcome;
        try
        {
            outcome = processor.Apply(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogInPlaceFailed(logger, batch.AppId, batch.UserId, e);
            return null;
        }
        // A user that moved (an alias) forwards the run: the grain path follows the move.
        if (outcome.Forward is not null || outcome.Handover is not null)
            return null;
        // Only log rows are fenced (by sequence number). A decision on older state that writes none (a send not made
        // because the scan saw no token, a waiting row ended) could stand on a user changed since: the grain decides it.
        if (!fresh && (outcome.Writes is null || outcome.Writes.Rows.Count == 0))
            return null;
        // The writer completes commits on its own thread; what follows here (the next send, the next user) must not run
        // there, so the wait resumes on the thread pool.
        if (outcome.Writes is { } writes)
        {
            if (await writer.CommitAsync(writes, resumeOnThreadPool: true) != CommitOutcome.Committed)
                return null; // Changed since it was read (the fence): the grain loads it afresh.
            processor.Committed(writes);
            // Kept while outcomes are still to come: those of the sends just queued, and the rest of an earlier run's.
            awaited = Math.Max(0, awaited - batch.Items.Count(i => i.Action == Engine.Actions.User.DeliveryOutcome.ActionName));
            if (writes.Outbox is { Count: > 0 } queued)
                (keptSince, awaited) = (nowMs, awaited + queued.Count);
            if (awaited > 0)
                KeepForOutcome(key, processor, keptSince, awaited);
        }
        return outcome.Results;
    }

    /// <summary>Keeps the user for <paramref name="awaited"/> outcomes, at most <see cref="AwaitingOutcomeFor"/> after <paramref name="since"/>.</summary>
    private void KeepForOutcome(string key, UserProcessor processor, long since, int awaited)
    {
        _awaitingOutcome[key] = (processor, since, awaited);
        // Kept again for a later outcome, the user may be queued twice: harmless, the first in line drops it at its age.
        _awaitingOrder.Enqueue((key, since));
        Prune(time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <summary>Drops kept users beyond the bound or the age, oldest first (their outcomes then load them).</summary>
    private void Prune(long nowMs)
    {
        while (_awaitingOrder.TryPeek(out var oldest)
            && (_awaitingOrder.Count > MaxAwaitingOutcome || nowMs - oldest.AddedMs > AwaitingOutcomeFor.TotalMilliseconds)
            && _awaitingOrder.TryDequeue(out oldest))
        {
            // Only the entry this one added: a user kept again since stays.
            if (_awaitingOutcome.TryGetValue(oldest.Key, out var entry) && entry.AddedMs <= oldest.AddedMs)
                _awaitingOutcome.TryRemove(KeyValuePair.Create(oldest.Key, entry));
        }
    }

    /// <summary>Users kept for an outcome now (for tests and diagnostics).</summary>
    public int AwaitingOutcome => _awaitingOutcome.Count;

    /// <summary>Drops kept users whose outcome is overdue; the host calls it now and then, so a campaign's users do not
    /// stay in memory after it.</summary>
    public void PruneAwaitingOutcome() => Prune(time.GetUtcNow().ToUnixTimeMilliseconds());

    private static bool IsServerWork(UserBatch batch)
    {
        foreach (var item in batch.Items)
        {
            if (item.Key != KeyClasses.None)
                return false;
        }
        return batch.Items.Count > 0;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Server work on user {UserId} of app {AppId} failed in place; their grain takes it")]
    private static partial void LogInPlaceFailed(ILogger logger, string appId, string userId, Exception exception);
}
