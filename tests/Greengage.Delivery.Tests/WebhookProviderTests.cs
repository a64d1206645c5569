using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.Webhooks;
using Microsoft.AspNetCore.Http;

namespace Greengage.Delivery.Tests;

/// <summary>Webhooks: templated URL, method, headers and body personalised for the user, how statuses classify, and
/// which destinations are refused (the receiver is on loopback: the tests that send to it allow private networks).</summary>
public sealed class WebhookProviderTests : IAsyncLifetime
{
    private readonly Kit _kit = new();
    private FakeHttpServer _receiver = null!;
    private WebhookProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _receiver = await FakeHttpServer.StartAsync();
        _provider = Provider(new WebhookOptions { AllowPrivateNetworks = true });
    }

    private WebhookProvider Provider(WebhookOptions options) => new(options, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>());

    /// <summary>A provider whose host names all resolve to <paramref name="address"/> (as a name rebound to it would).</summary>
    private WebhookProvider Provider(WebhookOptions options, IPAddress address) =>
        new(options, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>(), new WebhookDestinations(options, (_, _) => Task.FromResult(new[] { address })));

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

    private Task<DeliveryResult> SendToAsync(WebhookProvider provider, string url) =>
        provider.SendAsync(Kit.Request(WebhookAddress.Instance, new JsonObject { ["URL"] = url }), CancellationToken.None);

    private string Url(string host, FakeHttpServer? receiver = null) => $"http://{host}:{(receiver ?? _receiver).BaseUrl.Port}/hook";

    private static void AssertRefused(DeliveryResult result, string destination)
    {
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.StartsWith($"The webhook destination {destination} is a private address; set Greengage:Delivery:Webhook:AllowPrivateNetworks=true", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Greengage:Delivery:Webhook:AllowedDestinations", result.Reason, StringComparison.Ordinal);
    }

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

    [Fact]
    public async Task Send_LoopbackDestinationByDefault_IsRefusedPermanentlyWithoutConnecting()
    {
        using var provider = Provider(new WebhookOptions());

        var result = await SendAsync(provider: provider);

        AssertRefused(result, "127.0.0.1");
        Assert.Empty(_receiver.Requests);
        Assert.Equal(0, _receiver.Connections);
    }

    [Fact]
    public async Task Send_HostNameResolvingToLoopback_IsRefused()
    {
        using var provider = Provider(new WebhookOptions());

        var result = await SendToAsync(provider, Url("localhost"));

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.StartsWith("The webhook destination localhost (", result.Reason, StringComparison.Ordinal);
        Assert.Contains("is a private address", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _receiver.Connections);
    }

    [Fact]
    public async Task Send_NameThatResolvesToAPrivateAddressAtCallTime_IsRefused()
    {
        // The address is checked where the connection is made, after resolving: a public-looking name rebound to a
        // private address does not get through.
        using var provider = Provider(new WebhookOptions(), IPAddress.Loopback);

        var result = await SendToAsync(provider, Url("hooks.example.test"));

        AssertRefused(result, "hooks.example.test (127.0.0.1)");
        Assert.Equal(0, _receiver.Connections);
    }

    [Fact]
    public async Task Send_AllowPrivateNetworks_ReachesLoopback()
    {
        var result = await SendToAsync(_provider, Url("127.0.0.1"));

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Single(_receiver.Requests);
    }

    [Fact]
    public async Task Send_AllowListedHost_GetsThroughWhileOtherPrivateDestinationsStayRefused()
    {
        using var provider = Provider(new WebhookOptions { AllowedDestinations = { "hooks.internal.test" } }, IPAddress.Loopback);

        Assert.Equal(DeliveryOutcome.Sent, (await SendToAsync(provider, Url("hooks.internal.test"))).Outcome);
        AssertRefused(await SendToAsync(provider, Url("127.0.0.1")), "127.0.0.1");
        AssertRefused(await SendToAsync(provider, Url("other.internal.test")), "other.internal.test (127.0.0.1)");

        Assert.Equal("hooks.internal.test:" + _receiver.BaseUrl.Port, _receiver.Requests.Single().Header("host"));
        Assert.Equal(1, _receiver.Connections);
    }

    [Fact]
    public async Task Send_AllowListedRange_ConnectsOnlyToTheAddressesInIt()
    {
        // localhost resolves to 127.0.0.1 (and ::1, refused: not in the range); the receiver listens on 127.0.0.1.
        using var provider = Provider(new WebhookOptions { AllowedDestinations = { "127.0.0.0/8" } });

        Assert.Equal(DeliveryOutcome.Sent, (await SendToAsync(provider, Url("localhost"))).Outcome);
        Assert.Equal(DeliveryOutcome.Sent, (await SendToAsync(provider, Url("127.0.0.1"))).Outcome);
        AssertRefused(await SendToAsync(provider, "http://[::1]:1/hook"), "::1");
        Assert.Equal(2, _receiver.Requests.Count);
    }

    [Fact]
    public async Task Send_RedirectToAPrivateAddress_IsNotFollowed()
    {
        await using var inside = await FakeHttpServer.StartAsync();
        _receiver.Handle = (_, http) =>
        {
            http.Response.StatusCode = 302;
            http.Response.Headers.Location = Url("localhost", inside);
            return Task.CompletedTask;
        };
        using var provider = Provider(new WebhookOptions { AllowedDestinations = { "127.0.0.1" } });

        var result = await SendToAsync(provider, Url("127.0.0.1"));

        Assert.Equal((DeliveryOutcome.Permanent, 302), (result.Outcome, result.StatusCode));
        Assert.Single(_receiver.Requests);
        Assert.Equal(0, inside.Connections);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("64:ff9b::a00:1")]
    public void IsNotPublic_NonPublicAddress_IsTrue(string address) => Assert.True(WebhookDestinations.IsNotPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    public void IsNotPublic_PublicAddress_IsFalse(string address) => Assert.False(WebhookDestinations.IsNotPublic(IPAddress.Parse(address)));
}
