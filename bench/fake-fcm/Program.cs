// A fake Firebase Cloud Messaging for bench/campaign.sh: answers as fast as it can and keeps nothing per send, so a
// campaign of a million pushes measures Greengage, not the fake, and the fake's memory stays flat.
//
//   POST /token                                  an OAuth2 token answer (the service account's token_uri points here)
//   POST /v1/projects/{project}/messages:send    200 {"name":"projects/{project}/messages/<n>"}
//   GET  /stats                                  {"count":N,"firstMs":...,"lastMs":...,"tokens":N} (Unix ms; 0: none yet)
//   GET  /service-account?project=p              a Google-style service account key file for a fresh RSA key, whose
//                                                token_uri is this server's /token (nothing checks the assertion)
//
// Listens on 127.0.0.1:<port> for HTTP/1.1 (what Greengage's FCM provider speaks: its HttpClient sends HTTP/1.1
// requests) and, with --h2c-port, on a second port for HTTP/2 cleartext with prior knowledge (Kestrel cannot tell
// the two apart on one cleartext port). Logs only warnings.
//
//   dotnet FakeFcm.dll --port 18090 [--h2c-port 18091]
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var port = IntArg(args, "--port") ?? 18090;
var h2cPort = IntArg(args, "--h2c-port");

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Listen(System.Net.IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http1);
    if (h2cPort is { } h2)
        kestrel.Listen(System.Net.IPAddress.Loopback, h2, o => o.Protocols = HttpProtocols.Http2);
});
var app = builder.Build();
var stats = new Stats();

app.MapPost("/token", (HttpContext http) =>
{
    Interlocked.Increment(ref stats.Tokens);
    http.Response.ContentType = "application/json";
    return http.Response.WriteAsync("{\"access_token\":\"fake-access-token\",\"expires_in\":3600,\"token_type\":\"Bearer\"}", http.RequestAborted);
});

// "{project}/messages:send" is one path segment in FCM's URL: matched by hand, not by a route template.
app.MapPost("/v1/projects/{**rest}", (HttpContext http, string rest) =>
{
    const string Suffix = "/messages:send";
    if (!rest.EndsWith(Suffix, StringComparison.Ordinal) || rest.Length == Suffix.Length || rest.AsSpan(0, rest.Length - Suffix.Length).Contains('/'))
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
    var n = stats.Sent();
    http.Response.ContentType = "application/json";
    return http.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{{\"name\":\"projects/{rest.AsSpan(0, rest.Length - Suffix.Length)}/messages/{n}\"}}"), http.RequestAborted);
});

app.MapGet("/stats", (HttpContext http) =>
{
    http.Response.ContentType = "application/json";
    return http.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture,
        $"{{\"count\":{Volatile.Read(ref stats.Count)},\"firstMs\":{Volatile.Read(ref stats.FirstMs)},\"lastMs\":{Volatile.Read(ref stats.LastMs)},\"tokens\":{Volatile.Read(ref stats.Tokens)}}}"),
        http.RequestAborted);
});

app.MapGet("/service-account", (HttpContext http, string? project) =>
{
    project ??= "greengage-bench";
    using var rsa = RSA.Create(2048);
    var account = new JsonObject
    {
        ["type"] = "service_account",
        ["project_id"] = project,
        ["private_key_id"] = "bench-" + Guid.NewGuid().ToString("N")[..8],
        ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = $"fcm@{project}.iam.gserviceaccount.com",
        ["client_id"] = "1234567890",
        ["token_uri"] = $"http://{http.Request.Host}/token",
    };
    return Results.Text(account.ToJsonString(), "application/json");
});

app.Run();

static int? IntArg(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;
}

/// <summary>Counters only: a send costs a few atomic operations and no memory, whatever the number of sends.</summary>
internal sealed class Stats
{
    public long Count;
    public long FirstMs;
    public long LastMs;
    public long Tokens;

    /// <summary>Counts a send and stamps its time; returns its number (1-based).</summary>
    public long Sent()
    {
        // Stamps first, count last: whoever reads the count N also sees the stamps of those N sends.
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Interlocked.CompareExchange(ref FirstMs, now, 0);
        var last = Volatile.Read(ref LastMs);
        while (now > last)
        {
            var seen = Interlocked.CompareExchange(ref LastMs, now, last);
            if (seen == last)
                break;
            last = seen;
        }
        return Interlocked.Increment(ref Count);
    }
}
