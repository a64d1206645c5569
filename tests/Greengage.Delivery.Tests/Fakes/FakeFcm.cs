using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>
/// FCM and Google's token endpoint on loopback. <c>/token</c> verifies the RS256 assertion with the service account's
/// public key (iss, scope, aud, iat/exp) before it issues an access token; <c>/v1/projects/{id}/messages:send</c>
/// checks the bearer and keeps each message. <see cref="Script"/> answers the next sends (default: 200 with a name).
/// Anything wrong lands in <see cref="Errors"/>.
/// </summary>
public sealed class FakeFcm : IAsyncDisposable
{
    private FakeHttpServer _server = null!;
    private int _issued;

    public required RSA PublicKey { get; init; }
    public required string ClientEmail { get; init; }
    public required string ProjectId { get; init; }

    public Uri BaseUrl => _server.BaseUrl;
    public Uri TokenUrl => new(_server.BaseUrl, "/token");
    public string? CurrentToken { get; private set; }
    public int TokenRequests => _issued;
    public int ExpiresIn { get; set; } = 3600;
    public ConcurrentQueue<string> Errors { get; } = new();
    public ConcurrentQueue<JsonObject> Messages { get; } = new();
    public ConcurrentQueue<ReceivedRequest> Sends { get; } = new();
    public ConcurrentQueue<Func<HttpContext, Task>> Script { get; } = new();

    public static async Task<FakeFcm> StartAsync(RSA key, string clientEmail, string projectId)
    {
        var fake = new FakeFcm { PublicKey = key, ClientEmail = clientEmail, ProjectId = projectId };
        fake._server = await FakeHttpServer.StartAsync();
        fake._server.Handle = fake.HandleAsync;
        return fake;
    }

    private async Task HandleAsync(ReceivedRequest request, HttpContext http)
    {
        if (request.Path == "/token")
        {
            var form = System.Web.HttpUtility.ParseQueryString(Encoding.UTF8.GetString(request.Body));
            var (jwtHeader, jwtClaims, error) = JwtCheck.Verify(form["assertion"] ?? "", rsa: PublicKey);
            var header = jwtHeader ?? [];
            var claims = jwtClaims ?? [];
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            error ??= form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" ? "grant_type" : null;
            error ??= (string?)header["typ"] != "JWT" ? "typ" : null;
            error ??= (string?)claims["iss"] != ClientEmail ? "iss" : null;
            error ??= (string?)claims["scope"] != "https://www.googleapis.com/auth/firebase.messaging" ? "scope" : null;
            error ??= (string?)claims["aud"] != TokenUrl.ToString() ? "aud " + (string?)claims["aud"] : null;
            error ??= (long?)claims["exp"] - (long?)claims["iat"] != 3600 || Math.Abs(now - ((long?)claims["iat"] ?? 0)) > 3600 ? "iat/exp" : null;
            if (error is not null)
            {
                Errors.Enqueue("token: " + error);
                http.Response.StatusCode = 400;
                await http.Response.WriteAsJsonAsync(new { error = "invalid_grant", error_description = "Invalid JWT Signature." });
                return;
            }
            CurrentToken = $"ya29.fake-{Interlocked.Increment(ref _issued)}-{Guid.NewGuid():N}";
            await http.Response.WriteAsJsonAsync(new { access_token = CurrentToken, expires_in = ExpiresIn, token_type = "Bearer" });
            return;
        }
        if (request.Path != $"/v1/projects/{ProjectId}/messages:send" || request.Method != "POST")
        {
            // A server process of another test that just stopped may leave a health poller on a port this fake was
            // given afterwards: its GET /healthz is not a provider call and not this test's error.
            if (request.Path != "/healthz")
                Errors.Enqueue($"unexpected {request.Method} {request.Path}");
            http.Response.StatusCode = 404;
            return;
        }
        Sends.Enqueue(request);
        if (CurrentToken is null || request.Header("authorization") != "Bearer " + CurrentToken)
        {
            Errors.Enqueue("send: bearer " + request.Header("authorization"));
            http.Response.StatusCode = 401;
            await http.Response.WriteAsJsonAsync(new { error = new { code = 401, status = "UNAUTHENTICATED", message = "Request had invalid authentication credentials." } });
            return;
        }
        if (!request.Header("content-type").StartsWith("application/json", StringComparison.Ordinal))
            Errors.Enqueue("send: content-type " + request.Header("content-type"));
        var body = (JsonObject)JsonNode.Parse(request.Body)!;
        Messages.Enqueue(body);
        if (Script.TryDequeue(out var scripted))
        {
            await scripted(http);
            return;
        }
        await http.Response.WriteAsJsonAsync(new { name = $"projects/{ProjectId}/messages/{Messages.Count}" });
    }

    /// <summary>An FCM error answer: <c>{"error": {code, message, status, details: [{errorCode}]}}</c>.</summary>
    public static Func<HttpContext, Task> Error(int status, string grpcStatus, string? errorCode, string message = "error", string? retryAfter = null) => async http =>
    {
        http.Response.StatusCode = status;
        if (retryAfter is not null)
            http.Response.Headers.RetryAfter = retryAfter;
        var details = errorCode is null
            ? new JsonArray()
            : new JsonArray(new JsonObject { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = errorCode });
        await http.Response.WriteAsync(new JsonObject
        {
            ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["status"] = grpcStatus, ["details"] = details },
        }.ToJsonString());
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
