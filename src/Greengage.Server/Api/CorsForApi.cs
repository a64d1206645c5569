namespace Greengage.Server.Api;

/// <summary>
/// CORS for any origin on <c>/api</c> (and the file URLs it hands out, <c>/files</c>): browsers running the JS SDK must read every answer. Preflight (OPTIONS) is
/// answered here with 204; the SDK itself never triggers one (text/plain POST), but other browser callers do.
/// </summary>
internal static class CorsForApi
{
    public static IApplicationBuilder UseCorsForApi(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (!http.Request.Path.StartsWithSegments("/api") && !http.Request.Path.StartsWithSegments("/api-batch")
            && !http.Request.Path.StartsWithSegments(Engine.Content.FileUrls.Prefix))
        {
            await next(http);
            return;
        }
        var headers = http.Response.Headers;
        headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsOptions(http.Request.Method))
        {
            headers.AccessControlAllowMethods = "GET, POST, OPTIONS";
            headers.AccessControlAllowHeaders = http.Request.Headers.AccessControlRequestHeaders.Count > 0
                ? http.Request.Headers.AccessControlRequestHeaders.ToString()
                : "Content-Type, Content-Encoding";
            headers.AccessControlMaxAge = "86400";
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        await next(http);
    });
}
