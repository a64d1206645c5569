using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Delivery.Http;

/// <summary>Compact JWS (RFC 7515) signing for the three tokens delivery needs: RS256 (Google OAuth2 assertion) and
/// ES256 (APNs provider token, VAPID).</summary>
internal static class Jwt
{
    public static string SignRs256(JsonObject header, JsonObject claims, RSA key)
    {
        header["alg"] = "RS256";
        var input = SigningInput(header, claims);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return input + "." + Base64UrlText.Encode(signature);
    }

    /// <summary>ES256: the signature is r || s, 32 bytes each (RFC 7518 section 3.4), .NET's IEEE P1363 format.</summary>
    public static string SignEs256(JsonObject header, JsonObject claims, ECDsa key)
    {
        header["alg"] = "ES256";
        var input = SigningInput(header, claims);
        var signature = key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return input + "." + Base64UrlText.Encode(signature);
    }

    private static string SigningInput(JsonObject header, JsonObject claims) =>
        Base64UrlText.Encode(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64UrlText.Encode(JsonSerializer.SerializeToUtf8Bytes(claims));
}
