using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Greengage.Engine.Jobs;

/// <summary>Where a job is: waiting to start, running, or over (succeeded, failed, cancelled at shutdown).</summary>
public static class JobStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>
/// A background job over an app's users (an audience count, a backfill), with its progress as it goes: users
/// scanned, users that matched, users changed. Counters are updated by the job and read by the admin API at any time.
/// </summary>
public sealed class Job
{
    private long _scanned;
    private long _matched;
    private long _changed;
    private JsonObject? _result;

    internal Job(string id, string kind, string appId, string subject, DateTimeOffset created)
    {
        Id = id;
        Kind = kind;
        AppId = appId;
        Subject = subject;
        Created = created;
    }

    public string Id { get; }

    /// <summary><c>audience-count</c>, <c>param-backfill</c>, <c>message-stats</c>.</summary>
    public string Kind { get; }

    public string AppId { get; }

    /// <summary>What the job is about (the audience id; the tuples backfilled).</summary>
    public string Subject { get; }

    public string State { get; internal set; } = JobStates.Queued;

    public long Scanned => Interlocked.Read(ref _scanned);

    public long Matched => Interlocked.Read(ref _matched);

    public long Changed => Interlocked.Read(ref _changed);

    public string? Error { get; internal set; }

    /// <summary>What a job found, set when it succeeds (a message's statistics); null for jobs that only count.</summary>
    public JsonObject? Result
    {
        get => Volatile.Read(ref _result);
        internal set => Volatile.Write(ref _result, value);
    }

    public DateTimeOffset Created { get; }

    public DateTimeOffset? Started { get; internal set; }

    public DateTimeOffset? Finished { get; internal set; }

    public bool IsOver => State is JobStates.Succeeded or JobStates.Failed or JobStates.Cancelled;

    public void AddScanned(long n = 1) => Interlocked.Add(ref _scanned, n);

    public void AddMatched(long n = 1) => Interlocked.Add(ref _matched, n);

    public void AddChanged(long n = 1) => Interlocked.Add(ref _changed, n);

    /// <summary>Completes when the job is over (for tests and callers that wait).</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;
}

/// <summary>
/// The jobs of this process: started on the thread pool, kept (the last <see cref="Kept"/>) so their states can be
/// read, cancelled when the host stops. Jobs are not durable: one cut short by a restart is started again by whoever
/// needs it (a count is asked for again; a backfill runs again at start for content that needs it).
/// </summary>
public sealed class JobRegistry(TimeProvider time) : IDisposable
{
    public const int Kept = 200;

    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Starts <paramref name="work"/> as a job, after <paramref name="delay"/> if given.</summary>
    public Job Start(string kind, string appId, string subject, Func<Job, CancellationToken, Task> work, TimeSpan delay = default)
    {
        var job = new Job(Guid.NewGuid().ToString("N"), kind, appId, subject, time.GetUtcNow());
        _jobs[job.Id] = job;
        Trim();
        job.Completion = Task.Run(async () =>
        {
            var token = _stopping.Token;
            try
            {
                if (delay > TimeSpan.Zero)
                    await Task.Delay(delay, time, token);
                job.Started = time.GetUtcNow();
                job.State = JobStates.Running;
                await work(job, token);
                job.State = JobStates.Succeeded;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                job.State = JobStates.Cancelled;
            }
            catch (Exception e)
            {
                job.Error = e.Message;
                job.State = JobStates.Failed;
            }
            finally
            {
                job.Finished = time.GetUtcNow();
            }
        }, CancellationToken.None);
        return job;
    }

    public Job? Find(string id) => _jobs.GetValueOrDefault(id);

    /// <summary>The jobs kept, newest first.</summary>
    public IReadOnlyList<Job> List(string? appId = null) =>
        [.. _jobs.Values.Where(j => appId is null || j.AppId == appId).OrderByDescending(j => j.Created)];

    /// <summary>Cancels every job and waits for them to stop.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_jobs.Values.Select(j => j.Completion));
    }

    public void Dispose() => _stopping.Dispose();

    private void Trim()
    {
        if (_jobs.Count <= Kept)
            return;
        foreach (var old in _jobs.Values.Where(j => j.IsOver).OrderBy(j => j.Created).Take(_jobs.Count - Kept))
            _jobs.TryRemove(old.Id, out _);
    }
}
