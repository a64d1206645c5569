using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Fixtures;
using Greengage.Server.Tests.Infrastructure;
using static Greengage.Server.Tests.Fixtures.ApiCalls;

namespace Greengage.Server.Tests.Envelope;

/// <summary>Spec 1.5 and 3: gzip both ways, CORS for browsers, the JSON content type.</summary>
public sealed class HttpTransportTests(GreengageFactory factory) : IClassFixture<GreengageFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    [Fact]
    public async Task Multi_GzippedTextPlainBody_IsDecompressed()
    {
        // Spec 1.6 row B body, gzip-encoded.
        var js = new JsBatch(factory.AppId, factory.ProductionKey, NewUser("gzip-js"));
        var content = new ByteArrayContent(Gzip(JsBatch.Body([js.Start(), js.Track("Zipped", 4)])));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/plain;charset=UTF-8");
        content.Headers.ContentEncoding.Add("gzip");

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, js.Url()) { Content = content });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(2, reply.Response.Count);
        Assert.All(reply.Response, e => Assert.True(SuccessOf(e!.AsObject()), e!.ToJsonString()));
        Assert.Equal(4.0, (double)(await ExportedEventAsync(_http, factory, js.UserId, "Zipped"))["value"]!);
    }

    [Fact]
    public async Task Multi_GzippedForm_IsDecompressed()
    {
        // Spec 1.6 row A form, gzip-encoded.
        var android = new AndroidBatch(NewUser("gzip-form"));
        var form = AndroidBatch.Form(factory.AppId, factory.ProductionKey, [android.Start(), android.Track("Zipped Form", "2.5")]);
        var content = new ByteArrayContent(Gzip(await FormText(form)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
        content.Headers.ContentEncoding.Add("gzip");

        var reply = await ApiClient.SendAsync(_http, new HttpRequestMessage(HttpMethod.Post, "/api") { Content = content });

        Assert.Equal(HttpStatusCode.OK, reply.Status);
        Assert.Equal(android.ReqIds, reply.Response.Select(e => ReqIdOf(e!.AsObject())));
        Assert.Equal(2.5, (double)(await ExportedEventAsync(_http, factory, android.UserId, "Zipped Form"))["value"]!);
    }

    [Fact]
    public async Task Api_AcceptEncodingGzip_AnswersGzippedEnvelope()
    {
        // Spec 1.5: Android and iOS send Accept-Encoding: gzip and un-gzip Content-Encoding: gzip.
        var android = new AndroidBatch(NewUser("gzip-out"));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api")
        {
            Content = new FormUrlEncodedContent(AndroidBatch.Form(factory.AppId, factory.ProductionKey, [android.Start()])),
        };
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
        var json = JsonNode.Parse(Gunzip(await response.Content.ReadAsByteArrayAsync()))!;
        var element = Assert.Single(json["response"]!.AsArray())!;
        Assert.True((bool)element["success"]!);
        Assert.Equal(android.ReqIds[0], (string?)element["reqId"]);
    }

    [Fact]
    public async Task Api_WithoutAcceptEncoding_AnswersPlainJson()
    {
        var response = await _http.GetAsync($"/api?appId={factory.AppId}&clientKey={factory.ProductionKey}&action=getMigrateState");

        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.NotNull(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["response"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Api_WithOrigin_AllowsAnyOrigin(bool validKey)
    {
        // Spec 1.5: the JS SDK runs in browsers; every answer, errors included, must be readable cross-origin.
        var key = validKey ? factory.ProductionKey : "prod_wrong";
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api?appId={factory.AppId}&clientKey={key}&action=getMigrateState")
        {
            Content = new StringContent("", Encoding.UTF8, "text/plain"),
        };
        request.Headers.Add("Origin", "https://shop.example.com");

        var response = await _http.SendAsync(request);

        Assert.Equal(validKey ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
    }

    [Fact]
    public async Task Api_OptionsPreflight_Answers204WithAllowHeaders()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api?action=multi");
        request.Headers.Add("Origin", "https://shop.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", Assert.Single(response.Headers.GetValues("Access-Control-Allow-Origin")));
        var methods = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Methods"));
        Assert.Contains("POST", methods, StringComparison.Ordinal);
        Assert.Contains("GET", methods, StringComparison.Ordinal);
        var headers = string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers"));
        Assert.Contains("content-type", headers, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Api_OptionsPreflightWithoutRequestHeaders_StillAllowsContentType()
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api");
        request.Headers.Add("Origin", "https://shop.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("Content-Type", string.Join(",", response.Headers.GetValues("Access-Control-Allow-Headers")), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("getMigrateState", true)]
    [InlineData("noSuchAction", true)]
    [InlineData("getMigrateState", false)]
    public async Task Api_AnyAnswer_IsApplicationJsonUtf8(string action, bool validKey)
    {
        // Spec 1.5 / 3: Content-Type application/json;charset=utf-8 on every envelope, errors included.
        var key = validKey ? factory.ProductionKey : "prod_wrong";

        var response = await _http.GetAsync($"/api?appId={factory.AppId}&clientKey={key}&action={action}");

        var type = response.Content.Headers.ContentType!;
        Assert.Equal("application/json", type.MediaType);
        Assert.Equal("utf-8", type.CharSet, ignoreCase: true);
        Assert.Equal("private", response.Headers.CacheControl?.ToString());
    }
}
