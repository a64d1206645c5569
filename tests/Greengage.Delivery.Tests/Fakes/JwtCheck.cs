using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Infrastructure;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>How the fakes verify the tokens they get, as the real services would: the signature with the public key,
/// then the header and claims.</summary>
public static class JwtCheck
{
    /// <summary>The header and claims of <paramref name="jwt"/>, or the reason it is not valid.</summary>
    public static (JsonObject? Header, JsonObject? Claims, string? Error) Verify(string jwt, RSA? rsa = null, ECDsa? ec = null)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
            return (null, null, "not three parts");
        JsonObject header, claims;
        byte[] signature;
        try
        {
            header = (JsonObject)JsonNode.Parse(TestKeys.FromB64(parts[0]))!;
            claims = (JsonObject)JsonNode.Parse(TestKeys.FromB64(parts[1]))!;
            signature = TestKeys.FromB64(parts[2]);
        }
        catch (Exception e)
        {
            return (null, null, "unreadable: " + e.Message);
        }
        var input = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var valid = rsa is not null
            ? (string?)header["alg"] == "RS256" && rsa.VerifyData(input, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : (string?)header["alg"] == "ES256" && signature.Length == 64 && ec!.VerifyData(input, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return valid ? (header, claims, null) : (header, claims, "bad signature or alg");
    }
}
