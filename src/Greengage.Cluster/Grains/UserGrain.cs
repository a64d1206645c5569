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
    UserProcessorFactory processors,
    TimeProvider time,
    UserResidency residency,
    ILogger<UserGrain> logger) : Grain, IUserGrain
{
    private UserProcessor? _processor;

    /// <summary>
    /// Serialises <see cref="Apply"/> (one at a time already) with <see cref="Absorb"/>, which Orleans interleaves: each
    /// holds it from applying to committing.
    /// </summary>
    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Whether any request of the app (not the server's own work) reached this activation.</summary>
    private bool _appContact;

    /// <summary>Sends this activation put in the outbox whose outcomes have not come back yet.</summary>
    private int _sendsAwaited;

    private IGrainTimer? _leave;

    /// <summary>How long a user activated only for the server's work stays after it queued sends (for their outcomes).</summary>
    public static readonly TimeSpan ServerWorkLinger = TimeSpan.FromSeconds(10);

    private Task LeaveIfUntouched(CancellationToken cancellationToken)
    {
        if (!_appContact)
            DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <summary>Whether this activation counts in <see cref="UserResidency"/> (from activation to deactivation).</summary>
    private bool _resident;

    /// <summary>True while this user waits for the target of its own login or register to commit.</summary>
    private bool _moving;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        var (appId, userId) = UserGrainKey.Parse(key);
        // The server's work on this user may be running in place (ServerWorkGateway): load what it commits.
        await residency.EnterAsync(key, cancellationToken);
        _resident = true;
        try
        {
            var processor = processors.Create(appId, userId);
            processor.Load(await store.LoadAsync(appId, userId, cancellationToken), time.GetUtcNow().ToUnixTimeMilliseconds());
            _processor = processor;
        }
        catch
        {
            _resident = false;
            residency.Leave(key);
            throw;
        }
    }

    public async Task<Immutable<UserReply>> Apply(Immutable<UserBatch> batch)
    {
        await _turn.WaitAsync();
        try
        {
            var reply = await ApplyInTurn(batch.Value);
            // A user activated only for the server's own work (a scheduled send, a delivery outcome, a sweep) leaves
            // memory right after it, so work over a whole population never holds it (ARCHITECTURE decision 5); a user
            // the app talked to since activation stays for the idle timeout.
            _appContact |= !IsServerWork(batch.Value);
            if (!_appContact)
            {
                // Sends went to the outbox: their outcomes come back within moments, so the user lingers until the
                // last of them is in (bounded: it leaves after the linger whatever happens), then leaves.
                if (_sendsAwaited > 0)
                    _leave ??= this.RegisterGrainTimer(LeaveIfUntouched, new GrainTimerCreationOptions(ServerWorkLinger, Timeout.InfiniteTimeSpan));
                else
                    DeactivateOnIdle();
            }
            return new(reply);
        }
        finally
        {
            _turn.Release();
        }
    }

    public async Task<Immutable<AbsorbReply>> Absorb(Immutable<UserHandover> handover, DateTimeOffset arrival)
    {
        // Two users moving into each other would otherwise wait on each other's turn for ever.
        if (_moving)
            return new(new AbsorbReply(false, Unavailable: "The user is moving; retry."));
        await _turn.WaitAsync();
        try
        {
            if (_processor is not { } processor)
                return new(new AbsorbReply(false, Unavailable: "The user is being reloaded."));
            if (processor.State.Identity.MovedTo is { } movedTo)
                return new(new AbsorbReply(false, RedirectTo: movedTo));
            UserWriteSet writes;
            try
            {
                writes = processor.Absorb(handover.Value, arrival);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogApplyFailed(logger, this.GetPrimaryKeyString(), e);
                Poison();
                return new(new AbsorbReply(false, Unavailable: "The user could not be updated; retry."));
            }
            var failure = await CommitAsync(processor, writes);
            if (failure is not null)
                return new(new AbsorbReply(false, Unavailable: failure.Unavailable, RetryAfterSeconds: failure.RetryAfterSeconds));
            LogMerged(logger, handover.Value.FromUserId, this.GetPrimaryKeyString());
            return new(new AbsorbReply(true));
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<UserReply> ApplyInTurn(UserBatch batch)
    {
        if (_processor is not { } processor)
            return new UserReply(null, "The user is being reloaded.");
        ApplyOutcome outcome;
        try
        {
            outcome = processor.Apply(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A handler failed half-way: the state may hold changes that were never written. Drop it and reload.
            LogApplyFailed(logger, this.GetPrimaryKeyString(), e);
            Poison();
            return new UserReply(null, "The user could not be updated; retry.");
        }
        _sendsAwaited += outcome.Writes?.Outbox?.Count ?? 0;
        foreach (var item in batch.Items)
        {
            if (item.Action == Engine.Actions.User.DeliveryOutcome.ActionName && _sendsAwaited > 0)
                _sendsAwaited--;
        }
        if (outcome.Writes is { } writes && await CommitAsync(processor, writes) is { } failure)
            return failure;
        if (outcome.Handover is { } handover && await HandOver(processor, batch, handover) is { } refused)
            return refused;
        return new UserReply(outcome.Results, Forward: outcome.Forward);
    }

    /// <summary>
    /// Login or register: the target commits this user's move record with its own merge record, in one transaction.
    /// Until it answers, this user's memory is ahead of disk; if anything fails it reloads (nothing was written).
    /// </summary>
    private async Task<UserReply?> HandOver(UserProcessor processor, UserBatch batch, UserHandover handover)
    {
        _moving = true;
        try
        {
            var target = handover.ToUserId;
            for (var hops = 0; hops <= OrleansUserGateway.MaxMoves; hops++)
            {
                if (string.Equals(target, processor.UserId, StringComparison.Ordinal))
                {
                    // The target had moved into this very user: there is nowhere to go. Nothing was written.
                    Poison();
                    return Refused(batch, $"User '{handover.ToUserId}' was merged into this user; 'newUserId' skipped.");
                }
                var grain = GrainFactory.GetGrain<IUserGrain>(UserGrainKey.Of(processor.AppId, target));
                var reply = (await grain.Absorb(new Immutable<UserHandover>(handover), batch.Arrival)).Value;
                if (reply.Committed)
                {
                    processor.Committed(handover.SourceWrites);
                    return null;
                }
                if (reply.RedirectTo is not { } next)
                {
                    // The target could not commit, so neither did this user's move record: drop the state that ran ahead.
                    Poison();
                    return new UserReply(null, reply.Unavailable ?? "The move could not be committed; retry.", reply.RetryAfterSeconds);
                }
                target = next;
            }
            Poison();
            return Refused(batch, OrleansUserGateway.MoveLoopMessage);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The target may or may not have committed (a timeout): reload to learn which from the store.
            LogApplyFailed(logger, this.GetPrimaryKeyString(), e);
            Poison();
            return new UserReply(null, "The move could not be confirmed; retry.");
        }
        finally
        {
            _moving = false;
        }
    }

    private static bool IsServerWork(UserBatch batch)
    {
        foreach (var item in batch.Items)
        {
            if (item.Key != Protocol.Actions.KeyClasses.None)
                return false;
        }
        return true;
    }

    /// <summary>Every item of the run fails with <paramref name="message"/>: nothing of it was committed.</summary>
    private static UserReply Refused(UserBatch batch, string message) =>
        new(batch.Items.Select(_ => ActionResult.Fail(400, message)).ToArray());

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            await WriteFinalSnapshot(reason);
        }
        finally
        {
            if (_resident)
                residency.Leave(this.GetPrimaryKeyString());
            _resident = false;
        }
    }

    private async Task WriteFinalSnapshot(DeactivationReason reason)
    {
        // The log already holds everything; a final snapshot only shortens the next activation's replay (at most
        // SnapshotPolicy.EveryRecords records). At shutdown every active user would write one at once, which made
        // stopping with 100k active users take longer than a service manager waits, so it is skipped then.
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown)
            return;
        // A user activated only for the server's work wrote a record or two: the next activation replays them cheaply,
        // and a campaign to a million users does not write a million snapshots on the way out.
        if (!_appContact && _processor is { } visited && visited.UnsnapshottedRecords < processors.Policy.EveryRecords / 4)
            return;
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

    [LoggerMessage(Level = LogLevel.Information, Message = "User {FromUserId} moved into {GrainKey}")]
    private static partial void LogMerged(ILogger logger, string fromUserId, string grainKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Final snapshot of {GrainKey} skipped")]
    private static partial void LogSnapshotSkipped(ILogger logger, string grainKey, Exception exception);
}
