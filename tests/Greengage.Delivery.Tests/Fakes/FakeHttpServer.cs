using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>A request a fake received: what the provider sent, byte for byte.</summary>
public sealed record ReceivedRequest(string Method, string Path, string RawTarget, string Query, string Protocol, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : "";
}

/// <summary>
/// Kestrel on 127.0.0.1 with an ephemeral port, answering with <see cref="Handle"/> and keeping every request.
/// <see cref="HttpProtocols.Http2"/> on this cleartext endpoint is h2c with prior knowledge (what the APNs fake needs).
/// Stopped by <see cref="DisposeAsync"/>.
/// </summary>
public sealed class FakeHttpServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _connections;

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <summary>TCP connections made to the server so far (a refused destination must not even connect).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Answers a request; by default 200 with no body.</summary>
    public Func<ReceivedRequest, HttpContext, Task> Handle { get; set; } = (_, _) => Task.CompletedTask;

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeHttpServer> StartAsync(HttpProtocols protocols = HttpProtocols.Http1AndHttp2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var server = new FakeHttpServer();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = protocols;
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server._connections);
                return next(connection);
            });
        }));
        var app = builder.Build();
        server._app = app;
        app.Run(async http =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            var received = new ReceivedRequest(http.Request.Method, http.Request.Path.Value ?? "", http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "", http.Request.QueryString.Value ?? "", http.Request.Protocol, headers, body.ToArray());
            server.Requests.Enqueue(received);
            await server.Handle(received, http);
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
