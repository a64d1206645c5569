using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>
/// A browser and its push service on loopback: holds a subscription (its own ECDH key and auth secret), verifies the
/// VAPID header (RFC 8292: the JWT's signature with <c>k</c>, <c>aud</c> = this origin, <c>exp</c> within 24 h,
/// <c>sub</c>) and decrypts each message (RFC 8291, written here from the RFC without the production code) into
/// <see cref="Payloads"/>.
/// </summary>
public sealed class FakePushService : IAsyncDisposable
{
    private readonly ECDiffieHellman _userAgent = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly byte[] _auth = RandomNumberGenerator.GetBytes(16);
    private FakeHttpServer _server = null!;

    public string? ExpectedVapidKey { get; set; }
    public ConcurrentQueue<string> Errors { get; } = new();
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public ConcurrentQueue<JsonObject> Payloads { get; } = new();
    public ConcurrentQueue<Func<HttpContext, Task>> Script { get; } = new();

    public static async Task<FakePushService> StartAsync()
    {
        var fake = new FakePushService();
        fake._server = await FakeHttpServer.StartAsync();
        fake._server.Handle = fake.HandleAsync;
        return fake;
    }

    public byte[] UserAgentPublicKey
    {
        get
        {
            var q = _userAgent.ExportParameters(false).Q;
            return [0x04, .. q.X!, .. q.Y!];
        }
    }

    /// <summary>The subscription as the JS SDK sends it in <c>webPushSubscription</c>.</summary>
    public string Subscription(string id = "sub1") => new JsonObject
    {
        ["endpoint"] = new Uri(_server.BaseUrl, "/push/" + id).ToString(),
        ["expirationTime"] = null,
        ["keys"] = new JsonObject { ["p256dh"] = TestKeys.B64(UserAgentPublicKey), ["auth"] = TestKeys.B64(_auth) },
    }.ToJsonString();

    private async Task HandleAsync(ReceivedRequest request, HttpContext http)
    {
        Requests.Enqueue(request);
        var error = CheckVapid(request.Header("authorization"));
        error ??= request.Header("content-encoding") != "aes128gcm" ? "content-encoding" : null;
        error ??= request.Header("ttl").Length == 0 ? "ttl" : null;
        if (error is not null)
        {
            Errors.Enqueue(error);
            http.Response.StatusCode = 403;
            return;
        }
        try
        {
            Payloads.Enqueue((JsonObject)JsonNode.Parse(Decrypt(request.Body, _userAgent, _auth))!);
        }
        catch (Exception e)
        {
            Errors.Enqueue("decrypt: " + e.Message);
            http.Response.StatusCode = 400;
            return;
        }
        if (Script.TryDequeue(out var scripted))
        {
            await scripted(http);
            return;
        }
        http.Response.StatusCode = 201;
        http.Response.Headers.Location = new Uri(_server.BaseUrl, "/message/" + Payloads.Count).ToString();
    }

    private string? CheckVapid(string authorization)
    {
        if (!authorization.StartsWith("vapid ", StringComparison.Ordinal))
            return "scheme";
        var parts = authorization["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
        if (!parts.TryGetValue("t", out var token) || !parts.TryGetValue("k", out var k))
            return "t or k";
        if (ExpectedVapidKey is not null && k != ExpectedVapidKey)
            return "k is not the app's key";
        var q = TestKeys.FromB64(k);
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = q[1..33], Y = q[33..] } });
        var (_, claims, error) = JwtCheck.Verify(token, ec: key);
        if (error is not null)
            return "vapid jwt " + error;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if ((string?)claims!["aud"] != _server.BaseUrl.GetLeftPart(UriPartial.Authority))
            return "aud " + (string?)claims["aud"];
        var exp = (long?)claims["exp"] ?? 0;
        if (exp <= now || exp > now + 24 * 3600)
            return "exp";
        return ((string?)claims["sub"])?.StartsWith("mailto:", StringComparison.Ordinal) == true ? null : "sub";
    }

    /// <summary>RFC 8291 decryption, step by step with HMAC-SHA256 as the RFC writes it.</summary>
    public static string Decrypt(byte[] body, ECDiffieHellman userAgent, byte[] auth)
    {
        var salt = body[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16));
        var idLength = body[20];
        var asPublic = body[21..(21 + idLength)];
        var ciphertext = body[(21 + idLength)..];
        if (recordSize < 18 || ciphertext.Length > recordSize)
            throw new InvalidOperationException("record size");
        using var sender = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = asPublic[1..33], Y = asPublic[33..] } });
        var secret = userAgent.DeriveRawSecretAgreement(sender.PublicKey);
        var q = userAgent.ExportParameters(false).Q;
        byte[] uaPublic = [0x04, .. q.X!, .. q.Y!];
        var prkKey = HMACSHA256.HashData(auth.AsSpan(), secret);
        var ikm = HMACSHA256.HashData(prkKey, (byte[])[.. Encoding.ASCII.GetBytes("WebPush: info\0"), .. uaPublic, .. asPublic, 1]);
        var prk = HMACSHA256.HashData(salt.AsSpan(), ikm);
        var cek = HMACSHA256.HashData(prk, (byte[])[.. Encoding.ASCII.GetBytes("Content-Encoding: aes128gcm\0"), 1])[..16];
        var nonce = HMACSHA256.HashData(prk, (byte[])[.. Encoding.ASCII.GetBytes("Content-Encoding: nonce\0"), 1])[..12];
        var plain = new byte[ciphertext.Length - 16];
        using (var aes = new AesGcm(cek, 16))
            aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plain);
        var end = plain.Length - 1;
        while (end >= 0 && plain[end] == 0)
            end--;
        if (end < 0 || plain[end] != 2)
            throw new InvalidOperationException("no last-record delimiter");
        return Encoding.UTF8.GetString(plain, 0, end);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _userAgent.Dispose();
    }
}
