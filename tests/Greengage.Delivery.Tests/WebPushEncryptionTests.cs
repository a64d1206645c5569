using System.Security.Cryptography;
using System.Text;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.WebPush;

namespace Greengage.Delivery.Tests;

/// <summary>RFC 8291 encryption: the RFC's own example (section 5, appendix A), and a round trip through an
/// independent decryption.</summary>
public sealed class WebPushEncryptionTests
{
    // RFC 8291 section 5 / appendix A, base64url as printed there.
    private const string Plaintext = "V2hlbiBJIGdyb3cgdXAsIEkgd2FudCB0byBiZSBhIHdhdGVybWVsb24";
    private const string AsPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private const string AsPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    private const string UaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private const string UaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    private const string AuthSecret = "BTBZMqHH6r4Tts7J_aSIgg";
    private const string Salt = "DGv6ra1nlYgDCS1FRnbzlw";
    private const string Body =
        "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
        "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
        "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    private static ECDiffieHellman Key(string privateKey, string publicKey)
    {
        var q = TestKeys.FromB64(publicKey);
        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = TestKeys.FromB64(privateKey),
            Q = new ECPoint { X = q[1..33], Y = q[33..] },
        });
    }

    [Fact]
    public void Encrypt_Rfc8291Example_IsTheRfcsBodyByteForByte()
    {
        using var applicationServer = Key(AsPrivate, AsPublic);
        var body = WebPushEncryption.Encrypt(TestKeys.FromB64(Plaintext), TestKeys.FromB64(UaPublic), TestKeys.FromB64(AuthSecret), applicationServer, TestKeys.FromB64(Salt));
        Assert.Equal(Body, TestKeys.B64(body));
    }

    [Fact]
    public void Decrypt_Rfc8291Example_GivesTheRfcsPlaintext()
    {
        using var userAgent = Key(UaPrivate, UaPublic);
        Assert.Equal("When I grow up, I want to be a watermelon", FakePushService.Decrypt(TestKeys.FromB64(Body), userAgent, TestKeys.FromB64(AuthSecret)));
    }

    [Fact]
    public void Encrypt_FreshKeyAndSalt_DecryptsWithTheSubscriptionsKeyAndDiffersEachTime()
    {
        using var userAgent = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = userAgent.ExportParameters(false).Q;
        byte[] uaPublic = [0x04, .. q.X!, .. q.Y!];
        var auth = RandomNumberGenerator.GetBytes(16);
        var message = Encoding.UTF8.GetBytes("""{"title":"Größe ✓"}""");

        var first = WebPushEncryption.Encrypt(message, uaPublic, auth);
        var second = WebPushEncryption.Encrypt(message, uaPublic, auth);

        Assert.Equal("""{"title":"Größe ✓"}""", FakePushService.Decrypt(first, userAgent, auth));
        Assert.NotEqual(first, second);
        Assert.Equal(86 + message.Length + 1 + 16, first.Length);
    }

    [Fact]
    public void Encrypt_PayloadBeyondOneRecord_IsRefused()
    {
        using var userAgent = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = userAgent.ExportParameters(false).Q;
        Assert.Throws<ArgumentException>(() => WebPushEncryption.Encrypt(new byte[WebPushEncryption.MaxPlaintext + 1], [0x04, .. q.X!, .. q.Y!], new byte[16]));
    }
}
