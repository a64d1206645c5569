using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Greengage.Engine.Actions.User;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Jobs;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Microsoft.Extensions.Logging;

namespace Greengage.Engine.Delivery;

/// <summary>How scheduled sends run (<c>Greengage:Delivery:Schedule</c>).</summary>
public sealed class ScheduleOptions
{
    /// <summary>How often the runner looks for occurrences that came due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim on a run holds without progress (another process takes it over after that).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Users asked to send at once. Most are decided in place (no activation) and wait only for the group commit, which
    /// writes them together, so a whole page at once is cheap.
    /// </summary>
    public int Concurrency { get; set; } = 256;

    /// <summary>Users read per page of stored state.</summary>
    public int PageSize { get; set; } = UserScan.PageSize;

    /// <summary>
    /// Sends queued and not yet taken up by the dispatcher above which a run waits before asking its next page (at most
    /// <see cref="MaxBacklogWait"/> per page): a campaign keeps pace with its sends instead of filling the outbox.
    /// </summary>
    public int MaxOutboxBacklog { get; set; } = 5_000;

    /// <summary>The longest a run waits for the backlog per page (then it goes on regardless).</summary>
    public TimeSpan MaxBacklogWait { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Sends scheduled messages to their audiences (issue: delivery, item 4; ARCHITECTURE decision 5). For each live
/// message with a <see cref="MessageSchedule"/>, the occurrence that came due is a durable run
/// (<see cref="IScheduleRunStore"/>): the runner pages through the app's stored users, keeps those the audience holds
/// on what is stored, and asks only their grains to send (<see cref="ScheduledSend"/>, which decides again on the live
/// state, at most once per occurrence). A user whose local time is still ahead becomes a durable row with that
/// not-before (queue <see cref="Queue"/>), not a timer; the runner sends those as they come due. The run's cursor is
/// saved after each page, so a run cut short resumes after the last page done; nobody is active or in memory longer
/// than their own send. While the message is paused its run waits and its waiting users are kept, looked at again
/// every <see cref="PausedRecheck"/>; users whose time passed more than <see cref="ScheduleRules.Grace"/> before the
/// message was last live are not sent that occurrence (<see cref="ScheduleRules.Missed"/>), and a run cut short whose
/// occurrence is over by then ends <see cref="ScheduleRunStates.Missed"/>. A message that ends (finished, deleted, past
/// its end) has its waiting users removed at the next poll.
/// </summary>
public sealed partial class ScheduleRunner(
    AppDirectory apps, ContentDirectory content, IUserStore users, IScheduleRunStore runs, IWorkQueue queue, IUserGateway gateway,
    TimeProvider time, ScheduleOptions options, ILogger<ScheduleRunner> logger, OutboxBacklog? backlog = null)
{
    /// <summary>The queue of users waiting for their local time.</summary>
    public const string Queue = "schedule";

    /// <summary>
    /// The key of a message's waiting rows, so that they are removed together when it ends (rows written before keys
    /// named the message carry the app id alone: they end as they come due).
    /// </summary>
    public static string WaitingKey(string appId, long messageId) => appId + "/" + messageId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a waiting user of a paused message whose time came is looked at again (their grain is not asked): once
    /// the message is activated, they are sent within this. Their row ends once their time is more than
    /// <see cref="ScheduleRules.Grace"/> behind, so it is looked at some 15 times at most.
    /// </summary>
    public static readonly TimeSpan PausedRecheck = TimeSpan.FromMinutes(1);

    /// <summary>Tries of a waiting user's send before it is given up (kept as a failed work item, with the reason).</summary>
    public const int MaxAttempts = 10;

    /// <summary>Runs known to be over (so a poll does not ask the store again).</summary>
    private readonly ConcurrentDictionary<(string, long, long), byte> _finished = new();

    /// <summary>Per message, the time it went live (again) for which its missed runs were ended (<see cref="EndMissedRunsAsync"/>).</summary>
    private readonly ConcurrentDictionary<(string, long), DateTimeOffset> _missedEnded = new();

    /// <summary>How many of a message's latest runs are looked at for missed ones: as many as the admin API lists.</summary>
    private const int MissedLookback = 100;

    /// <summary>Per app, the scheduled messages that could send at the last poll (<see cref="RemoveEndedAsync"/>).</summary>
    private readonly ConcurrentDictionary<string, HashSet<long>> _sending = new(StringComparer.Ordinal);

    public string Owner { get; } = "schedule-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Works every run that came due and every waiting user whose time came; returns the users asked to send.</summary>
    public async Task<long> RunOnceAsync(CancellationToken cancellationToken) =>
        await RunDueAsync(cancellationToken) + await SendWaitingAsync(cancellationToken);

    /// <summary>Works every run that came due (a long one runs to its end); returns the users asked to send.</summary>
    public async Task<long> RunDueAsync(CancellationToken cancellationToken)
    {
        long asked = 0;
        foreach (var appId in apps.AppIds)
        {
            var messages = content.For(appId).Messages;
            try
            {
                await RemoveEndedAsync(appId, messages, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogRemoveFailed(logger, appId, e);
            }
            foreach (var live in messages.Live.Values)
            {
                if (live.Document.Schedule is not { } schedule)
                    continue;
                var since = ScheduleRules.LiveSince(live);
                try
                {
                    await EndMissedRunsAsync(appId, live.Document.Id, schedule, since, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogMissedFailed(logger, appId, live.Document.Id, e);
                }
                var now = time.GetUtcNow();
                if (!live.Current(now.ToUnixTimeMilliseconds()) || ScheduleRules.Due(schedule, since, now) is not { } occurrence)
                    continue;
                asked += await RunDueOccurrenceAsync(appId, live, schedule, since, occurrence, now, cancellationToken);
                // Then the runs of earlier occurrences cut short: the due one does not wait behind a late one (whose
                // users the due run reached, or left waiting, are skipped or sent as before either way).
                try
                {
                    asked += await ResumeEarlierRunsAsync(appId, live, schedule, since, occurrence, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogEarlierFailed(logger, appId, live.Document.Id, e);
                }
            }
        }
        return asked;
    }

    /// <summary>Claims and works the run of the occurrence due; the users asked (0 when finished or held elsewhere).</summary>
    private async Task<long> RunDueOccurrenceAsync(string appId, LiveMessage live, MessageSchedule schedule, DateTimeOffset since, long occurrence,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = (appId, live.Document.Id, occurrence);
        if (_finished.ContainsKey(key))
            return 0;
        try
        {
            if (await runs.ClaimRunAsync(appId, live.Document.Id, occurrence, Owner, now, options.Lease, cancellationToken) is not { } run)
            {
                // Finished, or held by another process (or by this one before a restart, until its lease runs out).
                var latest = await runs.ListRunsAsync(appId, live.Document.Id, 1, cancellationToken);
                if (latest is [{ State: ScheduleRunStates.Finished } done] && done.Occurrence == occurrence)
                    _finished.TryAdd(key, 0);
                return 0;
            }
            return await WorkAsync(run, live, schedule, since, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One message's trouble does not hold the others back; its run is tried again at the next poll.
            LogRunFailed(logger, appId, live.Document.Id, occurrence, e);
            return 0;
        }
    }

    /// <summary>
    /// Removes the waiting users of the scheduled messages of <paramref name="appId"/> that could send at the last poll
    /// and cannot now: finished (they or their campaign), deleted, or past their end. Each row would end without a send
    /// when its time came; removed now, a message that ended leaves nobody waiting. A message that ended while no
    /// process was polling leaves its rows to end that way (<see cref="HoldAsync"/>), as do rows keyed by app alone.
    /// </summary>
    private async Task RemoveEndedAsync(string appId, MessageSet messages, CancellationToken cancellationToken)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var sending = messages.Messages
            .Where(m => m.Schedule is not null && (messages.Live.TryGetValue(m.Id, out var live) ? live.Current(nowMs) : messages.Paused(m.Id, nowMs)))
            .Select(m => m.Id)
            .ToHashSet();
        if (_sending.TryGetValue(appId, out var before))
        {
            foreach (var id in before.Where(id => !sending.Contains(id)))
                LogWaitingRemoved(logger, appId, id, await queue.RemoveAsync(Queue, WaitingKey(appId, id), cancellationToken));
        }
        // Only once all are removed: a removal that failed is tried again at the next poll.
        _sending[appId] = sending;

        // Runs an ending left behind: the scheduled messages that cannot send now (ended, or not started: they have no
        // runs) and the ones that were deleted since the last poll; each looked at once by this process.
        foreach (var id in sending)
            _runsSettled.TryRemove((appId, id), out _);
        var ended = messages.Messages.Where(m => m.Schedule is not null && !sending.Contains(m.Id)).Select(m => m.Id);
        if (before is not null)
            ended = ended.Concat(before.Where(id => !sending.Contains(id)));
        foreach (var id in ended.Distinct())
            await EndCutShortRunsAsync(appId, id, cancellationToken);
    }

    /// <summary>Per app and message, that its runs were looked at since it last could send (<see cref="EndCutShortRunsAsync"/>).</summary>
    private readonly ConcurrentDictionary<(string AppId, long MessageId), byte> _runsSettled = new();

    /// <summary>
    /// Ends as <see cref="ScheduleRunStates.Ended"/> the runs a message left <c>running</c> when it ended: a run stops
    /// when its message is paused or changed, and resumes only once the message is live again, which a finished,
    /// deleted or expired message never is. Looked at once per message (a run another process still holds, again at
    /// the next poll, when its lease may have run out).
    /// </summary>
    private async Task EndCutShortRunsAsync(string appId, long messageId, CancellationToken cancellationToken)
    {
        if (!_runsSettled.ContainsKey((appId, messageId))
            && await EndRunsAsync(appId, messageId, ScheduleRunStates.Ended, _ => true, cancellationToken))
            _runsSettled[(appId, messageId)] = 0;
    }

    /// <summary>
    /// Ends as <see cref="ScheduleRunStates.Missed"/> the runs of a message that were cut short (by a pause, or a
    /// process that stopped) and whose occurrence was over when the message went live again at
    /// <paramref name="since"/>: even its last zone's time is more than the grace behind, so <see cref="ScheduleRules.Due"/>
    /// never names it again and nothing would end it. Looked at once each time the message goes live (a run another
    /// process still holds, again at the next poll).
    /// </summary>
    private async Task EndMissedRunsAsync(string appId, long messageId, MessageSchedule schedule, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (!(_missedEnded.TryGetValue((appId, messageId), out var done) && done == since)
            && await EndRunsAsync(appId, messageId, ScheduleRunStates.Missed,
                run => ScheduleRules.Missed(ScheduleRules.LastInstant(schedule, run.Occurrence), since), cancellationToken))
            _missedEnded[(appId, messageId)] = since;
    }

    /// <summary>
    /// Ends in <paramref name="state"/>, with what they had done, the message's latest runs still <c>running</c> that
    /// <paramref name="over"/> picks. False when one of them could not be ended (another process holds it).
    /// </summary>
    private async Task<bool> EndRunsAsync(string appId, long messageId, string state, Func<ScheduleRun, bool> over, CancellationToken cancellationToken)
    {
        var allEnded = true;
        foreach (var run in await runs.ListRunsAsync(appId, messageId, MissedLookback, cancellationToken))
        {
            if (run.State != ScheduleRunStates.Running || !over(run))
                continue;
            var now = time.GetUtcNow();
            if (await runs.ClaimRunAsync(appId, messageId, run.Occurrence, Owner, now, options.Lease, cancellationToken) is not { } held
                || !await EndRunAsync(held, state, now, cancellationToken))
                allEnded = false;
        }
        return allEnded;
    }

    /// <summary>Ends a run this process holds in <paramref name="state"/>, with what it had done; false when it was lost meanwhile.</summary>
    private async Task<bool> EndRunAsync(ScheduleRun held, string state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await runs.SaveRunAsync(held with { State = state, Finished = now }, Owner, now, cancellationToken))
            return false;
        LogRunCutShortEnded(logger, held.AppId, held.MessageId, held.Occurrence, state, held.Scanned, held.Matched, held.Deferred);
        return true;
    }

    /// <summary>Per message, the due occurrence and live-since for which its earlier runs were all settled (<see cref="ResumeEarlierRunsAsync"/>).</summary>
    private readonly ConcurrentDictionary<(string AppId, long MessageId), (long Due, DateTimeOffset Since)> _earlierSettled = new();

    /// <summary>
    /// Takes up the runs of a repeating message's earlier occurrences that were cut short (by a pause, or a process
    /// that stopped) and are still <c>running</c> now that occurrence <paramref name="due"/> is the one due. In users'
    /// own zones an occurrence spans 26 hours, so the next day begins before the last zone's time: a run cut short then
    /// would otherwise never be taken up again, and the users it had not reached would never get that day's send. It
    /// resumes after its saved cursor; users whose next occurrence's time has come skip it (<see cref="ScheduleRules.Superseded"/>),
    /// and a run superseded for every user ends <see cref="ScheduleRunStates.Missed"/> without a scan. Looked at once
    /// per due occurrence and each time the message goes live (a run another process holds, or one cut short again,
    /// again at the next poll).
    /// </summary>
    private async Task<long> ResumeEarlierRunsAsync(string appId, LiveMessage live, MessageSchedule schedule, DateTimeOffset since, long due,
        CancellationToken cancellationToken)
    {
        var id = live.Document.Id;
        if (schedule.Repeat == ScheduleRules.Once || due == 0
            || (_earlierSettled.TryGetValue((appId, id), out var settled) && settled == (due, since)))
            return 0;
        var asked = 0L;
        var allSettled = true;
        var earlier = (await runs.ListRunsAsync(appId, id, MissedLookback, cancellationToken))
            .Where(r => r.State == ScheduleRunStates.Running && r.Occurrence < due)
            .OrderBy(r => r.Occurrence)
            .ToList();
        foreach (var cutShort in earlier)
        {
            var now = time.GetUtcNow();
            if (await runs.ClaimRunAsync(appId, id, cutShort.Occurrence, Owner, now, options.Lease, cancellationToken) is not { } run)
            {
                allSettled = false; // another process holds it (or this one did before a restart, until its lease runs out)
                continue;
            }
            if (ScheduleRules.SupersededEverywhere(schedule, run.Occurrence, now))
            {
                allSettled &= await EndRunAsync(run, ScheduleRunStates.Missed, now, cancellationToken);
                continue;
            }
            LogRunResumed(logger, appId, id, run.Occurrence, due);
            asked += await WorkAsync(run, live, schedule, since, cancellationToken);
            allSettled &= _finished.ContainsKey((appId, id, run.Occurrence));
        }
        if (allSettled)
            _earlierSettled[(appId, id)] = (due, since);
        return asked;
    }

    private async Task<long> WorkAsync(ScheduleRun run, LiveMessage live, MessageSchedule schedule, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var saved = new System.Runtime.CompilerServices.StrongBox<ScheduleRun>(run);
        try
        {
            return await WorkCoreAsync(run, live, schedule, since, saved, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: give the run up at once (as last saved), so that the next process takes it over without
            // waiting for the lease to run out.
            try
            {
                await runs.SaveRunAsync(saved.Value!, Owner, time.GetUtcNow(), CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogRunFailed(logger, run.AppId, run.MessageId, run.Occurrence, e);
            }
            throw;
        }
    }

    private async Task<long> WorkCoreAsync(ScheduleRun run, LiveMessage live, MessageSchedule schedule, DateTimeOffset since,
        System.Runtime.CompilerServices.StrongBox<ScheduleRun> saved, CancellationToken cancellationToken)
    {
        var id = live.Document.Id;
        var idText = live.IdText;
        // One page's grains are asked while the next page is read. The saved cursor is the last page whose users were
        // all asked (or left waiting as rows): a run cut short resumes after it, and asks again at most one page,
        // which the grains answer "already sent" for.
        Task<int>? asking = null;
        string? askingCursor = null;
        var scanCursor = run.Cursor;
        var asked = 0L;
        while (true)
        {
            // Paused (it or its campaign, even briefly), finished or changed since the run began: stop here; the run
            // resumes from its cursor if the occurrence is due again when the message is live.
            if (!content.For(run.AppId).Messages.Live.TryGetValue(id, out var current) || current.Document.UpdatedMs != live.Document.UpdatedMs
                || ScheduleRules.LiveSince(current) != since)
            {
                if (asking is not null)
                    asked += await asking;
                LogRunInterrupted(logger, run.AppId, id, run.Occurrence);
                return asked;
            }
            var page = await users.ScanUsersAsync(run.AppId, scanCursor, options.PageSize, cancellationToken);
            var now = time.GetUtcNow();
            var due = new List<(string UserId, KnownUser Known, DateTimeOffset At)>();
            var waiting = new List<NewWorkItem>();
            var scanned = 0;
            foreach (var user in page)
            {
                UserState state;
                try
                {
                    state = UserScan.Fold(user.Stored);
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
                {
                    // A user whose stored state cannot be read is skipped (and logged), not the whole campaign.
                    LogUserUnreadable(logger, run.AppId, user.UserId, e);
                    continue;
                }
                if (!state.Exists || state.Identity.MovedTo is not null)
                    continue;
                scanned++;
                // What is stored picks the users to ask; their grains decide on what they hold now.
                if (state.Block.Blocked || state.Messages.GotOccurrence(idText, run.Occurrence)
                    || MessageSends.Excluded(live, new TargetingSubject(state, user.UserId, null, now.ToUnixTimeMilliseconds())) is not null)
                    continue;
                var at = ScheduleRules.InstantFor(schedule, run.Occurrence, state);
                if (ScheduleRules.Missed(at, since))
                    continue; // Their time had passed before the message went live, or was activated again after a pause.
                if (ScheduleRules.Superseded(schedule, run.Occurrence, state, now))
                    continue; // A run taken up late: their next occurrence's time came, and they get that one.
                if (at <= now)
                    due.Add((user.UserId, new KnownUser(user.Stored, state), at));
                else
                    waiting.Add(new NewWorkItem(Queue, new Waiting(run.AppId, user.UserId, id, run.Occurrence, at.ToUnixTimeMilliseconds()).ToJson(), at, WaitingKey(run.AppId, id)));
            }
            if (waiting.Count > 0)
                await queue.EnqueueAsync(waiting, cancellationToken);
            var doneCursor = run.Cursor;
            if (asking is not null)
            {
                asked += await asking;
                doneCursor = askingCursor;
            }
            await KeepPaceAsync(cancellationToken);
            asking = AskAsync(run.AppId, id, run.Occurrence, due, cancellationToken);
            askingCursor = page.Count > 0 ? page[^1].UserId : scanCursor;
            scanCursor = askingCursor;
            var last = page.Count < options.PageSize;
            if (last)
            {
                asked += await asking;
                doneCursor = askingCursor;
            }
            run = run with
            {
                Cursor = doneCursor,
                Scanned = run.Scanned + scanned,
                Matched = run.Matched + due.Count,
                Deferred = run.Deferred + waiting.Count,
            };
            if (last)
                run = run with { State = ScheduleRunStates.Finished, Finished = time.GetUtcNow() };
            if (await runs.SaveRunAsync(run, Owner, time.GetUtcNow() + options.Lease, cancellationToken))
            {
                saved.Value = run;
            }
            else
            {
                LogRunLost(logger, run.AppId, id, run.Occurrence);
                if (!last)
                    asked += await asking;
                return asked;
            }
            if (last)
            {
                _finished.TryAdd((run.AppId, id, run.Occurrence), 0);
                LogRunFinished(logger, run.AppId, id, run.Occurrence, run.Scanned, run.Matched, run.Deferred);
                return asked;
            }
        }
    }

    /// <summary>Waits (bounded) while the sends already queued are far ahead of the dispatcher.</summary>
    private async Task KeepPaceAsync(CancellationToken cancellationToken)
    {
        if (backlog is null)
            return;
        var deadline = Environment.TickCount64 + (long)options.MaxBacklogWait.TotalMilliseconds;
        while (backlog.Count > options.MaxOutboxBacklog && Environment.TickCount64 < deadline)
            await Task.Delay(20, cancellationToken);
    }

    /// <summary>
    /// Asks each user's grain to send; a user whose grain could not be reached, or found the message paused (since the
    /// page began), waits as a row, looked at again later.
    /// </summary>
    private async Task<int> AskAsync(string appId, long messageId, long occurrence, List<(string UserId, KnownUser Known, DateTimeOffset At)> due, CancellationToken cancellationToken)
    {
        if (due.Count == 0)
            return 0;
        var failed = new ConcurrentBag<NewWorkItem>();
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (user, ct) =>
            {
                var asked = await AskOneAsync(appId, user.UserId, messageId, occurrence, ct, known: user.Known);
                if (asked is Asked.Unreachable or Asked.Paused)
                {
                    var later = time.GetUtcNow() + (asked == Asked.Paused ? PausedRecheck : Retry);
                    failed.Add(new NewWorkItem(Queue, new Waiting(appId, user.UserId, messageId, occurrence, user.At.ToUnixTimeMilliseconds()).ToJson(), later, WaitingKey(appId, messageId)));
                }
            });
        if (!failed.IsEmpty)
            await queue.EnqueueAsync([.. failed], cancellationToken);
        return due.Count;
    }

    private enum Asked
    {
        /// <summary>The grain decided (sent or not) and committed.</summary>
        Decided,
        /// <summary>The grain refused the action (a user blocked since): asking again will not help.</summary>
        Refused,
        /// <summary>The grain could not commit (storage unavailable, a timeout): ask again later.</summary>
        Unreachable,
        /// <summary>The grain found the message paused and decided nothing: look again later.</summary>
        Paused,
    }

    private async Task<Asked> AskOneAsync(string appId, string userId, long messageId, long occurrence, CancellationToken cancellationToken,
        long? workItem = null, KnownUser? known = null)
    {
        try
        {
            var batch = new UserBatch(appId, userId, "", time.GetUtcNow(), null,
                [new UserBatchItem(0, ScheduledSend.ActionName, ScheduledSend.Parameters(messageId, occurrence, workItem), false)]);
            // The page just read this user: the gateway may decide on that (its commit's fence catches a change since).
            var results = await gateway.ApplyAsync(batch, known, cancellationToken);
            if (results.Length != 1 || !results[0].Success)
                return Asked.Refused;
            return results[0].Fields?["result"]?.GetValue<string>() == ScheduledSend.PausedResult ? Asked.Paused : Asked.Decided;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAskFailed(logger, appId, userId, messageId, e);
            return Asked.Unreachable;
        }
    }

    /// <summary>Users whose local time came: their grains are asked now; returns how many.</summary>
    public async Task<long> SendWaitingAsync(CancellationToken cancellationToken)
    {
        long asked = 0;
        while (true)
        {
            await KeepPaceAsync(cancellationToken);
            var items = await queue.ClaimAsync(Queue, Owner, options.PageSize, time.GetUtcNow(), options.Lease, cancellationToken);
            if (items.Count == 0)
                return asked;
            await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
                async (item, ct) =>
                {
                    Waiting? waiting;
                    try
                    {
                        waiting = JsonSerializer.Deserialize<Waiting>(item.Payload);
                    }
                    catch (JsonException)
                    {
                        waiting = null;
                    }
                    if (waiting is null)
                    {
                        await queue.FailAsync(item.Id, Owner, "Unreadable scheduled send.", time.GetUtcNow(), ct);
                        return;
                    }
                    // A message that does not send now (paused, finished, gone) settles the row without the grain.
                    if (await HoldAsync(item, waiting, ct))
                        return;
                    Interlocked.Increment(ref asked);
                    // A decision ends the row in the grain's own commit; a refusal ends it here; otherwise later.
                    switch (await AskOneAsync(waiting.AppId, waiting.UserId, waiting.MessageId, waiting.Occurrence, ct, item.Id))
                    {
                        case Asked.Refused:
                            await queue.CompleteAsync(item.Id, Owner, ct);
                            break;
                        case Asked.Paused:
                            await queue.PostponeAsync(item.Id, Owner, time.GetUtcNow() + PausedRecheck, ct);
                            break;
                        case Asked.Unreachable when item.Attempts + 1 >= MaxAttempts:
                            LogWaitingGaveUp(logger, waiting.AppId, waiting.UserId, waiting.MessageId, item.Attempts + 1);
                            await queue.FailAsync(item.Id, Owner, $"Gave up after {item.Attempts + 1} attempts: the user's grain could not be reached.", time.GetUtcNow(), ct);
                            break;
                        case Asked.Unreachable:
                            await queue.ReleaseAsync(item.Id, Owner, time.GetUtcNow() + Retry, ct);
                            break;
                    }
                });
        }
    }

    /// <summary>
    /// Settles a waiting row without its grain when the message does not send now: paused, the row waits
    /// <see cref="PausedRecheck"/> more (no attempt counted), or ends once the user's time is more than
    /// <see cref="ScheduleRules.Grace"/> behind (activating the message later could not send it any more); finished,
    /// deleted or past its end, the row ends (if <see cref="RemoveEndedAsync"/> did not remove it first). False when the
    /// message is live: its grain decides.
    /// </summary>
    private async Task<bool> HoldAsync(WorkItem item, Waiting waiting, CancellationToken cancellationToken)
    {
        var messages = content.For(waiting.AppId).Messages;
        if (messages.Live.ContainsKey(waiting.MessageId))
            return false;
        var now = time.GetUtcNow();
        if (messages.Paused(waiting.MessageId, now.ToUnixTimeMilliseconds())
            && (waiting.AtMs is not { } at || !ScheduleRules.Missed(DateTimeOffset.FromUnixTimeMilliseconds(at), now)))
            await queue.PostponeAsync(item.Id, Owner, now + PausedRecheck, cancellationToken);
        else
            await queue.CompleteAsync(item.Id, Owner, cancellationToken);
        return true;
    }

    /// <summary>A user waiting for their local time (the row's payload); <c>at</c>: that time (absent in older rows).</summary>
    private sealed record Waiting(
        [property: JsonPropertyName("app")] string AppId,
        [property: JsonPropertyName("user")] string UserId,
        [property: JsonPropertyName("message")] long MessageId,
        [property: JsonPropertyName("occurrence")] long Occurrence,
        [property: JsonPropertyName("at")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? AtMs = null)
    {
        public string ToJson() => JsonSerializer.Serialize(this);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence}: {Scanned} users looked at, {Matched} asked, {Deferred} waiting for their local time")]
    private static partial void LogRunFinished(ILogger logger, string appId, long messageId, long occurrence, long scanned, long matched, long deferred);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence} cut short and never to be taken up again: ended {State} ({Scanned} users looked at, {Matched} asked, {Deferred} waiting for their local time)")]
    private static partial void LogRunCutShortEnded(ILogger logger, string appId, long messageId, long occurrence, string state, long scanned, long matched, long deferred);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled send of message {MessageId} (app {AppId}) ended: {Removed} users waiting for their local time removed")]
    private static partial void LogWaitingRemoved(ILogger logger, string appId, long messageId, int removed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled sends of app {AppId}: what messages that ended left behind (users waiting for their local time, runs cut short) could not be cleared; tried again at the next poll")]
    private static partial void LogRemoveFailed(ILogger logger, string appId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled sends of message {MessageId} (app {AppId}): runs cut short could not be ended as missed; tried again at the next poll")]
    private static partial void LogMissedFailed(ILogger logger, string appId, long messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled sends of message {MessageId} (app {AppId}): runs of earlier occurrences cut short could not be taken up; tried again at the next poll")]
    private static partial void LogEarlierFailed(ILogger logger, string appId, long messageId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence} cut short: taken up again while occurrence {Due} is due")]
    private static partial void LogRunResumed(ILogger logger, string appId, long messageId, long occurrence, long due);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence} failed; it is tried again at the next poll")]
    private static partial void LogRunFailed(ILogger logger, string appId, long messageId, long occurrence, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled sends skip user {UserId} of app {AppId}: their stored state cannot be read")]
    private static partial void LogUserUnreadable(ILogger logger, string appId, string userId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled send of message {MessageId} to {UserId} (app {AppId}) gave up after {Attempts} attempts")]
    private static partial void LogWaitingGaveUp(ILogger logger, string appId, string userId, long messageId, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence}: the message changed or stopped; the run waits where it is")]
    private static partial void LogRunInterrupted(ILogger logger, string appId, long messageId, long occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled send of message {MessageId} (app {AppId}), occurrence {Occurrence}: another process took the run over")]
    private static partial void LogRunLost(ILogger logger, string appId, long messageId, long occurrence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scheduled send of message {MessageId} to {UserId} (app {AppId}) could not be asked; it waits and is tried again")]
    private static partial void LogAskFailed(ILogger logger, string appId, string userId, long messageId, Exception exception);
}
