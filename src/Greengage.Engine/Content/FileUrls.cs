namespace Greengage.Engine.Content;

/// <summary>
/// The URLs Greengage hands out for files: <c>{base}/files/{appId}/{contentHash}/{filename}</c> names one file's exact
/// bytes forever (so it may be cached for good, and needs no key: it can only be known from a start answer or from
/// the bytes themselves); <c>{base}/api?action=uploadFile</c> is where iOS uploads.
/// </summary>
public static class FileUrls
{
    /// <summary>The path prefix of file URLs.</summary>
    public const string Prefix = "/files";

    public static string Download(string baseUrl, string appId, StoredFile file) =>
        $"{baseUrl}{Prefix}/{Uri.EscapeDataString(appId)}/{file.ContentHash}/{EscapePath(file.Filename)}";

    public static string Upload(string baseUrl) => baseUrl + "/api?action=uploadFile";

    /// <summary>Each path segment escaped; the slashes of a resource path (<c>images/a b.png</c>) kept.</summary>
    private static string EscapePath(string filename) =>
        string.Join('/', filename.Split('/').Select(Uri.EscapeDataString));
}
