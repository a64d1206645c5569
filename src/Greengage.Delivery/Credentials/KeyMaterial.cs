using System.Security.Cryptography;
using Greengage.Delivery.Http;

namespace Greengage.Delivery.Credentials;

/// <summary>Loads the private keys credentials carry. Errors name what is wrong, never the key.</summary>
public static class KeyMaterial
{
    /// <summary>An RSA key from PEM (<c>BEGIN PRIVATE KEY</c> or <c>BEGIN RSA PRIVATE KEY</c>), as in a Google service account.</summary>
    public static RSA LoadRsa(string pem, string what)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new CredentialException($"{what} is not a PEM RSA private key.");
        }
        if (rsa.KeySize < 2048)
        {
            rsa.Dispose();
            throw new CredentialException($"{what} is an RSA key of {rsa.KeySize} bits; at least 2048 are needed.");
        }
        return rsa;
    }

    /// <summary>
    /// A P-256 private key from an APNs .p8 file: PKCS#8 PEM (<c>BEGIN PRIVATE KEY</c>), or the same bytes as bare
    /// base64 (the file without its PEM lines).
    /// </summary>
    public static ECDsa LoadP256(string text, string what)
    {
        var key = ECDsa.Create();
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
                key.ImportFromPem(text);
            else
                key.ImportPkcs8PrivateKey(Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c)))), out _);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException)
        {
            key.Dispose();
            throw new CredentialException($"{what} is not a PKCS#8 EC private key (the .p8 file's text).");
        }
        if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            key.Dispose();
            throw new CredentialException($"{what} is not on the P-256 curve.");
        }
        return key;
    }

    /// <summary>
    /// A VAPID key pair from its raw base64url halves: the 65-byte uncompressed public point and the 32-byte private
    /// scalar. Refuses a pair whose halves do not belong together.
    /// </summary>
    public static ECDsa LoadVapid(string publicKey, string privateKey)
    {
        var q = Base64UrlText.TryDecode(publicKey);
        if (q is not { Length: 65 } || q[0] != 0x04)
            throw new CredentialException("'publicKey' must be the 65-byte uncompressed P-256 public key, base64url (it starts with 'B').");
        var d = Base64UrlText.TryDecode(privateKey);
        if (d is not { Length: 32 })
            throw new CredentialException("'privateKey' must be the 32-byte P-256 private key, base64url.");
        var key = ECDsa.Create();
        try
        {
            key.ImportParameters(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = q[1..33], Y = q[33..] },
                D = d,
            });
            // A pair is one key: what the private half signs, the public half verifies.
            using var check = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = q[1..33], Y = q[33..] } });
            byte[] probe = [1, 2, 3, 4];
            if (!check.VerifyData(probe, key.SignData(probe, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256))
                throw new CredentialException("'publicKey' and 'privateKey' are not one P-256 key pair.");
        }
        catch (CryptographicException)
        {
            key.Dispose();
            throw new CredentialException("'publicKey' and 'privateKey' are not one P-256 key pair.");
        }
        catch (CredentialException)
        {
            key.Dispose();
            throw;
        }
        return key;
    }
}
