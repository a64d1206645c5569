using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>
/// APNs on loopback, HTTP/2 only (h2c): verifies the ES256 provider token with the key's public half (alg, kid, iss,
/// iat within the hour), keeps each request, and answers <see cref="Script"/> (default: 200 with the apns-id).
/// </summary>
public sealed class FakeApns : IAsyncDisposable
{
    private FakeHttpServer _server = null!;

    public required ECDsa PublicKey { get; init; }
    public required string TeamId { get; init; }
    public required string KeyId { get; init; }

    public Uri BaseUrl => _server.BaseUrl;
    public ConcurrentQueue<string> Errors { get; } = new();
    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();
    public ConcurrentQueue<Func<HttpContext, Task>> Script { get; } = new();

    public static async Task<FakeApns> StartAsync(ECDsa key, string teamId, string keyId)
    {
        var fake = new FakeApns { PublicKey = key, TeamId = teamId, KeyId = keyId };
        fake._server = await FakeHttpServer.StartAsync(HttpProtocols.Http2);
        fake._server.Handle = fake.HandleAsync;
        return fake;
    }

    private async Task HandleAsync(ReceivedRequest request, HttpContext http)
    {
        Requests.Enqueue(request);
        var auth = request.Header("authorization");
        var (jwtHeader, jwtClaims, error) = auth.StartsWith("bearer ", StringComparison.Ordinal)
            ? JwtCheck.Verify(auth["bearer ".Length..], ec: PublicKey)
            : (null, null, "no bearer");
        var header = jwtHeader ?? [];
        var claims = jwtClaims ?? [];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        error ??= request.Protocol != "HTTP/2" ? "protocol " + request.Protocol : null;
        error ??= (string?)header["kid"] != KeyId ? "kid" : null;
        error ??= (string?)claims["iss"] != TeamId ? "iss" : null;
        error ??= claims["iat"] is null || Math.Abs(now - (long)claims["iat"]!) > 3600 ? "iat" : null;
        if (error is not null)
        {
            Errors.Enqueue(error);
            http.Response.StatusCode = 403;
            await http.Response.WriteAsJsonAsync(new { reason = "InvalidProviderToken" });
            return;
        }
        if (!request.Path.StartsWith("/3/device/", StringComparison.Ordinal) || request.Method != "POST")
        {
            // A server process of another test that just stopped may leave a health poller on a port this fake was
            // given afterwards: its GET /healthz is not a provider call and not this test's error.
            if (request.Path != "/healthz")
                Errors.Enqueue($"unexpected {request.Method} {request.Path}");
            http.Response.StatusCode = 404;
            return;
        }
        if (Script.TryDequeue(out var scripted))
        {
            await scripted(http);
            return;
        }
        http.Response.Headers["apns-id"] = request.Header("apns-id");
    }

    public static Func<HttpContext, Task> Error(int status, string reason, string? retryAfter = null) => async http =>
    {
        http.Response.StatusCode = status;
        if (retryAfter is not null)
            http.Response.Headers.RetryAfter = retryAfter;
        var body = new JsonObject { ["reason"] = reason };
        if (status == 410)
            body["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await http.Response.WriteAsync(body.ToJsonString());
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
