using System.Text.Json.Nodes;
using Greengage.Delivery.Http;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.WebPush;
using Microsoft.AspNetCore.Http;

namespace Greengage.Delivery.Tests;

/// <summary>Web Push with VAPID against a fake push service that verifies the token and decrypts the message.</summary>
public sealed class WebPushProviderTests : IAsyncLifetime
{
    private readonly Kit _kit = new();
    private FakePushService _push = null!;
    private WebPushProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _push = await FakePushService.StartAsync();
        var (publicKey, privateKey) = TestKeys.Vapid();
        _push.ExpectedVapidKey = publicKey;
        await _kit.SetAsync(DeliveryKinds.WebPush, new JsonObject { ["subject"] = "mailto:ops@example.test", ["publicKey"] = publicKey, ["privateKey"] = privateKey });
        _provider = new WebPushProvider(new WebPushOptions(), _kit.Credentials, _kit.Time, _kit.Logs.For<WebPushProvider>(), HttpOutcomes.Handler());
    }

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _push.DisposeAsync();
    }

    private Task<DeliveryResult> SendAsync(JsonObject? values = null, string? subscription = null) =>
        _provider.SendAsync(Kit.Request(new WebPushAddress(subscription ?? _push.Subscription()), values ?? Kit.PushValues()), CancellationToken.None);

    [Fact]
    public async Task Send_Subscription_VapidVerifiedAndThePayloadDecryptsToTheServiceWorkersJson()
    {
        var values = Kit.PushValues();
        values["Icon"] = "https://img.test/icon.png";
        var result = await SendAsync(values);

        Assert.Empty(_push.Errors);
        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.EndsWith("/message/1", result.ProviderMessageId, StringComparison.Ordinal);
        var request = _push.Requests.Single();
        Assert.Equal("/push/sub1", request.Path);
        Assert.Equal("604800", request.Header("ttl"));
        Assert.Equal("high", request.Header("urgency"));
        Assert.Equal("application/octet-stream", request.Header("content-type"));
        Kit.AssertJson(new JsonObject
        {
            ["title"] = "Greengage",
            ["tag"] = "42",
            ["body"] = "Hello Ada",
            ["icon"] = "https://img.test/icon.png",
            ["image"] = "https://img.test/a.png",
            ["data"] = new JsonObject { ["openAction"] = Kit.OpenUrl("https://example.test/deep") },
        }, _push.Payloads.Single());
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    public async Task Send_SubscriptionGone_IsADeadToken(int status)
    {
        _push.Script.Enqueue(http =>
        {
            http.Response.StatusCode = status;
            return Task.CompletedTask;
        });
        Assert.Equal(DeliveryOutcome.DeadToken, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_429WithRetryAfterDate_IsTransientWithTheWaitUntilThatDate()
    {
        var until = _kit.Time.GetUtcNow().AddMinutes(10);
        _push.Script.Enqueue(http =>
        {
            http.Response.StatusCode = 429;
            http.Response.Headers.RetryAfter = until.ToString("R");
            return Task.CompletedTask;
        });
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.InRange(result.RetryAfter!.Value, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Send_502_IsTransient()
    {
        _push.Script.Enqueue(http =>
        {
            http.Response.StatusCode = 502;
            return Task.CompletedTask;
        });
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_SubscriptionMadeForAnotherVapidKey_IsPermanentAndSaysSo()
    {
        _push.ExpectedVapidKey = TestKeys.Vapid().PublicKey;
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("another VAPID key", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"endpoint":"https://push.test/x"}""")]
    [InlineData("""{"endpoint":"https://push.test/x","keys":{"p256dh":"AAAA","auth":"BTBZMqHH6r4Tts7J_aSIgg"}}""")]
    public async Task Send_UnusableSubscription_IsADeadTokenWithoutACall(string subscription)
    {
        Assert.Equal(DeliveryOutcome.DeadToken, (await SendAsync(subscription: subscription)).Outcome);
        Assert.Empty(_push.Requests);
    }

    [Fact]
    public async Task Send_PayloadTooLargeForOneRecord_IsPermanent()
    {
        var result = await SendAsync(new JsonObject { ["Message"] = new string('x', 5000) });
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Empty(_push.Requests);
    }
}
