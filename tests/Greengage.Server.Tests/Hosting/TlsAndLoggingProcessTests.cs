using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.Hosting;

/// <summary>The real process: TLS from a configured certificate, and client keys never in the logs.</summary>
public sealed class TlsAndLoggingProcessTests
{
    [Fact]
    public async Task Https_ConfiguredCertificate_ServesTheApiOverTls()
    {
        using var dir = new TemporaryDirectory("greengage-tls");
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var pfx = Path.Combine(dir.Path, "cert.pfx");
        await File.WriteAllBytesAsync(pfx, cert.Export(X509ContentType.Pfx, "pw"));

        var port = FreePort();
        var start = new ProcessStartInfo(ServerProcess.DotnetHost())
        {
            WorkingDirectory = Path.GetDirectoryName(ServerProcess.LocateServerDll())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     ServerProcess.LocateServerDll(), "--urls", $"https://127.0.0.1:{port}",
                     $"--Greengage:DataDirectory={Path.Combine(dir.Path, "data")}",
                     $"--Kestrel:Certificates:Default:Path={pfx}", "--Kestrel:Certificates:Default:Password=pw",
                 })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var thumbprint = cert.GetCertHashString(HashAlgorithmName.SHA256);
            using var handler = new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
                    presented?.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            var deadline = Stopwatch.StartNew();
            HttpResponseMessage? health = null;
            while (health?.StatusCode != HttpStatusCode.OK)
            {
                Assert.False(process.HasExited, "the server exited");
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "/healthz over TLS never answered 200");
                try
                {
                    health = await http.GetAsync("/healthz");
                }
                catch (HttpRequestException)
                {
                    await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(100));
                }
            }
            var reply = await http.PostAsync("/api?action=getMigrateState", null);
            var body = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
            // No app id: a clear per-item error, served over TLS in the Leanplum envelope.
            Assert.False((bool)body["response"]![0]!["success"]!);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Logs_HostingRequestLinesWithKeysInTheQuery_NeverShowTheKey()
    {
        using var dir = new TemporaryDirectory("greengage-logs");
        await using var server = await ServerProcess.StartAsync(dir.Path, ["--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information"]);
        var app = await server.ReadPrintedDemoAppAsync();
        var response = await server.Http.PostAsync(
            $"/api?appId={app.AppId}&clientKey={app.ProductionKey}&action=track&userId=u1&event=logged", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await server.WaitForLineAsync(l => l.Contains("Request finished", StringComparison.Ordinal) && l.Contains("/api", StringComparison.Ordinal), TimeSpan.FromSeconds(30));

        var lines = server.Lines.Select(l => l.Text).ToList();
        Assert.Contains(lines, l => l.Contains("clientKey=[redacted]", StringComparison.Ordinal));
        // The demo app's keys are printed once at first start, on purpose; no log line may carry them.
        var logLines = lines.Where(l => !l.StartsWith("  ", StringComparison.Ordinal) || l.StartsWith("      ", StringComparison.Ordinal));
        Assert.DoesNotContain(logLines, l => l.Contains(app.ProductionKey, StringComparison.Ordinal));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
