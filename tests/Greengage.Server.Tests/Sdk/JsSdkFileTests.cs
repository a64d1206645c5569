using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Greengage.Server.Tests.Files;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// The real Leanplum JS SDK 1.9.0 (tests/js-sdk, <c>--scenario files</c>) against the real server process: a file
/// variable's value is turned into a URL by the SDK's own <c>Leanplum.getFileUrl</c> (a <c>downloadFile</c> URL with the
/// production key), and that URL downloads the bytes that were uploaded.
/// </summary>
public sealed class JsSdkFileTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    [Fact]
    public async Task FileVariable_ResolvedByGetFileUrl_DownloadsTheUploadedBytes()
    {
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK files");
        var bytes = new byte[3000];
        new Random(42).NextBytes(bytes);
        var upload = await ApiClient.SendAsync(fixture.Server.Http, new HttpRequestMessage(HttpMethod.Post, "/api")
        {
            Content = FileRequests.Multi(app.AppId, app.DevelopmentKey, [("images/logo.png", bytes)]),
        });
        Assert.True(upload.Status == HttpStatusCode.OK, upload[0].ToJsonString());
        using (var set = new HttpRequestMessage(HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/variables/logo") { Content = JsonContent.Create(new { value = "images/logo.png" }) })
        {
            set.Headers.Authorization = new AuthenticationHeaderValue("Bearer", JsSdkFixture.AdminToken);
            Assert.Equal(HttpStatusCode.OK, (await fixture.Server.Http.SendAsync(set)).StatusCode);
        }

        var run = await fixture.RunHarnessAsync("js-files-" + Guid.NewGuid().ToString("N"), app, ["--scenario", "files"]);
        output.WriteLine(run.ToString());

        Assert.True(run.ExitCode == 0, $"The harness failed.\n{run}\n{fixture.Server.Describe()}");
        var result = run.Result ?? throw new Xunit.Sdk.XunitException($"The harness printed no JSON line.\n{run}");
        Assert.Equal("images/logo.png", (string?)result["variable"]);
        var url = (string)result["url"]!;
        Assert.StartsWith(fixture.Server.ApiUrl + "?", url, StringComparison.Ordinal);
        Assert.Contains("action=downloadFile", url, StringComparison.Ordinal);
        Assert.Equal(200, (int)result["download"]!["status"]!);
        Assert.Equal("image/png", (string?)result["download"]!["contentType"]);
        Assert.Equal(bytes.Length, (int)result["download"]!["length"]!);
        Assert.Equal(FileRequests.Sha256(bytes), (string?)result["download"]!["sha256"]);
    }
}
