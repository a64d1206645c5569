using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Greengage.Delivery.WebPush;

/// <summary>
/// Message encryption for Web Push (RFC 8291) in the aes128gcm content coding (RFC 8188), one record: an ephemeral
/// P-256 ECDH key agreed with the subscription's <c>p256dh</c> key, mixed with its <c>auth</c> secret through
/// HKDF-SHA256, then AES-128-GCM. The body is <c>salt(16) | rs(4) | idlen(1) | as_public(65) | ciphertext</c>.
/// </summary>
public static class WebPushEncryption
{
    /// <summary>The record size written in the header; one record carries the whole message.</summary>
    public const int RecordSize = 4096;

    /// <summary>The largest plaintext one record holds: the record less the header (86), the tag (16) and the delimiter (1).</summary>
    public const int MaxPlaintext = RecordSize - 86 - 16 - 1;

    /// <summary>Encrypts for a subscription with a fresh ephemeral key and salt.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> userAgentPublicKey, ReadOnlySpan<byte> authSecret)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return Encrypt(plaintext, userAgentPublicKey, authSecret, ephemeral, RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>Encrypts with a given application-server key and salt (RFC 8291 section 5 gives an example to check).</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> userAgentPublicKey, ReadOnlySpan<byte> authSecret, ECDiffieHellman applicationServerKey, ReadOnlySpan<byte> salt)
    {
        ArgumentNullException.ThrowIfNull(applicationServerKey);
        if (userAgentPublicKey.Length != 65 || userAgentPublicKey[0] != 0x04)
            throw new ArgumentException("The subscription's p256dh key must be a 65-byte uncompressed P-256 point.", nameof(userAgentPublicKey));
        if (authSecret.Length != 16)
            throw new ArgumentException("The subscription's auth secret must be 16 bytes.", nameof(authSecret));
        if (salt.Length != 16)
            throw new ArgumentException("The salt must be 16 bytes.", nameof(salt));
        if (plaintext.Length > MaxPlaintext)
            throw new ArgumentException($"A web push payload holds at most {MaxPlaintext} bytes.", nameof(plaintext));

        using var userAgent = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = userAgentPublicKey[1..33].ToArray(), Y = userAgentPublicKey[33..].ToArray() },
        });
        var q = applicationServerKey.ExportParameters(false).Q;
        byte[] asPublic = [0x04, .. q.X!, .. q.Y!];
        var ecdhSecret = applicationServerKey.DeriveRawSecretAgreement(userAgent.PublicKey);

        // IKM = HKDF(salt = auth_secret, ikm = ecdh_secret, info = "WebPush: info" 0x00 ua_public as_public, 32)
        byte[] keyInfo = [.. "WebPush: info\0"u8, .. userAgentPublicKey, .. asPublic];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret.ToArray(), keyInfo);
        var cek = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt.ToArray(), "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt.ToArray(), "Content-Encoding: nonce\0"u8.ToArray());

        // One record, the last: the plaintext, then the delimiter 0x02, no padding.
        var record = new byte[plaintext.Length + 1];
        plaintext.CopyTo(record);
        record[^1] = 0x02;
        var body = new byte[16 + 4 + 1 + 65 + record.Length + 16];
        salt.CopyTo(body);
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(16), RecordSize);
        body[20] = 65;
        asPublic.CopyTo(body.AsSpan(21));
        using var aes = new AesGcm(cek, 16);
        aes.Encrypt(nonce, record, body.AsSpan(86, record.Length), body.AsSpan(86 + record.Length, 16));
        return body;
    }

    /// <summary>The UTF-8 bytes of a JSON payload.</summary>
    internal static byte[] Utf8(string json) => Encoding.UTF8.GetBytes(json);
}
