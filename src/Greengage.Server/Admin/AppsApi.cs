using Greengage.Engine.Apps;
using Greengage.Server.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary><c>/admin/v1/apps</c>: create, list, show, rotate keys (CONTRACTS.md).</summary>
internal static class AppsApi
{
    private const int MaxNameLength = 200;

    public static RouteGroupBuilder MapAppsApi(this RouteGroupBuilder admin)
    {
        var apps = admin.MapGroup("/apps").WithTags("Apps");
        apps.MapPost("/", CreateAsync).WithName("CreateApp").WithSummary("Creates an app with four fresh keys.");
        apps.MapGet("/", ListAsync).WithName("ListApps").WithSummary("Lists apps, a page at a time.");
        apps.MapGet("/{appId}", GetAsync).WithName("GetApp").WithSummary("Shows one app, keys included.");
        apps.MapPost("/{appId}/keys/{keyClass}/rotate", RotateAsync).WithName("RotateKey")
            .WithSummary("Issues a new key of one class (production, development, dataExport, contentReadOnly); the old one stops working.");
        return admin;
    }

    private static async Task<Results<Created<AppResponse>, ProblemHttpResult>> CreateAsync(
        CreateAppRequest body, AppService apps, PublicUrls urls, HttpContext http)
    {
        var name = body.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
            return TypedResults.Problem(statusCode: 400, title: "Invalid app name", detail: $"'name' must be 1 to {MaxNameLength} characters long.");
        var app = await apps.CreateAsync(name, http.RequestAborted);
        return TypedResults.Created($"/admin/v1/apps/{app.AppId}", AppResponse.From(app, urls.Api(http)));
    }

    private static async Task<Results<Ok<Page<AppResponse>>, ProblemHttpResult>> ListAsync(
        AppService apps, PublicUrls urls, HttpContext http, string? cursor = null, int limit = 100)
    {
        if (limit is < 1 or > 1000)
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: "'limit' must be between 1 and 1000.");
        var all = (await apps.ListAsync(http.RequestAborted)).OrderBy(a => a.AppId, StringComparer.Ordinal);
        var page = all.Where(a => cursor is null || string.CompareOrdinal(a.AppId, cursor) > 0).Take(limit + 1).ToList();
        var next = page.Count > limit ? page[limit - 1].AppId : null;
        var api = urls.Api(http);
        return TypedResults.Ok(new Page<AppResponse>(page.Take(limit).Select(a => AppResponse.From(a, api)).ToList(), next));
    }

    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> GetAsync(string appId, AppService apps, PublicUrls urls, HttpContext http)
    {
        var app = await apps.GetAsync(appId, http.RequestAborted);
        return app is null
            ? TypedResults.Problem(statusCode: 404, title: "App not found", detail: $"No app has the id '{appId}'.")
            : TypedResults.Ok(AppResponse.From(app, urls.Api(http)));
    }

    private static async Task<Results<Ok<AppResponse>, ProblemHttpResult>> RotateAsync(
        string appId, string keyClass, AppService apps, PublicUrls urls, HttpContext http)
    {
        if (KeyClassNames.Parse(keyClass) is null)
            return TypedResults.Problem(statusCode: 400, title: "Unknown key class",
                detail: "The key class must be one of production, development, dataExport, contentReadOnly.");
        var app = await apps.RotateAsync(appId, keyClass, http.RequestAborted);
        return app is null
            ? TypedResults.Problem(statusCode: 404, title: "App not found", detail: $"No app has the id '{appId}'.")
            : TypedResults.Ok(AppResponse.From(app, urls.Api(http)));
    }
}
