using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Files;

/// <summary>
/// Files end to end over HTTP (spec 1.7, 5.2): uploadFile in both forms stores the bytes by content and the file table
/// as content; downloadFile (GET and POST) and the /files URLs serve them; start and getVars carry files,
/// fileAttributes and uploadUrl; bad uploads store nothing.
/// </summary>
public sealed class FilesTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4, 5];
    private static readonly byte[] Text = FileRequests.Bytes("Hello, files! 🌿");

    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Files " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private static async Task<ApiClient.Reply> Upload(HttpClient http, MultipartFormDataContent content) =>
        await ApiClient.SendAsync(http, new HttpRequestMessage(HttpMethod.Post, "/api") { Content = content });

    private async Task<JsonObject> Start(StoredApp app, string keyClass = "production", bool devMode = false) =>
        (await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys[keyClass],
            new { action = "start", userId = "u-" + Guid.NewGuid().ToString("N")[..8], deviceId = "d1", includeDefaults = false, devMode }))[0];

    [Fact]
    public async Task UploadFile_SeveralFiles_AreStoredByContent_AndDownloadFileServesThem_ByGetAndPost()
    {
        var app = NewApp();
        var http = factory.CreateClient();

        var reply = await Upload(http, FileRequests.Multi(app.AppId, app.Keys["development"], [("images/logo.png", Png), ("notes/hello.txt", Text)]));

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        Assert.Equal("http://localhost/api?action=uploadFile", (string?)reply[0]["uploadUrl"]);
        foreach (var bytes in new[] { Png, Text })
        {
            var sha = FileRequests.Sha256(bytes);
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(factory.DataDirectory, "files", app.AppId, sha[..2], sha)));
        }

        using var get = await http.GetAsync("/api?" + FileRequests.DownloadQuery(app.AppId, app.Keys["production"], "images/logo.png"));
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(Png, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{FileRequests.Sha256(Png)}\"", get.Headers.ETag?.Tag);
        Assert.Equal("*", get.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var post = await http.PostAsync("/api", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["appId"] = app.AppId, ["clientKey"] = app.Keys["production"], ["action"] = "downloadFile", ["filename"] = "notes/hello.txt",
        }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(Text, await post.Content.ReadAsByteArrayAsync());
        Assert.Equal("text/plain", post.Content.Headers.ContentType?.MediaType);
        Assert.True(post.Headers.CacheControl?.NoCache, "A download by name must be revalidated: the name may get new bytes.");

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api?" + FileRequests.DownloadQuery(app.AppId, app.Keys["production"], "images/logo.png"));
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{FileRequests.Sha256(Png)}\""));
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task UploadFile_SingleFileForm_IsStored_AndReplacesTheFileOfTheSameName()
    {
        var app = NewApp();
        var http = factory.CreateClient();
        Assert.True((bool)(await Upload(http, FileRequests.Single(app.AppId, app.Keys["development"], "banner.jpg", Png)))[0]["success"]!);
        var reply = await Upload(http, FileRequests.Single(app.AppId, app.Keys["development"], "banner.jpg", Text));
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());

        using var get = await http.GetAsync("/api?" + FileRequests.DownloadQuery(app.AppId, app.Keys["production"], "banner.jpg"));
        Assert.Equal(Text, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", get.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task DownloadFile_MissingFile_Answers404WithTheEnvelope_AndBatchedWithOthers_Answers400()
    {
        var app = NewApp();
        var http = factory.CreateClient();

        using var missing = await http.GetAsync("/api?" + FileRequests.DownloadQuery(app.AppId, app.Keys["production"], "nope.png"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("""{"response":[{"success":false,"error":{"message":"File not found."}}]}""", await missing.Content.ReadAsStringAsync());

        using var noName = await http.GetAsync($"/api?appId={app.AppId}&clientKey={app.Keys["production"]}&action=downloadFile");
        Assert.Equal(HttpStatusCode.BadRequest, noName.StatusCode);

        await Upload(http, FileRequests.Single(app.AppId, app.Keys["development"], "a.txt", Text));
        var batched = await ApiClient.MultiAsync(http, app.AppId, app.Keys["production"],
            new { action = "downloadFile", filename = "a.txt" },
            new { action = "track", userId = "u1", @event = "e" });
        Assert.Equal("downloadFile must be the only action of its request.", (string?)batched[0]["error"]!["message"]);
        Assert.True((bool)batched[1]["success"]!);
    }

    [Fact]
    public async Task Start_CarriesFilesUrls_FileAttributesMergedWithSetVars_AndUploadUrlInDevelopmentMode()
    {
        var app = NewApp();
        var http = factory.CreateClient();
        var declared = await ApiClient.MultiAsync(http, app.AppId, app.Keys["development"], new
        {
            action = "setVars",
            vars = new { logo = "images/logo.png" },
            kinds = new { logo = "file" },
            fileAttributes = new Dictionary<string, object>
            {
                ["images/logo.png"] = new Dictionary<string, object> { ["_empty_"] = new { hash = "old", size = 1 }, ["hdpi"] = new { hash = "h2", size = 99 } },
            },
        });
        Assert.True((bool)declared[0]["success"]!);
        Assert.True((bool)(await Upload(http, FileRequests.Multi(app.AppId, app.Keys["development"], [("images/logo.png", Png)])))[0]["success"]!);

        var start = await Start(app, "development", devMode: true);

        var url = (string)start["files"]!["images/logo.png"]!;
        Assert.Equal($"http://localhost/files/{app.AppId}/{FileRequests.Sha256(Png)}/images/logo.png", url);
        Assert.Equal(
            """{"images/logo.png":{"_empty_":{"hash":""" + $"\"{FileRequests.ClientHash(Png)}\",\"size\":{Png.Length}" + """},"hdpi":{"hash":"h2","size":99}}}""",
            start["fileAttributes"]!.ToJsonString());
        Assert.Equal("http://localhost/api?action=uploadFile", (string?)start["uploadUrl"]);

        using var direct = await http.GetAsync(new Uri(url).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, direct.StatusCode);
        Assert.Equal(Png, await direct.Content.ReadAsByteArrayAsync());
        Assert.Equal("public, max-age=31536000, immutable", direct.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/files/{app.AppId}/{FileRequests.Sha256(Text)}/images/logo.png")).StatusCode);

        var production = await Start(app);
        Assert.Equal(url, (string?)production["files"]!["images/logo.png"]);
        Assert.Null(production["uploadUrl"]);
        var getVars = (await ApiClient.MultiAsync(http, app.AppId, app.Keys["production"], new { action = "getVars", userId = "u1", deviceId = "d1" }))[0];
        Assert.Equal(url, (string?)getVars["files"]!["images/logo.png"]);
    }

    [Fact]
    public async Task Start_WithPublicBaseUrl_HandsOutUrlsOnThatBase()
    {
        using var configured = new GreengageFactory();
        configured.Settings["Greengage:PublicBaseUrl"] = "https://engage.example.com/lp/";
        var app = await configured.Services.GetRequiredService<AppService>().CreateAsync("Public", CancellationToken.None);
        var http = configured.CreateClient();
        await Upload(http, FileRequests.Single(app.AppId, app.Keys["development"], "a b.txt", Text));

        var start = (await ApiClient.MultiAsync(http, app.AppId, app.Keys["development"], new { action = "start", userId = "u1", devMode = true }))[0];

        Assert.Equal($"https://engage.example.com/lp/files/{app.AppId}/{FileRequests.Sha256(Text)}/a%20b.txt", (string?)start["files"]!["a b.txt"]);
        Assert.Equal("https://engage.example.com/lp/api?action=uploadFile", (string?)start["uploadUrl"]);
    }
}
