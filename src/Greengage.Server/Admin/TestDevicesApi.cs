using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Greengage.Server.Admin;

/// <summary>A test device as the admin API shows it: registered by <c>registerDevice</c> with the development key.</summary>
/// <param name="Email">The dashboard account that registered it.</param>
/// <param name="Registered">When it was first registered.</param>
public sealed record TestDeviceResponse(string DeviceId, string Email, DateTimeOffset Registered)
{
    public static TestDeviceResponse From(TestDevice device) => new(device.DeviceId, device.Email, device.RegisteredAt);
}

/// <summary><c>/admin/v1/apps/{appId}/test-devices</c>: the app's registered test devices.</summary>
internal static class TestDevicesApi
{
    public static RouteGroupBuilder MapTestDevicesApi(this RouteGroupBuilder admin)
    {
        admin.MapGet("/apps/{appId}/test-devices", ListAsync).WithTags("Test devices").WithName("ListTestDevices")
            .WithSummary("Lists the app's test devices (registered by registerDevice), by device id, a page at a time.");
        return admin;
    }

    private static async Task<Results<Ok<Page<TestDeviceResponse>>, ProblemHttpResult>> ListAsync(
        string appId, AppDirectory apps, TestDeviceService testDevices, HttpContext http, string? cursor = null, int limit = 100)
    {
        if (limit is < 1 or > 1000)
            return TypedResults.Problem(statusCode: 400, title: "Invalid limit", detail: "'limit' must be between 1 and 1000.");
        if (apps.Find(appId) is null)
            return TypedResults.Problem(statusCode: 404, title: "App not found", detail: $"No app has the id '{appId}'.");
        var all = (await testDevices.ListAsync(appId, http.RequestAborted)).OrderBy(d => d.DeviceId, StringComparer.Ordinal);
        var page = all.Where(d => cursor is null || string.CompareOrdinal(d.DeviceId, cursor) > 0).Take(limit + 1).ToList();
        var next = page.Count > limit ? page[limit - 1].DeviceId : null;
        return TypedResults.Ok(new Page<TestDeviceResponse>(page.Take(limit).Select(TestDeviceResponse.From).ToList(), next));
    }
}
