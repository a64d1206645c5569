using System.Buffers.Text;

namespace Greengage.Delivery.Http;

/// <summary>Unpadded base64url (RFC 4648 section 5), the encoding of JWTs and Web Push keys; decoding also takes
/// padded and standard base64, as operators paste keys in either.</summary>
internal static class Base64UrlText
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Base64Url.EncodeToString(bytes);

    /// <summary>The bytes of <paramref name="text"/>, or null when it is not base64 of either alphabet.</summary>
    public static byte[]? TryDecode(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var normal = text.Trim().TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            return Base64Url.DecodeFromChars(normal);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
