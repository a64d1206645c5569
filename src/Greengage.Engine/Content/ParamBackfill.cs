using Greengage.Engine.Actions.User;
using Greengage.Engine.Jobs;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Content;

/// <summary>
/// Backfills the per-user counts of (event, parameter, value) tuples (ARCHITECTURE decision 6). <c>track</c> counts a
/// tuple from the moment an audience that names it is published; this job counts, for every user who has the event,
/// the occurrences in the activity log that were not counted then (their record does not name the parameter), in the
/// user's own log and in the logs of anonymous users merged into it, and has the user's grain record them. A backfill
/// replaces the previous one's figures, so running it twice counts nothing twice.
/// </summary>
public sealed class ParamBackfill
{
    public const string Kind = "param-backfill";

    /// <summary>How deep merges are followed (an anonymous user merged into one that was itself merged, ...).</summary>
    private const int MaxMergeDepth = 8;

    private readonly IUserStore _store;
    private readonly IActivityLogReader _log;
    private readonly IUserGateway _users;
    private readonly JobRegistry _jobs;
    private readonly TimeProvider _time;

    public ParamBackfill(ContentDirectory content, IUserStore store, IActivityLogReader log, IUserGateway users, JobRegistry jobs, TimeProvider time)
    {
        _store = store;
        _log = log;
        _users = users;
        _jobs = jobs;
        _time = time;
        content.Published += OnPublished;
    }

    /// <summary>
    /// How long after a publish the job starts: a request that read the snapshot before the publish commits within
    /// this time, so its events are in the log when the job reads it.
    /// </summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The backfill started last by a publish (null before the first), for tests.</summary>
    public Job? Last { get; private set; }

    private void OnPublished(string appId, AppContent before, AppContent after)
    {
        var added = after.CountedKeys.Except(before.CountedKeys, StringComparer.Ordinal).ToList();
        if (added.Count > 0)
            Last = Start(appId, added);
    }

    /// <summary>Starts a backfill of <paramref name="keys"/> for every user of the app.</summary>
    public Job Start(string appId, IReadOnlyList<string> keys) =>
        _jobs.Start(Kind, appId, string.Join(", ", keys.Select(k => k.Replace('\u001f', '/'))), (job, ct) => RunAsync(job, appId, keys, ct), Delay);

    private async Task RunAsync(Job job, string appId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        var tuples = keys.Select(k => k.Split('\u001f')).Where(p => p.Length == 3).Select(p => (Event: p[0], Parameter: p[1], Value: p[2])).ToList();
        var events = tuples.Select(t => t.Event).ToHashSet(StringComparer.Ordinal);
        await foreach (var (userId, state) in UserScan.ScanAsync(_store, appId, cancellationToken))
        {
            job.AddScanned();
            if (!state.Aggregates.Events.Keys.Any(events.Contains))
                continue;
            job.AddMatched();
            var counts = tuples.ToDictionary(t => RuleValues.ParameterKey(t.Event, t.Parameter, t.Value), _ => new BackfilledCount(0, 0, 0), StringComparer.Ordinal);
            await CountAsync(appId, userId, tuples, counts, depth: 0, cancellationToken);
            var batch = new UserBatch(appId, userId, "", _time.GetUtcNow(), null,
                [new UserBatchItem(0, BackfillParams.ActionName, BackfillParams.Parameters(counts), false)]);
            var results = await _users.ApplyAsync(batch, cancellationToken);
            if (results.Length > 0 && results[0].Fields?["changed"] is not null)
                job.AddChanged();
        }
    }

    /// <summary>Adds the uncounted occurrences in one user's log, and in the logs of the users merged into it.</summary>
    private async Task CountAsync(string appId, string userId, List<(string Event, string Parameter, string Value)> tuples,
        Dictionary<string, BackfilledCount> counts, int depth, CancellationToken cancellationToken)
    {
        foreach (var row in await _log.ReadUserAsync(appId, userId, cancellationToken))
        {
            switch (row.Kind)
            {
                case EventTracked.Kind when UserJson.Deserialize(row.Body) is EventTracked { Params: { } parameters } e && !e.IsDeveloper:
                    foreach (var (eventName, parameter, value) in tuples)
                    {
                        if (e.Name != eventName || e.Counted?.Contains(parameter) == true
                            || !parameters.TryGetValue(parameter, out var sent) || RuleValues.ParameterText(sent) != value)
                            continue;
                        var key = RuleValues.ParameterKey(eventName, parameter, value);
                        var c = counts[key];
                        counts[key] = c.Count == 0
                            ? new BackfilledCount(1, e.TimeMs, e.TimeMs)
                            : new BackfilledCount(c.Count + 1, Math.Min(c.FirstTimeMs, e.TimeMs), Math.Max(c.LastTimeMs, e.TimeMs));
                    }
                    break;
                case UserMerged.Kind when depth < MaxMergeDepth && UserJson.Deserialize(row.Body) is UserMerged merged:
                    await CountAsync(appId, merged.FromUserId, tuples, counts, depth + 1, cancellationToken);
                    break;
                case UserDeleted.Kind:
                    // Nothing before a deletion belongs to the user any more.
                    foreach (var key in counts.Keys.ToList())
                        counts[key] = new BackfilledCount(0, 0, 0);
                    break;
                case UserMoved.Kind:
                    // What follows a move belongs to the alias, not to the user it moved into.
                    return;
            }
        }
    }
}
