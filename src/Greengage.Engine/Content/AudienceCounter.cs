using Greengage.Engine.Jobs;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Content;

/// <summary>
/// Counts the users an audience matches (spec 6.4's admin side): a job that pages through stored state
/// (<see cref="UserScan"/>) and evaluates the audience as published, with no user activated. Device criteria read each
/// user's most recently seen device; relative dates count back from when each user is evaluated.
/// </summary>
public sealed class AudienceCounter(ContentDirectory content, IUserStore store, JobRegistry jobs, TimeProvider time)
{
    public const string Kind = "audience-count";

    /// <summary>Starts counting; the job's <see cref="Job.Matched"/> grows as it goes. Throws when there is no such audience.</summary>
    public Job Start(string appId, long audienceId)
    {
        var id = audienceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (content.For(appId).Audiences.Find(id) is null)
            throw ContentException.NotFound("Audience", audienceId);
        return jobs.Start(Kind, appId, id, (job, cancellationToken) => CountAsync(job, appId, id, cancellationToken));
    }

    private async Task CountAsync(Job job, string appId, string audienceId, CancellationToken cancellationToken)
    {
        await foreach (var (userId, state) in UserScan.ScanAsync(store, appId, cancellationToken))
        {
            // The snapshot current for this user: an audience changed during the count applies from then on.
            var audiences = content.For(appId).Audiences;
            if (audiences.IndexOf(audienceId) is null)
                throw new InvalidOperationException("The audience was deleted while it was being counted.");
            job.AddScanned();
            if (audiences.Contains(audienceId, new TargetingSubject(state, userId, null, time.GetUtcNow().ToUnixTimeMilliseconds())))
                job.AddMatched();
        }
    }
}
