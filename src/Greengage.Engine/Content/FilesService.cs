using Greengage.Protocol.Values;

namespace Greengage.Engine.Content;

/// <summary>One file of an upload, checked: its name, the client's hash (opaque) and size, and how to read its bytes.</summary>
public sealed record FileUpload(string Filename, string? Hash, long Size, Func<Stream> OpenRead);

/// <summary>
/// Uploaded files: the bytes go to the <see cref="IFileBlobStore"/> by content, then the app's file table (content
/// documents of kind <see cref="ContentKinds.File"/>) is changed in one write and published with the app's snapshot.
/// </summary>
public sealed class FilesService(ContentDirectory content, IFileBlobStore blobs, TimeProvider time)
{
    /// <summary>
    /// Stores every file's bytes durably, then records them all in the file table (replacing files of the same name).
    /// A file whose bytes are not as long as its size says fails the whole upload before the table changes (its blob,
    /// if written, is unreferenced and harmless: blobs are named by content).
    /// </summary>
    public async Task<IReadOnlyList<StoredFile>> StoreAsync(string appId, IReadOnlyList<FileUpload> uploads, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var stored = new List<StoredFile>(uploads.Count);
        foreach (var upload in uploads)
        {
            StoredBlob blob;
            await using (var bytes = upload.OpenRead())
                blob = await blobs.PutAsync(appId, bytes, cancellationToken);
            if (blob.Length != upload.Size)
                throw new InvalidParameterException($"The file '{upload.Filename}' is {blob.Length} bytes long, not {upload.Size} as its size says.");
            stored.Add(new StoredFile(upload.Filename, upload.Hash ?? blob.ContentHash, blob.Length, blob.ContentHash, now));
        }
        await content.ChangeAsync(appId, _ => new ContentChange<bool>(true, stored.Select(f => f.ToDocument()).ToList(), []), cancellationToken);
        return stored;
    }
}
