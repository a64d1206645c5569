using Greengage.Engine.Actions.User;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Microsoft.Extensions.Logging;

namespace Greengage.Engine.Delivery;

/// <summary>How a send through a provider ended, as the dispatcher needs it.</summary>
public enum SendVerdict
{
    Sent,
    /// <summary>Try again later (timeout, 429, 5xx).</summary>
    Transient,
    /// <summary>Trying again will not help.</summary>
    Permanent,
    /// <summary>The address is gone for good: the device forgets it.</summary>
    DeadToken,
}

public sealed record SendReport(SendVerdict Verdict, string? Reason = null, TimeSpan? RetryAfter = null);

/// <summary>Sends one outbox item through its provider (Greengage.Delivery implements it over the real providers).</summary>
public interface IDeliverySender
{
    /// <summary>Never throws for a provider's failure (only for the caller's cancellation).</summary>
    Task<SendReport> SendAsync(DeliverySend send, CancellationToken cancellationToken);
}

/// <summary>How the dispatcher works the outbox (<c>Greengage:Delivery:Outbox</c>).</summary>
public sealed class OutboxOptions
{
    /// <summary>
    /// Items claimed at a time, per worker. Every claimed item must be sent within <see cref="Lease"/> or another
    /// worker claims it again (a second send), so all workers together claim no more than the providers get through
    /// in that time: 4 x 64 is what one batch of 256 was.
    /// </summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Sends in flight at once (each provider has its own limit below this).</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>
    /// Batches worked at once (each claims its own items): a batch waits for its slowest send, so one alone leaves the
    /// providers idle at each batch's end.
    /// </summary>
    public int Workers { get; set; } = 4;

    /// <summary>How long a claim holds: a dispatcher that died mid-send gives its items up after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Tries before a transient failure becomes final.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry's delay; each later one doubles it, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan FirstBackoff { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an idle dispatcher waits before looking again.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}

/// <summary>
/// Works the outbox (ARCHITECTURE decision 7): claims due sends, sends them with bounded concurrency, reports each
/// outcome to the user's grain (<see cref="DeliveryOutcome"/>: the message's events, dead tokens forgotten), and only
/// then completes the item. Transient failures go back with exponential backoff (or the provider's Retry-After);
/// permanent ones, dead tokens and sends that ran out of attempts are kept with their reason
/// (<see cref="IWorkQueue.ListFailedAsync"/>). At least once: a dispatcher that dies mid-send leaves its items to be
/// claimed again when the lease runs out, so what was in flight may be sent twice and nothing is lost.
/// </summary>
public sealed partial class OutboxDispatcher(IWorkQueue queue, IDeliverySender sender, IUserGateway users, TimeProvider time, OutboxOptions options, ILogger<OutboxDispatcher> logger)
{
    /// <summary>Who holds the claims of this dispatcher.</summary>
    public string Owner { get; } = "dispatcher-" + Guid.NewGuid().ToString("N")[..12];

    private long _claimed;

    /// <summary>Items claimed since start (a retried item counts again).</summary>
    public long Claimed => Interlocked.Read(ref _claimed);

    /// <summary>Claims one batch and works it; the number of items worked (0: nothing was due).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var items = await queue.ClaimAsync(DeliverySend.Queue, Owner, options.BatchSize, time.GetUtcNow(), options.Lease, cancellationToken);
        if (items.Count == 0)
            return 0;
        Interlocked.Add(ref _claimed, items.Count);
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.MaxInFlight, CancellationToken = cancellationToken },
            async (item, ct) => await WorkAsync(item, ct));
        return items.Count;
    }

    private async Task WorkAsync(WorkItem item, CancellationToken cancellationToken)
    {
        DeliverySend send;
        try
        {
            send = DeliverySend.FromPayload(item.Payload);
        }
        catch (System.Text.Json.JsonException e)
        {
            await queue.FailAsync(item.Id, Owner, $"Unreadable send: {e.Message}", time.GetUtcNow(), cancellationToken);
            return;
        }
        var report = await sender.SendAsync(send, cancellationToken);
        var attempt = item.Attempts + 1;
        if (report.Verdict == SendVerdict.Transient && attempt < options.MaxAttempts)
        {
            var backoff = Backoff(item.Attempts);
            var wait = report.RetryAfter is { } after && after > backoff ? after : backoff;
            await queue.ReleaseAsync(item.Id, Owner, time.GetUtcNow() + wait, cancellationToken);
            return;
        }
        var (outcome, reason) = report.Verdict switch
        {
            SendVerdict.Sent => (DeliveryOutcome.Sent, (string?)null),
            SendVerdict.DeadToken => (DeliveryOutcome.Bounced, report.Reason ?? "The address is no longer valid."),
            SendVerdict.Transient => (DeliveryOutcome.Failed, $"Gave up after {attempt} attempts: {report.Reason}"),
            _ => (DeliveryOutcome.Failed, report.Reason ?? "The provider refused the send."),
        };
        bool recorded;
        try
        {
            var batch = new UserBatch(send.AppId, send.UserId, "", time.GetUtcNow(), null,
                [new UserBatchItem(0, DeliveryOutcome.ActionName, DeliveryOutcome.Parameters(send, outcome, reason, item.Id), false)]);
            var results = await users.ApplyAsync(batch, cancellationToken);
            recorded = results.Length == 1 && results[0].Success;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The send happened but its outcome is not recorded: try the item again (at least once).
            LogReportFailed(logger, send.MessageId, e);
            await queue.ReleaseAsync(item.Id, Owner, time.GetUtcNow() + options.FirstBackoff, cancellationToken);
            return;
        }
        // A send that went out was completed with its outcome, in the user's commit; one whose user refused the report
        // (blocked since) stands, unrecorded, and its item ends here.
        if (reason is not null)
            await queue.FailAsync(item.Id, Owner, reason, time.GetUtcNow(), cancellationToken);
        else if (!recorded)
            await queue.CompleteAsync(item.Id, Owner, cancellationToken);
    }

    /// <summary>The delay before retry number <paramref name="attempts"/> + 1: doubling from the first, capped, with up to 20% jitter.</summary>
    public TimeSpan Backoff(int attempts)
    {
        var doubled = options.FirstBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempts, 30));
        var capped = Math.Min(doubled, options.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * 0.2));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outcome of a send of message {MessageId} could not be recorded; the send will be tried again")]
    private static partial void LogReportFailed(ILogger logger, long messageId, Exception exception);
}

/// <summary>
/// Sends this process queued that its dispatcher has not taken up yet: what the schedule runner paces itself by, so
/// that a campaign does not run far ahead of the sends (the outbox is durable either way; a runner far ahead only
/// makes every send's outcome load its user again, see ServerWorkGateway). Approximate by design: sends queued by an
/// earlier process, or taken up twice, only make it smaller.
/// </summary>
public sealed class OutboxBacklog(Commit.GroupCommitWriter writer, OutboxDispatcher dispatcher)
{
    public long Count => Math.Max(0, writer.Counters.OutboxItems - dispatcher.Claimed);
}
