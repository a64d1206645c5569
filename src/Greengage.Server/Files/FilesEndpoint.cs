using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Responses;

namespace Greengage.Server.Files;

/// <summary>
/// <c>GET /files/{appId}/{contentHash}/{filename}</c>: the direct file URLs that <c>start</c> hands out in <c>files</c>
/// (docs/content.md, "Files"). No key: the URL names the exact bytes by their SHA-256, so it is known only from a start
/// answer or from the bytes themselves, and its answer never changes (cached for good).
/// </summary>
internal static class FilesEndpoint
{
    public static void MapFiles(this IEndpointRouteBuilder routes) =>
        routes.MapMethods(FileUrls.Prefix + "/{appId}/{contentHash}/{**filename}", ["GET", "HEAD"], ServeAsync).ExcludeFromDescription();

    private static async Task ServeAsync(HttpContext http, string appId, string contentHash, string filename, AppDirectory apps, IFileBlobStore blobs)
    {
        if (apps.Find(appId) is null || !DiskFileBlobStore.IsContentHash(contentHash)
            || !await FileResponses.WriteAsync(http, blobs, appId, contentHash, filename, FileResponses.Immutable))
        {
            await Api.ApiEndpoint.WriteErrorAsync(http, StatusCodes.Status404NotFound, Engine.Actions.App.DownloadFile.NotFound);
        }
    }
}
