using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Content;

/// <summary>
/// One uploaded file, as the app's file table stores it (a content document of kind <see cref="ContentKinds.File"/>,
/// keyed by <see cref="Filename"/>).
/// </summary>
/// <param name="Filename">The name the client uploaded it under (<c>images/banner.png</c>).</param>
/// <param name="Hash">The client's hash, kept as an opaque string for <c>fileAttributes</c>; the content hash when the
/// client sent none.</param>
/// <param name="Size">The length in bytes (checked against the bytes).</param>
/// <param name="ContentHash">SHA-256 of the bytes, lowercase hex: names the blob and the file's URL.</param>
/// <param name="UploadedMs">When it was uploaded, Unix milliseconds.</param>
public sealed record StoredFile(string Filename, string Hash, long Size, string ContentHash, long UploadedMs)
{
    public ContentDocument ToDocument() =>
        new(ContentKinds.File, Filename, JsonSerializer.SerializeToUtf8Bytes(new Body(Hash, Size, ContentHash, UploadedMs)), UploadedMs);

    public static StoredFile FromDocument(ContentDocument document)
    {
        var body = JsonSerializer.Deserialize<Body>(document.Body) ?? throw new JsonException($"File document '{document.Key}' is empty.");
        return new StoredFile(document.Key, body.Hash, body.Size, body.ContentHash, body.UploadedMs);
    }

    /// <summary>The stored shape; its field names are persisted: never rename them.</summary>
    private sealed record Body(
        [property: JsonPropertyName("hash")] string Hash,
        [property: JsonPropertyName("size")] long Size,
        [property: JsonPropertyName("contentHash")] string ContentHash,
        [property: JsonPropertyName("uploadedMs")] long UploadedMs);
}

/// <summary>An app's uploaded files, part of its immutable <see cref="AppContent"/> snapshot.</summary>
public sealed class AppFiles
{
    /// <summary>The variation <c>fileAttributes</c> uses for a file's default (spec 5.2).</summary>
    public const string DefaultVariation = "_empty_";

    private AppFiles(FrozenDictionary<string, StoredFile> byName)
    {
        ByName = byName;
        var attributes = new JsonObject();
        foreach (var file in byName.Values.OrderBy(f => f.Filename, StringComparer.Ordinal))
            attributes[file.Filename] = new JsonObject { [DefaultVariation] = new JsonObject { ["hash"] = file.Hash, ["size"] = file.Size } };
        Attributes = attributes;
    }

    public static AppFiles Empty { get; } = new(FrozenDictionary<string, StoredFile>.Empty);

    /// <summary>Every uploaded file, by file name.</summary>
    public FrozenDictionary<string, StoredFile> ByName { get; }

    /// <summary><c>fileAttributes</c> of the uploaded files: filename → {<c>_empty_</c> → {hash, size}}. Never changed: copy it.</summary>
    public JsonObject Attributes { get; }

    public StoredFile? Find(string filename) => ByName.GetValueOrDefault(filename);

    public static AppFiles Build(IEnumerable<ContentDocument> documents)
    {
        var files = documents.Where(d => d.Kind == ContentKinds.File).Select(StoredFile.FromDocument).ToList();
        return files.Count == 0 ? Empty : new AppFiles(files.ToFrozenDictionary(f => f.Filename, StringComparer.Ordinal));
    }

    /// <summary>
    /// <paramref name="declared"/> (what setVars sent) with the uploaded files' default variation over it: what the
    /// server really holds wins, other variations stay.
    /// </summary>
    public JsonObject MergeAttributes(JsonObject? declared)
    {
        var merged = declared is null ? new JsonObject() : (JsonObject)declared.DeepClone();
        foreach (var (name, variations) in Attributes)
        {
            if (merged[name] is not JsonObject existing)
                merged[name] = existing = new JsonObject();
            existing[DefaultVariation] = variations![DefaultVariation]!.DeepClone();
        }
        return merged;
    }
}
