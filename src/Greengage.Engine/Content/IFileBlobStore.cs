namespace Greengage.Engine.Content;

/// <summary>
/// Where uploaded file bytes live, by content: one blob per app and SHA-256 of the bytes, written once and never
/// changed. The app's file table (which file name has which blob) is content (<see cref="AppFiles"/>).
/// </summary>
public interface IFileBlobStore
{
    /// <summary>
    /// Stores <paramref name="content"/> for <paramref name="appId"/> and returns its SHA-256 (lowercase hex) and length.
    /// When it returns, the blob is durable (written, flushed to disk, and in place by an atomic rename).
    /// </summary>
    Task<StoredBlob> PutAsync(string appId, Stream content, CancellationToken cancellationToken);

    /// <summary>Opens a blob for reading, or null when the app has no blob with that hash.</summary>
    Stream? OpenRead(string appId, string contentHash);
}

/// <summary>A stored blob: the SHA-256 of its bytes (lowercase hex) and its length.</summary>
public sealed record StoredBlob(string ContentHash, long Length);
