using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Greengage.Engine.Content;

namespace Greengage.Server.Files;

/// <summary>
/// Blobs on the local disk: <c>{data}/files/{appId}/{aa}/{sha256}</c>, where <c>aa</c> is the hash's first two hex
/// digits (so no directory grows past a few thousand entries). A blob is written to a temporary file in the same
/// directory while its hash is computed, flushed to disk, renamed into place atomically, and the directory is flushed
/// too (on Linux), so a blob the store reports is whole and survives a crash or power loss.
/// </summary>
public sealed class DiskFileBlobStore(string root) : IFileBlobStore
{
    public string Root { get; } = Path.GetFullPath(root);

    public async Task<StoredBlob> PutAsync(string appId, Stream content, CancellationToken cancellationToken)
    {
        var appDirectory = AppDirectory(appId);
        Directory.CreateDirectory(appDirectory);
        var temporary = Path.Combine(appDirectory, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            string hash;
            long length;
            await using (var file = new FileStream(temporary, new FileStreamOptions
                         {
                             Mode = FileMode.CreateNew,
                             Access = FileAccess.Write,
                             Options = FileOptions.Asynchronous,
                             BufferSize = 0,
                         }))
            {
                using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[81920];
                length = 0;
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    length += read;
                }
                file.Flush(flushToDisk: true);
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }
            var directory = Path.Combine(appDirectory, hash[..2]);
            Directory.CreateDirectory(directory);
            var final = Path.Combine(directory, hash);
            if (File.Exists(final))
            {
                // The same bytes are already stored (named by content): keep that copy.
                File.Delete(temporary);
            }
            else
            {
                File.Move(temporary, final, overwrite: true);
                FlushDirectory(directory);
            }
            return new StoredBlob(hash, length);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    public Stream? OpenRead(string appId, string contentHash)
    {
        if (!IsContentHash(contentHash))
            return null;
        var path = Path.Combine(AppDirectory(appId), contentHash[..2], contentHash);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>64 lowercase hex digits: what SHA-256 names look like here (anything else names no blob).</summary>
    public static bool IsContentHash(string text) =>
        text.Length == 64 && text.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    private string AppDirectory(string appId)
    {
        // App ids are the server's own, but they reach here from URLs: refuse anything that could leave the root.
        if (appId.Length == 0 || appId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"'{appId}' is not an app id.", nameof(appId));
        return Path.Combine(Root, appId);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>fsync of the directory, so the rename itself is durable (Linux; elsewhere the rename is left to the OS).</summary>
    private static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
            throw new IOException($"Cannot open {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"Cannot flush {directory} (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Close(int fd);
}
