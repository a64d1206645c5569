using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>A variant as written: its share of entrants (control included) and the variables it overrides.</summary>
/// <param name="Id">For a test that exists: the variant being changed.</param>
/// <param name="Vars">Dotted variable name to value.</param>
/// <param name="Messages">Message id to the template values this variant gives the message.</param>
public sealed record AbVariantRequest(long? Id, string? Name, double Percent, JsonObject? Vars, JsonObject? Messages = null);

/// <summary>An A/B test as written.</summary>
/// <param name="AudienceId">Who may enter: a saved audience (or give <paramref name="Rule"/>; neither: everyone).</param>
/// <param name="Sticky">Users stay in once entered (default true).</param>
public sealed record AbTestRequest(string? Name, long? AudienceId, JsonNode? Rule, bool? Sticky, IReadOnlyList<AbVariantRequest>? Variants)
{
    public AbTestInput ToInput() => new(Name ?? "", AudienceId, Rule?.DeepClone(), Sticky ?? true,
        (Variants ?? []).Select(v => new AbVariantInput(v.Id, v.Name ?? "", v.Percent, (JsonObject?)v.Vars?.DeepClone(), (JsonObject?)v.Messages?.DeepClone())).ToList());
}

/// <summary>How to finish a test: with a winner (its values become the live values) or without.</summary>
public sealed record FinishAbTestRequest(long? Winner);

public sealed record AbVariantResponse(long Id, string Name, double Percent, JsonObject Vars, JsonObject? Messages);

/// <summary>An A/B test.</summary>
/// <param name="State"><c>draft</c>, <c>running</c>, <c>stopped</c> or <c>finished</c>.</param>
/// <param name="Published">When it first started: of two tests on one variable, the earlier published wins.</param>
public sealed record AbTestResponse(
    long Id, string Name, string State, long? AudienceId, JsonNode? Rule, bool Sticky, IReadOnlyList<AbVariantResponse> Variants,
    DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Published, DateTimeOffset? Finished, long? ChosenVariant)
{
    public static AbTestResponse From(AbTestDocument t) => new(t.Id, t.Name, t.State, t.AudienceId, t.Rule?.DeepClone(), t.Sticky,
        t.Variants.Select(v => new AbVariantResponse(v.Id, v.Name, v.Percent, (JsonObject)v.Vars.DeepClone(), (JsonObject?)v.Messages?.DeepClone())).ToList(),
        Time(t.CreatedMs), Time(t.UpdatedMs), t.PublishedMs is { } p ? Time(p) : null, t.FinishedMs is { } f ? Time(f) : null, t.ChosenVariant);

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);
}

/// <summary><c>/admin/v1/apps/{appId}/ab-tests</c>: create, change, start, stop, finish and delete A/B tests.</summary>
internal static class AbTestsApi
{
    public static RouteGroupBuilder MapAbTestsApi(this RouteGroupBuilder admin)
    {
        var tests = admin.MapGroup("/apps/{appId}/ab-tests").WithTags("A/B tests");
        tests.MapGet("/", List).WithName("ListAbTests").WithSummary("Lists the app's A/B tests.");
        tests.MapGet("/{id:long}", Show).WithName("ShowAbTest").WithSummary("Shows one A/B test.");
        tests.MapPost("/", (string appId, AbTestRequest body, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    var test = await service.CreateAsync(appId, body.ToInput(), http.RequestAborted);
                    return TypedResults.Created($"/admin/v1/apps/{appId}/ab-tests/{test.Id}", AbTestResponse.From(test));
                }))
            .WithName("CreateAbTest").WithSummary("Drafts a test: 2 to 16 variants (control included) whose percentages total 100.");
        tests.MapPut("/{id:long}", (string appId, long id, AbTestRequest body, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(AbTestResponse.From(await service.UpdateAsync(appId, id, body.ToInput(), http.RequestAborted)))))
            .WithName("UpdateAbTest").WithSummary("Changes a test; once started, percentages (for new entrants) and values may change, variants may not come or go.");
        tests.MapPost("/{id:long}/start", (string appId, long id, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(AbTestResponse.From(await service.StartAsync(appId, id, http.RequestAborted)))))
            .WithName("StartAbTest").WithSummary("Starts (publishes) a drafted or stopped test.");
        tests.MapPost("/{id:long}/stop", (string appId, long id, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(AbTestResponse.From(await service.StopAsync(appId, id, http.RequestAborted)))))
            .WithName("StopAbTest").WithSummary("Stops a running test: its effects stop; assignments are kept for a restart.");
        tests.MapPost("/{id:long}/finish", (string appId, long id, FinishAbTestRequest? body, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () => TypedResults.Ok(AbTestResponse.From(await service.FinishAsync(appId, id, body?.Winner, http.RequestAborted)))))
            .WithName("FinishAbTest").WithSummary("Finishes a test; with a winner, the winner's values become the live values.");
        tests.MapDelete("/{id:long}", (string appId, long id, AppDirectory apps, AbTestService service, HttpContext http) =>
                ContentProblems.Run(appId, apps, async () =>
                {
                    await service.DeleteAsync(appId, id, http.RequestAborted);
                    return TypedResults.NoContent();
                }))
            .WithName("DeleteAbTest").WithSummary("Deletes a drafted or finished test.");
        return admin;
    }

    private static Results<Ok<List<AbTestResponse>>, ProblemHttpResult> List(string appId, AppDirectory apps, ContentDirectory content) =>
        apps.Find(appId) is null
            ? ContentProblems.AppNotFound(appId)
            : TypedResults.Ok(content.For(appId).AbTests.Select(AbTestResponse.From).ToList());

    private static Results<Ok<AbTestResponse>, ProblemHttpResult> Show(string appId, long id, AppDirectory apps, ContentDirectory content)
    {
        if (apps.Find(appId) is null)
            return ContentProblems.AppNotFound(appId);
        return content.For(appId).AbTests.FirstOrDefault(t => t.Id == id) is { } test
            ? TypedResults.Ok(AbTestResponse.From(test))
            : ContentProblems.From(ContentException.NotFound("A/B test", id));
    }
}
