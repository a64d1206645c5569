using System.Net;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.TestDevices;

/// <summary>A registered test device survives a restart of the real server process: it is loaded back at start.</summary>
public sealed class TestDeviceRestartTests
{
    private const string AdminToken = "restart-admin-token-0123456789";

    [Fact]
    public async Task RegisterDevice_ThenRestart_StartStillAnswersIsRegisteredAndTheListingShowsIt()
    {
        using var data = new TemporaryDirectory("test-devices");
        string[] args = [$"--Greengage:AdminToken={AdminToken}", "--Greengage:CreateDemoApp=false"];
        var device = "restart-device-" + Guid.NewGuid().ToString("N");
        AppCredentials app;

        await using (var first = await ServerProcess.StartAsync(data.Path, args))
        {
            app = await first.CreateAppAsync(AdminToken, "Restarted");
            var (status, registered) = await RegisterAsync(first, app, device);
            Assert.True(status == HttpStatusCode.OK && (bool)registered["registered"]!, registered.ToJsonString());
            Assert.Equal(0, await first.StopGracefullyAsync());
        }

        await using var second = await ServerProcess.StartAsync(data.Path, args);
        var (_, start) = await second.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.ProductionKey, ["action"] = "start", ["userId"] = "u-" + device, ["deviceId"] = device,
        });
        Assert.True((bool)start["isRegistered"]!, start.ToJsonString());

        var (_, again) = await RegisterAsync(second, app, device);
        Assert.False((bool)again["registered"]!, again.ToJsonString());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/test-devices");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminToken);
        using var response = await second.Http.SendAsync(request);
        var listed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
        var only = Assert.Single(listed)!;
        Assert.Equal(device, (string?)only["deviceId"]);
        Assert.Equal("dev@example.com", (string?)only["email"]);
        Assert.Equal(0, await second.StopGracefullyAsync());
    }

    private static Task<(HttpStatusCode Status, JsonObject Element)> RegisterAsync(ServerProcess server, AppCredentials app, string device) =>
        server.CallAsync(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.DevelopmentKey, ["action"] = "registerDevice", ["devMode"] = "true",
            ["deviceId"] = device, ["email"] = "dev@example.com",
        });
}
