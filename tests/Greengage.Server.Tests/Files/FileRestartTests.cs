using System.Net;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.Files;

/// <summary>The real server process: an upload answered 2xx survives a SIGKILL right after it, table and bytes.</summary>
public sealed class FileRestartTests
{
    private const string AdminToken = "files-restart-admin-token-0123456789";

    [Fact]
    public async Task UploadFile_Answered200_SurvivesAKillAndRestart_AndDownloadsTheSameBytes()
    {
        using var data = new TemporaryDirectory("files-restart");
        var bytes = FileRequests.Bytes("bytes that must outlive the process " + Guid.NewGuid());
        string[] args = [$"--Greengage:AdminToken={AdminToken}", "--Greengage:CreateDemoApp=false"];

        AppCredentials app;
        await using (var first = await ServerProcess.StartAsync(data.Path, args))
        {
            app = await first.CreateAppAsync(AdminToken, "Files restart");
            var reply = await ApiClient.SendAsync(first.Http, new HttpRequestMessage(HttpMethod.Post, "/api")
            {
                Content = FileRequests.Multi(app.AppId, app.DevelopmentKey, [("levels/level1.json", bytes)]),
            });
            Assert.True(reply.Status == HttpStatusCode.OK, reply[0].ToJsonString());
            first.Kill();
        }

        await using var second = await ServerProcess.StartAsync(data.Path, args);
        using var download = await second.Http.GetAsync("/api?" + FileRequests.DownloadQuery(app.AppId, app.ProductionKey, "levels/level1.json"));
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/json", download.Content.Headers.ContentType?.MediaType);

        var start = (await ApiClient.MultiAsync(second.Http, app.AppId, app.ProductionKey, new { action = "start", userId = "u1" }))[0];
        var url = (string?)start["files"]?["levels/level1.json"] ?? throw new Xunit.Sdk.XunitException(start.ToJsonString());
        Assert.StartsWith(second.BaseUrl + "/files/", url, StringComparison.Ordinal);
        Assert.Equal(bytes, await second.Http.GetByteArrayAsync(url));
        Assert.Equal(0, await second.StopGracefullyAsync());
    }
}
