using System.Buffers;
using Greengage.Protocol.Requests;
using Microsoft.AspNetCore.Http.Features;

namespace Greengage.Server.Api;

/// <summary>
/// Reads an HTTP request into an <see cref="ApiRequest"/>: the query, then a form, multipart fields, or a JSON body
/// whatever the Content-Type says (the JS SDK sends JSON as text/plain). The body limit applies after decompression.
/// </summary>
internal static class ApiRequestReader
{
    /// <param name="uploadBytes">How much a multipart body may carry in file parts beyond the body limit
    /// (<c>Greengage:Files:MaxUploadBytes</c>): its text fields stay within the body limit.</param>
    public static async Task<ApiRequest> ReadAsync(HttpContext http, ProtocolLimits limits, long uploadBytes, CancellationToken cancellationToken)
    {
        var query = http.Request.Query.Select(q => KeyValuePair.Create(q.Key, q.Value.ToString())).ToList();
        if (!HttpMethods.IsPost(http.Request.Method) && !HttpMethods.IsPut(http.Request.Method))
            return RequestParser.Parse(query, [], ReadOnlySpan<byte>.Empty, limits);

        var contentType = http.Request.ContentType ?? "";
        var multipart = contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = multipart ? MultipartLimit(limits, uploadBytes) : limits.MaxBodyBytes;

        if (multipart)
        {
            var (fields, files) = await ReadMultipartAsync(http, limits.MaxBodyBytes, MultipartLimit(limits, uploadBytes), cancellationToken);
            return RequestParser.Parse(query, fields, ReadOnlySpan<byte>.Empty, limits) with { Files = files };
        }

        var (buffer, length) = await ReadBodyAsync(http.Request.Body, http.Request.ContentLength, limits.MaxBodyBytes, cancellationToken);
        try
        {
            // The parser copies what it keeps (strings, JSON documents), so the pooled buffer goes back right after.
            var span = buffer.AsSpan(0, length);
            if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || LooksLikeForm(span))
                return RequestParser.ParseForm(query, span, limits);
            return RequestParser.Parse(query, [], span, limits);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads multipart/form-data fields. The body limit applies to the whole (decompressed) body, as for other bodies;
    /// a broken or truncated multipart body and other multipart types are refused in the envelope.
    /// </summary>
    private static async Task<(List<KeyValuePair<string, string>> Fields, List<ApiFilePart> Files)> ReadMultipartAsync(
        HttpContext http, long fieldsLimit, long limit, CancellationToken cancellationToken)
    {
        if (!http.Request.HasFormContentType)
            throw new EnvelopeException(415, "Unsupported multipart type: send multipart/form-data.");
        var original = http.Request.Body;
        var limited = new LimitedReadStream(original, limit);
        http.Request.Body = limited;
        try
        {
            var form = await http.Request.ReadFormAsync(cancellationToken);
            var files = form.Files.Select(f => new ApiFilePart(f.Name, f.FileName, f.Length, f.OpenReadStream)).ToList();
            // File parts may take the body past the body limit (uploadFile); everything else may not.
            if (limited.BytesRead - files.Sum(f => f.Length) > fieldsLimit)
                throw TooLarge(fieldsLimit);
            return (form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString())).ToList(), files);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
        catch (InvalidDataException) when (limited.BytesRead > fieldsLimit)
        {
            // The form reader's own length limits (a field value longer than the body limit): the body is too large.
            throw TooLarge(fieldsLimit);
        }
        catch (InvalidDataException e)
        {
            throw new EnvelopeException(400, $"The multipart body cannot be read: {e.Message}");
        }
        catch (IOException)
        {
            // A truncated multipart body, or a Kestrel framing error (BadHttpRequestException is an IOException).
            throw new EnvelopeException(400, "The multipart body cannot be read: it ends before its closing boundary, or its framing is broken.");
        }
        catch (InvalidOperationException)
        {
            throw new EnvelopeException(400, "The request body cannot be decompressed.");
        }
        finally
        {
            http.Request.Body = original;
        }
    }

    /// <summary>
    /// Reads the whole body into a buffer rented from the shared pool (the caller returns it), sized by Content-Length
    /// when there is one, so a small body costs neither a large zeroed array nor a copy.
    /// </summary>
    private static async Task<(byte[] Buffer, int Length)> ReadBodyAsync(Stream body, long? contentLength, long limit, CancellationToken cancellationToken)
    {
        try
        {
            return await FillAsync(body, contentLength, limit, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel's framing errors (bad chunking, a body shorter than its Content-Length, a stalled upload).
            throw new EnvelopeException(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, $"The request body cannot be read: {e.Message}");
        }
        catch (InvalidDataException)
        {
            throw new EnvelopeException(400, "The request body is not valid gzip data.");
        }
        catch (InvalidOperationException)
        {
            // Brotli reports invalid data this way (gzip and deflate use InvalidDataException).
            throw new EnvelopeException(400, "The request body cannot be decompressed.");
        }
    }

    private static async Task<(byte[] Buffer, int Length)> FillAsync(Stream body, long? contentLength, long limit, CancellationToken cancellationToken)
    {
        // A decompressed body may be longer than its Content-Length: the buffer grows as needed either way.
        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 and < 64 * 1024 ? (int)contentLength + 1 : 4096);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                    return (buffer, length);
                length += read;
                if (length > limit)
                    throw TooLarge(limit);
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>The most a multipart body may hold: the body limit for its fields plus the upload limit for its files.</summary>
    public static long MultipartLimit(ProtocolLimits limits, long uploadBytes) => limits.MaxBodyBytes + uploadBytes;

    private static EnvelopeException TooLarge(long limit) =>
        new(413, $"The request body is larger than the limit of {limit} bytes.");

    /// <summary>Counts what is read and refuses to read past the limit.</summary>
    private sealed class LimitedReadStream(Stream inner, long limit) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            BytesRead += read;
            if (BytesRead > limit)
                throw TooLarge(limit);
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A body that is not JSON but has key=value pairs is read as a form (clients that omit the Content-Type).</summary>
    private static bool LooksLikeForm(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] is not ((byte)'{' or (byte)'[') && trimmed.IndexOf((byte)'=') > 0;
    }
}
