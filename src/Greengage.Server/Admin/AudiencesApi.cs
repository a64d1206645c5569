using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Targeting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>An audience to save: a name and either a rule in the JSON form (docs/targeting.md) or a legacy segment string.</summary>
public sealed record AudienceRequest(string? Name, JsonNode? Rule, string? Segment);

/// <summary>A saved audience.</summary>
/// <param name="Rule">The rule in the JSON form (also when it was written as a segment string).</param>
public sealed record AudienceResponse(long Id, string Name, JsonNode Rule, string? Segment, DateTimeOffset Created, DateTimeOffset Updated)
{
    public static AudienceResponse From(AudienceDocument a) => new(a.Id, a.Name, a.Rule.DeepClone(), a.Segment,
        DateTimeOffset.FromUnixTimeMilliseconds(a.CreatedMs), DateTimeOffset.FromUnixTimeMilliseconds(a.UpdatedMs));
}

/// <summary><c>/admin/v1/apps/{appId}/audiences</c>: saved audiences, published to the app's content on every change.</summary>
internal static class AudiencesApi
{
    public static RouteGroupBuilder MapAudiencesApi(this RouteGroupBuilder admin)
    {
        var audiences = admin.MapGroup("/apps/{appId}/audiences").WithTags("Audiences");
        audiences.MapGet("/", List).WithName("ListAudiences").WithSummary("Lists the app's saved audiences.");
        audiences.MapGet("/{id:long}", Show).WithName("ShowAudience").WithSummary("Shows one audience.");
        audiences.MapPost("/", CreateAsync).WithName("CreateAudience")
            .WithSummary("Saves an audience from a rule (JSON form) or a legacy segment string; it is compiled and published at once.");
        audiences.MapPut("/{id:long}", UpdateAsync).WithName("UpdateAudience").WithSummary("Replaces an audience's name and rule.");
        audiences.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteAudience")
            .WithSummary("Deletes an audience that no other audience and no unfinished A/B test names.");
        return admin;
    }

    private static Results<Ok<List<AudienceResponse>>, ProblemHttpResult> List(string appId, AppDirectory apps, ContentDirectory content) =>
        apps.Find(appId) is null
            ? ContentProblems.AppNotFound(appId)
            : TypedResults.Ok(content.For(appId).AudienceDocuments.Select(AudienceResponse.From).ToList());

    private static Results<Ok<AudienceResponse>, ProblemHttpResult> Show(string appId, long id, AppDirectory apps, ContentDirectory content)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        return content.For(appId).AudienceDocuments.FirstOrDefault(a => a.Id == id) is { } audience
            ? TypedResults.Ok(AudienceResponse.From(audience))
            : ContentProblems.From(ContentException.NotFound("Audience", id));
    }

    private static Task<Results<Created<AudienceResponse>, ProblemHttpResult>> CreateAsync(
        string appId, AudienceRequest body, AppDirectory apps, AudienceService audiences, HttpContext http) =>
        ContentProblems.Run(appId, apps, async () =>
        {
            var (rule, segment) = RuleOf(body);
            var audience = await audiences.CreateAsync(appId, body.Name ?? "", rule, segment, http.RequestAborted);
            return TypedResults.Created($"/admin/v1/apps/{appId}/audiences/{audience.Id}", AudienceResponse.From(audience));
        });

    private static Task<Results<Ok<AudienceResponse>, ProblemHttpResult>> UpdateAsync(
        string appId, long id, AudienceRequest body, AppDirectory apps, AudienceService audiences, HttpContext http) =>
        ContentProblems.Run(appId, apps, async () =>
        {
            var (rule, segment) = RuleOf(body);
            return TypedResults.Ok(AudienceResponse.From(await audiences.UpdateAsync(appId, id, body.Name ?? "", rule, segment, http.RequestAborted)));
        });

    private static Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string appId, long id, AppDirectory apps, AudienceService audiences, HttpContext http) =>
        ContentProblems.Run(appId, apps, async () =>
        {
            await audiences.DeleteAsync(appId, id, http.RequestAborted);
            return TypedResults.NoContent();
        });

    private static (Rule Rule, string? Segment) RuleOf(AudienceRequest body)
    {
        try
        {
            return (body.Rule, body.Segment) switch
            {
                ({ } rule, null) => (RuleJson.Parse(JsonSerializer.SerializeToElement(rule)), null),
                (null, { } segment) => (LegacySegment.Parse(segment), segment),
                _ => throw ContentException.Invalid("Give the audience a 'rule' (JSON form) or a 'segment' string, one of the two."),
            };
        }
        catch (RuleException e)
        {
            throw ContentException.Invalid(e.Message);
        }
    }
}

/// <summary>Content refusals as problem details.</summary>
internal static class ContentProblems
{
    public static ProblemHttpResult From(ContentException e) => TypedResults.Problem(statusCode: e.Status, title: e.Title, detail: e.Message);

    public static ProblemHttpResult AppNotFound(string appId) =>
        TypedResults.Problem(statusCode: 404, title: "App not found", detail: $"No app has the id '{appId}'.");

    /// <summary>Runs a content change for an existing app; a refused change answers its problem.</summary>
    public static async Task<Results<TResult, ProblemHttpResult>> Run<TResult>(string appId, AppDirectory apps, Func<Task<TResult>> action)
        where TResult : IResult
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        try
        {
            return await action();
        }
        catch (ContentException e)
        {
            return ContentProblems.From(e);
        }
    }
}
