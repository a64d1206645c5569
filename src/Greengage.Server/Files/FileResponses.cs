using Greengage.Engine.Actions.App;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Net.Http.Headers;

namespace Greengage.Server.Files;

/// <summary>
/// Writes a stored file as the HTTP answer: its bytes with a Content-Type from its name's extension, an ETag of its
/// content hash (If-None-Match answers 304) and byte ranges, by ASP.NET Core's own file result.
/// </summary>
internal static class FileResponses
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Cache-Control of a URL that names exact bytes (<c>/files/...</c>): cache it for good.</summary>
    public const string Immutable = "public, max-age=31536000, immutable";

    /// <summary>Cache-Control of a URL by file name (<c>downloadFile</c>): the name may get new bytes, so revalidate.</summary>
    public const string Revalidate = "no-cache";

    public static string ContentTypeOf(string filename) =>
        ContentTypes.TryGetContentType(filename, out var type) ? type : "application/octet-stream";

    /// <summary>Writes the blob <paramref name="contentHash"/> as <paramref name="filename"/>; false when the blob is missing.</summary>
    public static async Task<bool> WriteAsync(HttpContext http, IFileBlobStore blobs, string appId, string contentHash, string filename, string cacheControl)
    {
        var stream = blobs.OpenRead(appId, contentHash);
        if (stream is null)
            return false;
        http.Response.Headers.CacheControl = cacheControl;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var result = TypedResults.File(stream, ContentTypeOf(filename), entityTag: new EntityTagHeaderValue($"\"{contentHash}\""), enableRangeProcessing: true);
        await result.ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// When <paramref name="request"/> is a <c>downloadFile</c> alone that found its file, answers the file's bytes
    /// (spec 3: the one action that does not answer JSON) and returns true; a blob missing from the disk answers 404.
    /// </summary>
    public static async Task<bool> TryWriteDownloadAsync(HttpContext http, IFileBlobStore blobs, ApiRequest request, IReadOnlyList<ActionResult> results)
    {
        if (request.Items is not [{ Action: DownloadFile.ActionName } item] || results is not [{ Success: true, Fields: { } fields }])
            return false;
        var appId = item.Parameters.StringOrNull(WireNames.AppId)!;
        var contentHash = (string)fields[DownloadFile.ContentHashField]!;
        var filename = (string)fields["filename"]!;
        if (!await WriteAsync(http, blobs, appId, contentHash, filename, Revalidate))
            await Api.ApiEndpoint.WriteErrorAsync(http, StatusCodes.Status404NotFound, DownloadFile.NotFound);
        return true;
    }
}
