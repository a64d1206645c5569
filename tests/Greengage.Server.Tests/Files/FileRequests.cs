using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Greengage.Server.Tests.Files;

/// <summary>Builds uploadFile and downloadFile requests the way the SDKs send them (spec 1.7).</summary>
public static class FileRequests
{
    /// <summary>
    /// An Android/iOS-style upload: multipart/form-data with the common fields, <c>data</c> = JSON array of
    /// {filename, size (as text, like Android), hash}, <c>count</c> (like iOS), and parts <c>file0</c>, <c>file1</c>, ...
    /// </summary>
    public static MultipartFormDataContent Multi(string appId, string key, IReadOnlyList<(string Filename, byte[] Bytes)> files,
        Func<int, long>? declaredSize = null, bool devMode = true)
    {
        var data = string.Join(',', files.Select((f, i) =>
            $$"""{"filename":"{{f.Filename}}","size":"{{declaredSize?.Invoke(i) ?? f.Bytes.Length}}","hash":"{{ClientHash(f.Bytes)}}"}"""));
        var content = Common(appId, key, devMode);
        content.Add(new StringContent($"[{data}]"), "data");
        content.Add(new StringContent(files.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), "count");
        for (var i = 0; i < files.Count; i++)
            content.Add(Part(files[i].Bytes), $"file{i}", Path.GetFileName(files[i].Filename));
        return content;
    }

    /// <summary>The single-file form: <c>filename</c>, <c>size</c>, <c>hash</c> and the part <c>file</c>, without <c>data</c>.</summary>
    public static MultipartFormDataContent Single(string appId, string key, string filename, byte[] bytes)
    {
        var content = Common(appId, key, devMode: true);
        content.Add(new StringContent(filename), "filename");
        content.Add(new StringContent(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), "size");
        content.Add(new StringContent(ClientHash(bytes)), "hash");
        content.Add(Part(bytes), "file", filename);
        return content;
    }

    public static MultipartFormDataContent Common(string appId, string key, bool devMode)
    {
        var content = new MultipartFormDataContent();
        foreach (var (name, value) in new[]
                 {
                     ("appId", appId), ("clientKey", key), ("action", "uploadFile"), ("deviceId", "dev-device"), ("userId", "dev-user"),
                     ("sdkVersion", "7.0.0"), ("devMode", devMode ? "true" : "false"), ("time", "1700000000.5"),
                 })
        {
            content.Add(new StringContent(value), name);
        }
        return content;
    }

    public static ByteArrayContent Part(byte[] bytes)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return part;
    }

    /// <summary>An md5-like hash as the SDKs send it: Greengage keeps it as an opaque string.</summary>
    public static string ClientHash(byte[] bytes) => Convert.ToHexStringLower(MD5.HashData(bytes));

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The query of the JS SDK's <c>getFileUrl</c>: keys, sdkVersion, action and filename.</summary>
    public static string DownloadQuery(string appId, string key, string filename) =>
        $"appId={Uri.EscapeDataString(appId)}&client=js&clientKey={Uri.EscapeDataString(key)}&sdkVersion=1.9.0&action=downloadFile&filename={Uri.EscapeDataString(filename)}";

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
