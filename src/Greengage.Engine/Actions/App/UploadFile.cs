using System.Text.Json;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// <c>uploadFile</c> (spec 1.7, development key): multipart/form-data with <c>data</c> = a JSON array of
/// {<c>filename</c>, <c>size</c>, <c>hash</c>} (Android sends <c>size</c> as text; iOS adds <c>count</c>) and file parts
/// <c>file0</c>, <c>file1</c>, ... in the same order; or one file as <c>filename</c>, <c>size</c>, <c>hash</c> and the
/// part <c>file</c>. Everything is checked before anything is stored; the answer's <c>uploadUrl</c> is added by the
/// dispatcher (it knows the server's URL).
/// </summary>
public sealed class UploadFile(FilesService files, FileLimits limits) : ISoleAppAction
{
    public const string ActionName = "uploadFile";

    public string Name => ActionName;

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ISoleAppAction.NotAlone(ActionName));

    public async ValueTask<ActionResult> HandleAloneAsync(AppEntry app, ParameterSet parameters, ApiRequest request, CancellationToken cancellationToken)
    {
        var uploads = Read(parameters, request.Files);
        if (uploads.Count > limits.MaxFilesPerUpload)
            return ActionResult.Fail(413, $"Too many files in one upload: {uploads.Count} (the limit is {limits.MaxFilesPerUpload}).");
        var total = uploads.Sum(u => u.Size);
        if (total > limits.MaxUploadBytes)
            return ActionResult.Fail(413, $"The files of one upload total {total} bytes; the limit is {limits.MaxUploadBytes} bytes.");
        await files.StoreAsync(app.AppId, uploads, cancellationToken);
        return ActionResult.Ok();
    }

    /// <summary>The files the request describes, each matched with its part and its size checked.</summary>
    private List<FileUpload> Read(ParameterSet parameters, IReadOnlyList<ApiFilePart> parts)
    {
        var byName = new Dictionary<string, ApiFilePart>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            if (!byName.TryAdd(part.Name, part))
                throw new InvalidParameterException($"The file part '{part.Name}' appears more than once.");
        }
        var uploads = new List<FileUpload>();
        if (parameters.Array("data") is { } data)
        {
            if (parameters.Long("count") is { } count && count != data.GetArrayLength())
                throw new InvalidParameterException($"'count' is {count} but 'data' describes {data.GetArrayLength()} files.");
            var i = 0;
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object)
                    throw new InvalidParameterException("Each element of 'data' must be an object {filename, size, hash}.");
                var name = Lenient.ToText(entry.TryGetProperty("filename", out var f) ? f : default);
                var size = entry.TryGetProperty("size", out var s) && !Lenient.IsAbsent(s) ? Lenient.ToDouble(s) ?? -1 : (double?)null;
                var hash = entry.TryGetProperty("hash", out var h) && !Lenient.IsAbsent(h) ? Lenient.ToText(h) : null;
                uploads.Add(Upload(name, size, hash, $"file{i}", byName));
                i++;
            }
        }
        else if (parameters.String("filename") is { } single)
        {
            uploads.Add(Upload(single, parameters.Double("size"), parameters.String("hash"), byName.ContainsKey("file") ? "file" : "file0", byName));
        }
        else
        {
            throw new InvalidParameterException("'data' (an array of {filename, size, hash}) or 'filename' must be provided.");
        }
        if (uploads.Count == 0)
            throw new InvalidParameterException("'data' must describe at least one file.");
        if (byName.Count > 0)
            throw new InvalidParameterException($"The file part '{byName.Keys.First()}' has no entry in 'data'.");
        if (uploads.GroupBy(u => u.Filename, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new InvalidParameterException($"The file '{twice.Key}' appears more than once in 'data'.");
        return uploads;
    }

    /// <summary>One file: its name checked, its part taken out of <paramref name="parts"/>, its size checked against the part.</summary>
    private FileUpload Upload(string? filename, double? size, string? hash, string partName, Dictionary<string, ApiFilePart> parts)
    {
        if (string.IsNullOrEmpty(filename) || filename.Length > limits.MaxFilenameLength || filename.Any(char.IsControl))
            throw new InvalidParameterException($"Each file needs a 'filename' of 1 to {limits.MaxFilenameLength} characters without control characters.");
        if (!parts.Remove(partName, out var part))
            throw new InvalidParameterException($"The file part '{partName}' for '{filename}' is missing.");
        if (size is { } declared && (declared != Math.Floor(declared) || declared < 0))
            throw new InvalidParameterException($"The size of '{filename}' must be a whole number of bytes.");
        if (size is { } expected && (long)expected != part.Length)
            throw new InvalidParameterException($"The file '{filename}' is {part.Length} bytes long, not {(long)expected} as its size says.");
        if (hash is { Length: > 256 })
            throw new InvalidParameterException($"The hash of '{filename}' must be at most 256 characters long.");
        return new FileUpload(filename, hash, part.Length, part.OpenRead);
    }
}
