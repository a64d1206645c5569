using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Greengage.Delivery.Tests.Infrastructure;

/// <summary>Keys made for each test run: never real credentials.</summary>
public static class TestKeys
{
    /// <summary>A Google-style service account key file for a fresh RSA key, and the key (to verify assertions with).</summary>
    public static (JsonObject Account, RSA Key) ServiceAccount(string tokenUri, string projectId = "greengage-test")
    {
        var rsa = RSA.Create(2048);
        var account = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = "kid-" + Guid.NewGuid().ToString("N")[..8],
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = $"fcm@{projectId}.iam.gserviceaccount.com",
            ["client_id"] = "1234567890",
            ["token_uri"] = tokenUri,
        };
        return (account, rsa);
    }

    /// <summary>An APNs-style .p8 key (PKCS#8 PEM, P-256) and the key.</summary>
    public static (string P8, ECDsa Key) ApnsKey()
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key);
    }

    /// <summary>A VAPID key pair as base64url halves (65-byte public point, 32-byte private scalar).</summary>
    public static (string PublicKey, string PrivateKey) Vapid()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(true);
        return (B64([0x04, .. p.Q.X!, .. p.Q.Y!]), B64(p.D!));
    }

    public static string B64(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[] FromB64(string text) => System.Buffers.Text.Base64Url.DecodeFromChars(text);
}
