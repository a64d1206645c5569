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
    public static async Task<ApiRequest> ReadAsync(HttpContext http, ProtocolLimits limits, CancellationToken cancellationToken)
    {
        var query = http.Request.Query.Select(q => KeyValuePair.Create(q.Key, q.Value.ToString())).ToList();
        if (!HttpMethods.IsPost(http.Request.Method) && !HttpMethods.IsPut(http.Request.Method))
            return RequestParser.Parse(query, [], ReadOnlySpan<byte>.Empty, limits);

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limits.MaxBodyBytes;

        var contentType = http.Request.ContentType ?? "";
        if (contentType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new EnvelopeException(400, $"The multipart body cannot be read: {e.Message}");
            }
            var fields = form.Select(f => KeyValuePair.Create(f.Key, f.Value.ToString())).ToList();
            return RequestParser.Parse(query, fields, ReadOnlySpan<byte>.Empty, limits);
        }

        var body = await ReadBodyAsync(http.Request.Body, limits.MaxBodyBytes, cancellationToken);
        var span = body.WrittenSpan;
        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) || LooksLikeForm(span))
            return RequestParser.Parse(query, RequestParser.ParseFormUrlEncoded(span), ReadOnlySpan<byte>.Empty, limits);
        return RequestParser.Parse(query, [], span, limits);
    }

    private static async Task<ArrayBufferWriter<byte>> ReadBodyAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(16 * 1024);
                var read = await body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                    return buffer;
                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                    throw TooLarge(limit);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(limit);
        }
        catch (InvalidDataException)
        {
            throw new EnvelopeException(400, "The request body is not valid gzip data.");
        }
    }

    private static EnvelopeException TooLarge(long limit) =>
        new(413, $"The request body is larger than the limit of {limit} bytes.");

    /// <summary>A body that is not JSON but has key=value pairs is read as a form (clients that omit the Content-Type).</summary>
    private static bool LooksLikeForm(ReadOnlySpan<byte> body)
    {
        var trimmed = body.TrimStart(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] is not ((byte)'{' or (byte)'[') && trimmed.IndexOf((byte)'=') > 0;
    }
}
