using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Processes;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// Bad bodies under the real Kestrel server, which the in-process test server cannot reproduce: Kestrel's own body
/// limit, the request-decompression middleware's size check, and HTTP framing errors that surface while the body is
/// read. Each is answered in the envelope: 413 for an oversized body (a small gzip body that inflates past the limit
/// included), 400 for a body that cannot be read.
/// </summary>
public sealed class KestrelBadInputTests(KestrelSmallLimitsFixture fixture) : IClassFixture<KestrelSmallLimitsFixture>
{
    private const int Limit = KestrelSmallLimitsFixture.Limit;

    private ServerProcess Server => fixture.Server;

    private AppCredentials App => fixture.App;

    [Theory]
    [InlineData("plain", Limit + 1)]
    [InlineData("plain", Limit * 100)]
    [InlineData("gzip", Limit + 1)]
    [InlineData("gzip", Limit * 100)]
    [InlineData("multipart", Limit * 100)]
    public async Task Body_OverLimitUnderKestrel_Answers413InEnvelopeAndStoresNothing(string kind, int size)
    {
        var user = "k" + Guid.NewGuid().ToString("N");

        var reply = await RawApi.SendAsync(Server.Http, StartOfSize(kind, user, size));

        RawApi.AssertRejected(reply, 1);
        Assert.Equal(413, reply.Code);
        Assert.Equal(Greengage.Protocol.Responses.KnownErrors.UserNotFound,
            (string?)(await Server.ExportUserAsync(App, user))["warning"]?["message"]);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("multipart")]
    public async Task Body_ExactlyAtLimitUnderKestrel_Succeeds(string kind)
    {
        var user = "k" + Guid.NewGuid().ToString("N");

        var reply = await RawApi.SendAsync(Server.Http, StartOfSize(kind, user, Limit));

        RawApi.AssertEnvelope(reply);
        Assert.True(reply.Code == 200 && (bool)reply.Element(0)["success"]!, reply.ToString());
        Assert.Equal(user, (string?)(await Server.ExportUserAsync(App, user))["userId"]);
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    [InlineData("deflate")]
    public async Task Body_CompressedGarbageUnderKestrel_Answers400InEnvelope(string encoding)
    {
        var reply = await RawApi.SendAsync(Server.Http, RawApi.Post("/api?" + RawApi.Query(("appId", App.AppId),
            ("clientKey", App.ProductionKey), ("action", "start"), ("userId", "garbage-" + encoding)),
            RawApi.Bytes(Shapes.Garbage(), "application/json", encoding)));

        RawApi.AssertRejected(reply, 1);
        Assert.Equal(400, reply.Code);
    }

    [Fact]
    public async Task Body_MalformedChunkedEncodingUnderKestrel_Answers400InEnvelope()
    {
        var (status, json) = await SendRawAsync(
            $"POST /api?{StartQuery("chunked")} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n");

        AssertEnvelopeError(status, json, 400);
    }

    private string StartQuery(string user) =>
        RawApi.Query(("appId", App.AppId), ("clientKey", App.ProductionKey), ("action", "start"), ("userId", user));

    private static void AssertEnvelopeError(int status, JsonObject? json, int expected)
    {
        Assert.Equal(expected, status);
        var element = json?["response"]?[0];
        Assert.True(element is JsonObject && (bool?)element["success"] == false
            && element["error"]?["message"]?.GetValue<string>() is { Length: > 0 }, $"Not an envelope error: {json?.ToJsonString() ?? "(no JSON)"}");
    }

    /// <summary>Writes raw HTTP/1.1 bytes and reads the answer until the server closes the connection.</summary>
    private async Task<(int Status, JsonObject? Json)> SendRawAsync(string request)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(RawApi.HangTimeout);
        await client.ConnectAsync("127.0.0.1", Server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request), timeout.Token);
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        var text = Encoding.UTF8.GetString(answer.ToArray());
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(split > 0, $"No HTTP answer: {text}");
        var head = text[..split];
        var body = text[(split + 4)..];
        var status = int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        try
        {
            return (status, JsonNode.Parse(body) as JsonObject);
        }
        catch (JsonException)
        {
            return (status, null);
        }
    }

    private static string Dechunk(string chunked)
    {
        var result = new StringBuilder();
        var at = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
                return result.ToString();
            var size = Convert.ToInt32(chunked[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
                return result.ToString();
            result.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
    }

    /// <summary>A start whose (decompressed) body is exactly <paramref name="size"/> bytes; gzip sends it compressed.</summary>
    private HttpRequestMessage StartOfSize(string kind, string user, int size)
    {
        if (kind == "multipart")
        {
            const string boundary = "kb";
            var head = new StringBuilder();
            foreach (var (name, value) in new[] { ("appId", App.AppId), ("clientKey", App.ProductionKey), ("action", "start"), ("userId", user) })
                head.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
            head.Append($"--{boundary}\r\nContent-Disposition: form-data; name=\"pad\"\r\n\r\n");
            var tail = $"\r\n--{boundary}--\r\n";
            var multipart = head + new string('p', size - head.Length - tail.Length) + tail;
            return RawApi.Post("/api", RawApi.Bytes(Encoding.ASCII.GetBytes(multipart), $"multipart/form-data; boundary={boundary}"));
        }
        var open = $"{{\"appId\":\"{App.AppId}\",\"clientKey\":\"{App.ProductionKey}\",\"action\":\"start\",\"userId\":\"{user}\",\"pad\":\"";
        var body = Encoding.UTF8.GetBytes(open + new string('p', size - open.Length - 2) + "\"}");
        Assert.Equal(size, body.Length);
        return kind == "gzip"
            ? RawApi.Post("/api", RawApi.Bytes(BadInputCorpus.Gzip(body), "application/json", "gzip"))
            : RawApi.Post("/api", RawApi.Bytes(body, "application/json"));
    }
}

/// <summary>One real server process with a 4 KiB body limit, shared by the tests of a class.</summary>
public sealed class KestrelSmallLimitsFixture : IAsyncLifetime
{
    public const int Limit = 4096;

    private readonly TemporaryDirectory _data = new("bad-input-kestrel");
    private ServerProcess? _server;
    private AppCredentials? _app;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server is not started.");

    public AppCredentials App => _app ?? throw new InvalidOperationException("The server is not started.");

    public async Task InitializeAsync()
    {
        _server = await ServerProcess.StartAsync(_data.Path, [$"--Greengage:Limits:MaxBodyBytes={Limit}"]);
        _app = await _server.ReadPrintedDemoAppAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _data.Dispose();
    }
}
