using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Http;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Greengage.Delivery.Tests;

/// <summary>Webhooks: templated URL, method, headers and body personalised for the user, and how statuses classify.</summary>
public sealed class WebhookProviderTests : IAsyncLifetime
{
    private readonly Kit _kit = new();
    private FakeHttpServer _receiver = null!;
    private WebhookProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FakeHttpServer.StartAsync();
        _provider = Provider(new WebhookOptions());
    }

    private WebhookProvider Provider(WebhookOptions options) => new(options, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>(), HttpOutcomes.Handler());

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _receiver.DisposeAsync();
    }

    private JsonObject Values(string method = "POST") => new()
    {
        ["URL"] = _receiver.BaseUrl + "hooks/{{userId}}?name={{userAttribute['name']}}&coupon={{Value \"coupon\"}}",
        ["Method"] = method,
        ["Headers"] = new JsonObject { ["X-User"] = "{{userId}}", ["X-Source"] = "greengage" },
        ["Body"] = """{"user":"{{userId}}","greeting":"Hi {{userAttribute['name']}}"}""",
    };

    private Task<DeliveryResult> SendAsync(JsonObject? values = null, WebhookProvider? provider = null) =>
        (provider ?? _provider).SendAsync(Kit.Request(WebhookAddress.Instance, values ?? Values(), user: Kit.User("user/1 &x", "Ada Lovelace")), CancellationToken.None);

    private void Answer(int status, string? retryAfter = null) => _receiver.Handle = (_, http) =>
    {
        http.Response.StatusCode = status;
        if (retryAfter is not null)
            http.Response.Headers.RetryAfter = retryAfter;
        return Task.CompletedTask;
    };

    [Fact]
    public async Task Send_Template_ReceiverGetsThePersonalisedUrlMethodHeadersAndBody()
    {
        var result = await SendAsync();

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        var request = _receiver.Requests.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/hooks/user%2F1%20%26x?name=Ada%20Lovelace&coupon=SPRING-10", request.RawTarget);
        Assert.Equal("user/1 &x", request.Header("x-user"));
        Assert.Equal("greengage", request.Header("x-source"));
        Assert.Equal("application/json", request.Header("content-type"));
        Kit.AssertJson(new JsonObject { ["user"] = "user/1 &x", ["greeting"] = "Hi Ada Lovelace" }, JsonNode.Parse(request.Body));
    }

    [Fact]
    public async Task Send_ObjectBodyAndPut_SentAsJson()
    {
        var values = Values("PUT");
        values["Body"] = new JsonObject { ["score"] = 7, ["who"] = "{{userId}}" };
        await SendAsync(values);
        var request = _receiver.Requests.Single();
        Assert.Equal("PUT", request.Method);
        Kit.AssertJson(new JsonObject { ["score"] = 7, ["who"] = "user/1 &x" }, JsonNode.Parse(request.Body));
    }

    [Fact]
    public async Task Send_TextBodyAndGet_GetCarriesNoBody()
    {
        var values = Values("GET");
        values["Body"] = "plain {{userId}}";
        await SendAsync(values);
        var request = _receiver.Requests.Single();
        Assert.Equal("GET", request.Method);
        Assert.Empty(request.Body);
    }

    [Fact]
    public async Task Send_TextBody_SentAsPlainText()
    {
        var values = Values();
        values["Body"] = "plain {{userId}}";
        await SendAsync(values);
        var request = _receiver.Requests.Single();
        Assert.Equal("text/plain; charset=utf-8", request.Header("content-type"));
        Assert.Equal("plain user/1 &x", Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task Send_AppSecretHeaders_AreAddedAndWinOverTheMessages()
    {
        await _kit.SetAsync(DeliveryKinds.Webhook, new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "Bearer hook-secret", ["X-Source"] = "app" } });
        await SendAsync();
        var request = _receiver.Requests.Single();
        Assert.Equal("Bearer hook-secret", request.Header("authorization"));
        Assert.Equal("app", request.Header("x-source"));
    }

    [Theory]
    [InlineData(200, DeliveryOutcome.Sent)]
    [InlineData(204, DeliveryOutcome.Sent)]
    [InlineData(500, DeliveryOutcome.Transient)]
    [InlineData(503, DeliveryOutcome.Transient)]
    [InlineData(408, DeliveryOutcome.Transient)]
    [InlineData(400, DeliveryOutcome.Permanent)]
    [InlineData(404, DeliveryOutcome.Permanent)]
    [InlineData(301, DeliveryOutcome.Permanent)]
    public async Task Send_Status_Classifies(int status, DeliveryOutcome outcome)
    {
        Answer(status);
        var result = await SendAsync();
        Assert.Equal(outcome, result.Outcome);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_IsTransientAndHonoursTheWait()
    {
        Answer(429, "7");
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(7), result.RetryAfter);
    }

    [Fact]
    public async Task Send_ReceiverSlowerThanTheTimeout_IsTransient()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Handle = async (_, http) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        };
        var send = SendAsync();
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _kit.Time.Advance(TimeSpan.FromSeconds(10));
        var result = await send.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
    }

    [Theory]
    [InlineData("ftp://example.test/x")]
    [InlineData("not a url")]
    public async Task Send_UrlNotHttp_IsPermanent(string url)
    {
        var values = Values();
        values["URL"] = url;
        Assert.Equal(DeliveryOutcome.Permanent, (await SendAsync(values)).Outcome);
    }

    [Fact]
    public async Task Send_MethodUnknown_IsPermanent()
    {
        Assert.Equal(DeliveryOutcome.Permanent, (await SendAsync(Values("TRACE"))).Outcome);
    }
}
