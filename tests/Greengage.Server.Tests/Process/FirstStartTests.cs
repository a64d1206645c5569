using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace Greengage.Server.Tests.Processes;

/// <summary>
/// The real server process on a fresh data directory: what the first start prints, what a restart does not print,
/// <c>/healthz</c>, and a prompt clean exit on SIGTERM.
/// </summary>
public sealed class FirstStartTests
{
    private static readonly TimeSpan SigTermDeadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FirstStart_PrintsAdminTokenAndDemoApp_RestartPrintsNeither_AndTheKeysStillWork()
    {
        using var data = new TemporaryDirectory("first-start");
        var user = "first-start-" + Guid.NewGuid().ToString("N");

        string adminToken;
        AppCredentials demo;
        await using (var first = await ServerProcess.StartAsync(data.Path))
        {
            adminToken = await first.ReadPrintedAdminTokenAsync();
            demo = await first.ReadPrintedDemoAppAsync();
            Assert.StartsWith("adm_", adminToken, StringComparison.Ordinal);
            Assert.StartsWith("app_", demo.AppId, StringComparison.Ordinal);
            Assert.StartsWith("prod_", demo.ProductionKey, StringComparison.Ordinal);
            Assert.StartsWith("dev_", demo.DevelopmentKey, StringComparison.Ordinal);
            Assert.StartsWith("exp_", demo.DataExportKey, StringComparison.Ordinal);
            Assert.StartsWith("cro_", demo.ContentReadOnlyKey, StringComparison.Ordinal);
            Assert.Equal(4, new[] { demo.ProductionKey, demo.DevelopmentKey, demo.DataExportKey, demo.ContentReadOnlyKey }.Distinct().Count());
            Assert.Equal(adminToken, (await File.ReadAllTextAsync(Path.Combine(data.Path, "admin-token"))).Trim());

            await AssertKeysWorkAsync(first, demo, adminToken, user, expectedSessions: 1);
            Assert.Equal(0, await first.StopGracefullyAsync(SigTermDeadline));
        }

        await using var second = await ServerProcess.StartAsync(data.Path);
        // Everything the bootstrap prints comes before this log line, in the same stream.
        await second.WaitForLineAsync(l => l.Contains("Greengage store ready in", StringComparison.Ordinal), ServerApps.OutputTimeout);
        var stdout = second.StdoutLines;
        Assert.DoesNotContain(stdout, l => l.StartsWith("Admin token", StringComparison.Ordinal));
        Assert.DoesNotContain(stdout, l => l.StartsWith("Demo app created", StringComparison.Ordinal));
        Assert.DoesNotContain(stdout, l => l.Contains(adminToken, StringComparison.Ordinal));
        foreach (var key in new[] { demo.ProductionKey, demo.DevelopmentKey, demo.DataExportKey, demo.ContentReadOnlyKey })
            Assert.DoesNotContain(second.Lines, l => l.Text.Contains(key, StringComparison.Ordinal));

        // The same token and keys; the user written before the restart is still there, and gets a second session.
        await AssertKeysWorkAsync(second, demo, adminToken, user, expectedSessions: 2);
        Assert.Equal(0, await second.StopGracefullyAsync(SigTermDeadline));
    }

    [Fact]
    public async Task Healthz_Answers200_WithoutAuthentication()
    {
        using var data = new TemporaryDirectory("healthz");
        await using var server = await ServerProcess.StartAsync(data.Path, ["--Greengage:CreateDemoApp=false"]);

        using var response = await server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(server.StdoutLines, l => l.StartsWith("Demo app created", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SigTerm_ExitsWithCodeZero_Promptly()
    {
        using var data = new TemporaryDirectory("sigterm");
        await using var server = await ServerProcess.StartAsync(data.Path, ["--Greengage:CreateDemoApp=false"]);
        using (var healthz = await server.Http.GetAsync("/healthz"))
            Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);

        var clock = Stopwatch.StartNew();
        var exitCode = await server.StopGracefullyAsync(SigTermDeadline);
        clock.Stop();

        Assert.True(exitCode == 0, $"SIGTERM should end the server with exit code 0, not {exitCode}.\n{server.Describe()}");
        Assert.True(clock.Elapsed < SigTermDeadline, $"The server took {clock.Elapsed.TotalSeconds:0.0} s to exit.");
        Assert.True(server.HasExited);
        Assert.Contains(server.Lines, l => l.Text.Contains("Application is shutting down", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every key does what its class allows: the admin token lists the app, the production key starts a session, the
    /// data export key exports the user, and the development and content read-only keys are accepted by the API.
    /// </summary>
    private static async Task AssertKeysWorkAsync(ServerProcess server, AppCredentials app, string adminToken, string user, int expectedSessions)
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", adminToken);
            using var response = await server.Http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /admin/v1/apps/{app.AppId}: {(int)response.StatusCode} {body}");
            using var json = JsonDocument.Parse(body);
            var keys = json.RootElement.GetProperty("keys");
            Assert.Equal(app.ProductionKey, keys.GetProperty("production").GetString());
            Assert.Equal(app.DevelopmentKey, keys.GetProperty("development").GetString());
            Assert.Equal(app.DataExportKey, keys.GetProperty("dataExport").GetString());
            Assert.Equal(app.ContentReadOnlyKey, keys.GetProperty("contentReadOnly").GetString());
        }

        var (startStatus, start) = await server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.ProductionKey, ["action"] = "start", ["userId"] = user, ["deviceId"] = user,
        });
        Assert.True(startStatus == HttpStatusCode.OK && start["success"]?.GetValue<bool>() == true, $"start with the production key: {start.ToJsonString()}");

        var (devStatus, dev) = await server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.DevelopmentKey, ["action"] = "track", ["userId"] = user, ["event"] = "Dev key",
            ["devMode"] = "true",
        });
        Assert.True(devStatus == HttpStatusCode.OK && dev["success"]?.GetValue<bool>() == true, $"track with the development key: {dev.ToJsonString()}");

        var export = await server.ExportUserAsync(app, user);
        Assert.True(export["success"]?.GetValue<bool>() == true, $"exportUser with the data export key: {export.ToJsonString()}");
        Assert.Equal(user, export["userId"]?.GetValue<string>());
        Assert.Equal(expectedSessions, export["totalSessions"]?.GetValue<long>());

        // The content read-only key belongs to this app: a content action passes the key check with it (whatever the
        // action then answers), while an unknown key of the same shape is refused as an invalid access key.
        var (_, content) = await server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.ContentReadOnlyKey, ["action"] = "getAbTests",
        });
        Assert.True(ErrorMessage(content) != "Invalid access key", $"getAbTests with the content read-only key: {content.ToJsonString()}");
        var (wrongStatus, wrong) = await server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = "cro_" + new string('x', 25), ["action"] = "getAbTests",
        });
        Assert.Equal(HttpStatusCode.Forbidden, wrongStatus);
        Assert.Equal("Invalid access key", ErrorMessage(wrong));
    }

    private static string? ErrorMessage(System.Text.Json.Nodes.JsonObject element) => element["error"]?["message"]?.GetValue<string>();
}
