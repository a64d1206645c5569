using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>A background job and its progress.</summary>
/// <param name="Kind"><c>audience-count</c>, <c>param-backfill</c> or <c>message-stats</c>.</param>
/// <param name="State"><c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c> or <c>cancelled</c>.</param>
/// <param name="Scanned">Users looked at so far.</param>
/// <param name="Matched">For a count: users in the audience so far; for a backfill: users who had the event.</param>
/// <param name="Changed">For a backfill: users whose counts changed.</param>
/// <param name="Result">What the job found, once it succeeded (message statistics: <c>{"messageId", "events": {name: {occurrences, users}}}</c>).</param>
public sealed record JobResponse(
    string Id, string Kind, string AppId, string Subject, string State, long Scanned, long Matched, long Changed, string? Error,
    DateTimeOffset Created, DateTimeOffset? Started, DateTimeOffset? Finished, JsonObject? Result = null)
{
    public static JobResponse From(Job j) =>
        new(j.Id, j.Kind, j.AppId, j.Subject, j.State, j.Scanned, j.Matched, j.Changed, j.Error, j.Created, j.Started, j.Finished, (JsonObject?)j.Result?.DeepClone());
}

/// <summary>Audience counts and the jobs list: <c>/admin/v1/apps/{appId}/audiences/{id}/count</c>, <c>/admin/v1/jobs</c>.</summary>
internal static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder admin)
    {
        admin.MapPost("/apps/{appId}/audiences/{id:long}/count", Count).WithTags("Audiences").WithName("CountAudience")
            .WithSummary("Starts counting the users an audience matches, from stored state (no user is activated); follow the job.");
        admin.MapGet("/apps/{appId}/jobs", (string appId, JobRegistry jobs) => TypedResults.Ok(jobs.List(appId).Select(JobResponse.From).ToList()))
            .WithTags("Jobs").WithName("ListJobs").WithSummary("Lists the app's recent jobs, newest first.");
        admin.MapGet("/jobs/{id}", Show).WithTags("Jobs").WithName("ShowJob").WithSummary("Shows a job's state and progress.");
        return admin;
    }

    private static Results<Accepted<JobResponse>, ProblemHttpResult> Count(string appId, long id, AppDirectory apps, AudienceCounter counter)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        try
        {
            var job = counter.Start(appId, id);
            return TypedResults.Accepted($"/admin/v1/jobs/{job.Id}", JobResponse.From(job));
        }
        catch (ContentException e)
        {
            return ContentProblems.From(e);
        }
    }

    private static Results<Ok<JobResponse>, ProblemHttpResult> Show(string id, JobRegistry jobs) =>
        jobs.Find(id) is { } job
            ? TypedResults.Ok(JobResponse.From(job))
            : TypedResults.Problem(statusCode: 404, title: "Job not found", detail: $"No job has the id '{id}' (jobs are kept while the server runs).");
}
