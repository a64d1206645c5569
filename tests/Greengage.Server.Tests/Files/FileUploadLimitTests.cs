using System.Net;
using System.Text;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Files;

/// <summary>A server with small limits: a body limit of 4 KiB, uploads of at most 2 files and 10,000 bytes.</summary>
public sealed class SmallFileLimitsFactory : GreengageFactory
{
    public SmallFileLimitsFactory()
    {
        Settings["Greengage:Limits:MaxBodyBytes"] = "4096";
        Settings["Greengage:Files:MaxFilesPerUpload"] = "2";
        Settings["Greengage:Files:MaxUploadBytes"] = "10000";
    }
}

/// <summary>
/// uploadFile refuses what is wrong with a clear error in the envelope, and then stores nothing: no blob, no file table
/// entry. Files may take a multipart body past the body limit by the upload limit, and only files.
/// </summary>
public sealed class FileUploadLimitTests(SmallFileLimitsFactory factory) : IClassFixture<SmallFileLimitsFactory>
{
    private StoredApp NewApp() =>
        factory.Services.GetRequiredService<AppService>().CreateAsync("Limits " + Guid.NewGuid().ToString("N")[..6], CancellationToken.None).GetAwaiter().GetResult();

    private static byte[] Bytes(int length) => Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();

    private async Task<(HttpStatusCode Status, string? Error)> Upload(MultipartFormDataContent content)
    {
        var reply = await ApiClient.SendAsync(factory.CreateClient(), new HttpRequestMessage(HttpMethod.Post, "/api") { Content = content });
        return (reply.Status, (string?)reply[0]["error"]?["message"]);
    }

    /// <summary>Nothing of the app's is stored: no blob directory, no file in start's <c>files</c>.</summary>
    private async Task AssertNothingStored(StoredApp app)
    {
        Assert.False(Directory.Exists(Path.Combine(factory.DataDirectory, "files", app.AppId))
            && Directory.EnumerateFiles(Path.Combine(factory.DataDirectory, "files", app.AppId), "*", SearchOption.AllDirectories).Any());
        var start = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["production"], new { action = "start", userId = "u1" });
        Assert.Equal("{}", start[0]["files"]!.ToJsonString());
    }

    [Fact]
    public async Task UploadFile_PastTheBodyLimit_WithinTheUploadLimit_IsStored()
    {
        var app = NewApp();
        var (status, error) = await Upload(FileRequests.Multi(app.AppId, app.Keys["development"], [("big.bin", Bytes(8000))]));
        Assert.True(status == HttpStatusCode.OK, error);

        // The same size of plain fields is still refused: only file parts get the extra room.
        var fields = FileRequests.Common(app.AppId, app.Keys["development"], devMode: true);
        fields.Add(new StringContent(new string('x', 8000)), "padding");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Upload(fields)).Status);
    }

    [Fact]
    public async Task UploadFile_SizeMismatch_IsRefused_AndStoresNothing()
    {
        var app = NewApp();
        var (status, error) = await Upload(FileRequests.Multi(app.AppId, app.Keys["development"], [("a.txt", Bytes(10)), ("b.txt", Bytes(20))],
            declaredSize: i => i == 1 ? 21 : 10));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("The file 'b.txt' is 20 bytes long, not 21 as its size says.", error);
        await AssertNothingStored(app);
    }

    [Fact]
    public async Task UploadFile_MissingPart_OrNoDescription_IsRefused_AndStoresNothing()
    {
        var app = NewApp();
        var missing = FileRequests.Common(app.AppId, app.Keys["development"], devMode: true);
        missing.Add(new StringContent("""[{"filename":"a.txt","size":3,"hash":"x"},{"filename":"b.txt","size":3,"hash":"y"}]"""), "data");
        missing.Add(FileRequests.Part(Bytes(3)), "file0", "a.txt");
        Assert.Equal((HttpStatusCode.BadRequest, "The file part 'file1' for 'b.txt' is missing."), await Upload(missing));

        var undescribed = FileRequests.Common(app.AppId, app.Keys["development"], devMode: true);
        undescribed.Add(FileRequests.Part(Bytes(3)), "file0", "a.txt");
        Assert.Equal((HttpStatusCode.BadRequest, "'data' (an array of {filename, size, hash}) or 'filename' must be provided."), await Upload(undescribed));

        var wrongCount = FileRequests.Multi(app.AppId, app.Keys["development"], [("a.txt", Bytes(3))]);
        wrongCount.Add(new StringContent("2"), "count");
        Assert.Equal(HttpStatusCode.BadRequest, (await Upload(wrongCount)).Status);
        await AssertNothingStored(app);
    }

    [Fact]
    public async Task UploadFile_TooManyFiles_OrTooManyBytes_IsRefusedWith413_AndStoresNothing()
    {
        var app = NewApp();
        var tooMany = await Upload(FileRequests.Multi(app.AppId, app.Keys["development"], [("a", Bytes(1)), ("b", Bytes(1)), ("c", Bytes(1))]));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "Too many files in one upload: 3 (the limit is 2)."), tooMany);

        var tooLarge = await Upload(FileRequests.Multi(app.AppId, app.Keys["development"], [("a", Bytes(6000)), ("b", Bytes(6000))]));
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "The files of one upload total 12000 bytes; the limit is 10000 bytes."), tooLarge);

        // Past the body limit plus the upload limit, the body is not even read to its end.
        var (status, error) = await Upload(FileRequests.Multi(app.AppId, app.Keys["development"], [("huge", Bytes(20000))]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.StartsWith("The request body is larger than the limit", error, StringComparison.Ordinal);
        await AssertNothingStored(app);
    }

    [Fact]
    public async Task UploadFile_WithTheProductionKey_IsRefused_AndStoresNothing()
    {
        var app = NewApp();
        var (status, error) = await Upload(FileRequests.Multi(app.AppId, app.Keys["production"], [("a.txt", Bytes(3))], devMode: false));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Invalid access key", error);

        // Batched with another action, the upload's files belong to no one item: refused too.
        var batched = await ApiClient.MultiAsync(factory.CreateClient(), app.AppId, app.Keys["development"],
            new { action = "uploadFile", filename = "a.txt" }, new { action = "track", userId = "u1", @event = "e" });
        Assert.Equal("uploadFile must be the only action of its request.", (string?)batched[0]["error"]!["message"]);
        await AssertNothingStored(app);
    }
}
