using Greengage.Engine.Actions;
using Greengage.Engine.Commit;
using Greengage.Engine.Content;
using Greengage.Server.Files;
using Greengage.Server.Hosting;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Server.Api;

/// <summary>
/// The one <c>/api</c> entry: read the request, dispatch its items, answer the Leanplum envelope. Errors are mapped
/// here and only here: envelope failures answer one error element per item with their status; a full write queue or
/// a failing store answers 503 with Retry-After (SDKs keep the batch and retry).
/// </summary>
internal static partial class ApiEndpoint
{
    public static void MapLeanplumApi(this IEndpointRouteBuilder routes)
    {
        // Every method is mapped so that the ones /api does not serve still answer the envelope (405), not an empty page.
        routes.Map("/api", HandleAsync).ExcludeFromDescription();
        // A legacy alias used by one Java wrapper (spec 1.1).
        routes.Map("/api-batch", HandleAsync).ExcludeFromDescription();
    }

    private static async Task HandleAsync(
        HttpContext http, ApiDispatcher dispatcher, ProtocolLimits limits, FileLimits fileLimits, IFileBlobStore blobs, PublicUrls urls, ILoggerFactory loggers)
    {
        var cancellationToken = http.RequestAborted;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsPost(http.Request.Method))
        {
            http.Response.Headers.Allow = "GET, POST, OPTIONS";
            await WriteAsync(http, StatusCodes.Status405MethodNotAllowed,
                [ActionResult.Fail(StatusCodes.Status405MethodNotAllowed, $"Method {http.Request.Method} is not allowed: use GET or POST.")], null);
            return;
        }
        ApiRequest? request = null;
        IReadOnlyList<ActionResult> results;
        int? envelopeStatus = null;
        try
        {
            request = await ApiRequestReader.ReadAsync(http, limits, fileLimits.MaxUploadBytes, cancellationToken) with { BaseUrl = urls.Base(http) };
            results = await dispatcher.DispatchAsync(request, cancellationToken);
            if (await FileResponses.TryWriteDownloadAsync(http, blobs, request, results))
                return;
        }
        catch (EnvelopeException e)
        {
            results = Repeat(request, ActionResult.Fail(e.Status, e.Message));
            envelopeStatus = e.Status;
        }
        catch (InvalidParameterException e)
        {
            results = Repeat(request, ActionResult.Fail(400, e.Message));
            envelopeStatus = 400;
        }
        catch (StorageUnavailableException e)
        {
            http.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteAsync(http, 503, Repeat(request, ActionResult.Fail(503, $"Temporarily unavailable: {e.Message}")), request);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A server fault still answers the envelope (ARCHITECTURE 9): a 500 element, never a stack trace or a page.
            LogUnexpected(loggers.CreateLogger(typeof(ApiEndpoint).FullName!), e);
            await WriteAsync(http, 500, Repeat(request, ActionResult.Fail(500, "Internal server error.")), request);
            return;
        }
        // An envelope failure keeps its own status even for a multi of several items (ARCHITECTURE).
        await WriteAsync(http, envelopeStatus ?? ResponseWriter.StatusOf(results), results, request);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure while serving /api")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);

    /// <summary>One error element with its status, for answers outside the dispatcher (a missing file).</summary>
    public static Task WriteErrorAsync(HttpContext http, int status, string message) =>
        WriteAsync(http, status, [ActionResult.Fail(status, message)], null);

    private static ActionResult[] Repeat(ApiRequest? request, ActionResult result)
    {
        var results = new ActionResult[Math.Max(1, request?.Items.Count ?? 1)];
        Array.Fill(results, result);
        return results;
    }

    private static async Task WriteAsync(HttpContext http, int status, IReadOnlyList<ActionResult> results, ApiRequest? request)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.CacheControl = "private";
        var reqIds = request?.Items.Select(i => i.ReqId).ToArray() ?? [];
        ResponseWriter.Write(http.Response.BodyWriter, results, reqIds);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }
}
