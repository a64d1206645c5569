namespace Greengage.Protocol.Requests;

/// <summary>
/// A file part of a multipart/form-data request (spec 1.7: <c>uploadFile</c> sends <c>file0</c>, <c>file1</c>, ... or
/// <c>file</c>). The bytes stay wherever the host buffered them until the request ends; <see cref="OpenRead"/> opens
/// them from the start.
/// </summary>
/// <param name="Name">The form field name (<c>file0</c>).</param>
/// <param name="FileName">The file name the client gave the part, when it gave one.</param>
/// <param name="Length">The part's length in bytes.</param>
/// <param name="OpenRead">Opens the part's bytes for reading.</param>
public sealed record ApiFilePart(string Name, string? FileName, long Length, Func<Stream> OpenRead);
