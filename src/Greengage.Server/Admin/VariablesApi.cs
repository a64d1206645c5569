using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>What one app version declared with <c>setVars</c>.</summary>
/// <param name="AppVersion">Empty when the declaration named no version.</param>
public sealed record CodeDefaultsResponse(string AppVersion, JsonObject Vars, JsonObject Kinds, DateTimeOffset Updated);

/// <summary>An app's variables: the code defaults each app version declared, and the live values set over them.</summary>
/// <param name="Live">Live values by dotted variable name (<c>group.name</c>).</param>
public sealed record VariablesResponse(IReadOnlyList<CodeDefaultsResponse> CodeDefaults, IReadOnlyDictionary<string, JsonNode?> Live);

/// <summary>A live value to set: any JSON value that fits the variable's declared kind.</summary>
public sealed record SetVariableRequest(JsonNode? Value);

/// <summary>A live value as set.</summary>
public sealed record VariableResponse(string Name, JsonNode? Value);

/// <summary><c>/admin/v1/apps/{appId}/variables</c>: code defaults (read-only, from setVars) and live values.</summary>
internal static class VariablesApi
{
    public static RouteGroupBuilder MapVariablesApi(this RouteGroupBuilder admin)
    {
        var variables = admin.MapGroup("/apps/{appId}/variables").WithTags("Variables");
        variables.MapGet("/", List).WithName("ListVariables")
            .WithSummary("Shows the code defaults each app version declared (setVars) and the live values set over them.");
        variables.MapPut("/{name}", SetAsync).WithName("SetVariable")
            .WithSummary("Sets a variable's live value (a dotted name for a variable in a group); start and getVars serve it at once.");
        variables.MapDelete("/{name}", DeleteAsync).WithName("DeleteVariable")
            .WithSummary("Removes a live value: the code default applies again.");
        return admin;
    }

    private static Results<Ok<VariablesResponse>, ProblemHttpResult> List(string appId, AppDirectory apps, ContentDirectory content)
    {
        if (apps.Find(appId) is null)
            return AppNotFound(appId);
        var current = content.For(appId);
        var defaults = current.DefaultsByVersion.Values
            .OrderBy(d => d.AppVersion, StringComparer.Ordinal)
            .Select(d => new CodeDefaultsResponse(d.AppVersion, (JsonObject)d.Vars.DeepClone(), (JsonObject)d.Kinds.DeepClone(), DateTimeOffset.FromUnixTimeMilliseconds(d.UpdatedMs)))
            .ToList();
        var live = current.Live.OrderBy(l => l.Key, StringComparer.Ordinal).ToDictionary(l => l.Key, l => l.Value?.DeepClone(), StringComparer.Ordinal);
        return TypedResults.Ok(new VariablesResponse(defaults, live));
    }

    private static async Task<Results<Ok<VariableResponse>, ProblemHttpResult>> SetAsync(
        string appId, string name, SetVariableRequest body, AppDirectory apps, VariablesService variables, ProtocolLimits limits, HttpContext http)
    {
        if (apps.Find(appId) is null)
            return AppNotFound(appId);
        if (InvalidName(name, limits) is { } problem)
            return problem;
        if (body.Value is not { } value)
            return TypedResults.Problem(statusCode: 400, title: "Invalid value", detail: "'value' must be a JSON value other than null.");
        if (await variables.SetLiveAsync(appId, name, value, http.RequestAborted) is { } mismatch)
            return TypedResults.Problem(statusCode: 400, title: "Invalid value", detail: mismatch);
        return TypedResults.Ok(new VariableResponse(name, value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string appId, string name, AppDirectory apps, VariablesService variables, HttpContext http)
    {
        if (apps.Find(appId) is null)
            return AppNotFound(appId);
        return await variables.DeleteLiveAsync(appId, name, http.RequestAborted)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: 404, title: "No live value", detail: $"The variable '{name}' has no live value.");
    }

    private static ProblemHttpResult? InvalidName(string name, ProtocolLimits limits) =>
        name.Length == 0 || name.Length > limits.MaxNameLength || name.Split('.').Any(part => part.Length == 0)
            ? TypedResults.Problem(statusCode: 400, title: "Invalid variable name",
                detail: $"A variable name is 1 to {limits.MaxNameLength} characters; groups are separated by single dots.")
            : null;

    private static ProblemHttpResult AppNotFound(string appId) =>
        TypedResults.Problem(statusCode: 404, title: "App not found", detail: $"No app has the id '{appId}'.");
}
