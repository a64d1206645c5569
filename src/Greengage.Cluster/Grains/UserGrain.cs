using Greengage.Engine.Actions;
using Greengage.Engine.Commit;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Greengage.Cluster.Grains;

/// <summary>
/// Holds one user's state while the user is active. Every change is applied in order on the grain's turn, committed
/// through the group-commit writer, and only then answered. If a commit fails or the fence is violated, the grain
/// deactivates before answering, so memory never runs ahead of disk.
/// </summary>
public sealed partial class UserGrain(
    IUserStore store,
    GroupCommitWriter writer,
    UserActionTable actions,
    SnapshotPolicy policy,
    ProtocolLimits limits,
    SessionTimeouts sessions,
    TimeProvider time,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private UserProcessor? _processor;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (appId, userId) = UserGrainKey.Parse(this.GetPrimaryKeyString());
        var processor = new UserProcessor(appId, userId, actions, policy, limits, sessions);
        processor.Load(await store.LoadAsync(appId, userId, cancellationToken), time.GetUtcNow().ToUnixTimeMilliseconds());
        _processor = processor;
    }

    public async Task<Immutable<UserReply>> Apply(Immutable<UserBatch> batch)
    {
        if (_processor is not { } processor)
            return new(new UserReply(null, "The user is being reloaded."));
        ActionResult[] results;
        UserWriteSet? writes;
        try
        {
            (results, writes) = processor.Apply(batch.Value);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A handler failed half-way: the state may hold changes that were never written. Drop it and reload.
            LogApplyFailed(logger, this.GetPrimaryKeyString(), e);
            Poison();
            return new(new UserReply(null, "The user could not be updated; retry."));
        }
        if (writes is not null)
        {
            var failure = await CommitAsync(processor, writes);
            if (failure is not null)
                return new(failure);
        }
        return new(new UserReply(results));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_processor is { } processor && processor.FinalSnapshot(time.GetUtcNow().ToUnixTimeMilliseconds()) is { } writes)
        {
            try
            {
                await CommitAsync(processor, writes);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The log already holds everything; the next activation replays a longer tail.
                LogSnapshotSkipped(logger, this.GetPrimaryKeyString(), e);
            }
        }
    }

    private async Task<UserReply?> CommitAsync(UserProcessor processor, UserWriteSet writes)
    {
        try
        {
            var outcome = await writer.CommitAsync(writes);
            if (outcome == CommitOutcome.Committed)
            {
                processor.Committed(writes);
                if (writes.EraseThroughSeq is { } through)
                    LogErased(logger, this.GetPrimaryKeyString(), through);
                return null;
            }
            LogFenceViolated(logger, this.GetPrimaryKeyString());
            Poison();
            return new UserReply(null, "The user was changed elsewhere; retry.");
        }
        catch (StorageUnavailableException e)
        {
            Poison();
            return new UserReply(null, e.Message, e.RetryAfterSeconds);
        }
    }

    /// <summary>Drops the in-memory state, which ran ahead of disk, and leaves: the next call reloads from the store.</summary>
    private void Poison()
    {
        _processor = null;
        DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Snapshot fence violated for {GrainKey}; deactivating")]
    private static partial void LogFenceViolated(ILogger logger, string grainKey);

    [LoggerMessage(Level = LogLevel.Error, Message = "Applying actions to {GrainKey} failed; the user is reloaded")]
    private static partial void LogApplyFailed(ILogger logger, string grainKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored activity of {GrainKey} erased through sequence number {Seq}")]
    private static partial void LogErased(ILogger logger, string grainKey, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Final snapshot of {GrainKey} skipped")]
    private static partial void LogSnapshotSkipped(ILogger logger, string grainKey, Exception exception);
}
