using System.Text.Json.Nodes;
using Greengage.Delivery.Apns;
using Greengage.Delivery.Http;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;

namespace Greengage.Delivery.Tests;

/// <summary>APNs over HTTP/2 (h2c on loopback) against a fake that verifies the ES256 provider token.</summary>
public sealed class ApnsProviderTests : IAsyncLifetime
{
    private const string TeamId = "TEAM123456";
    private const string KeyId = "KEY1234567";
    private const string DeviceToken = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private const string Occurrence = "5813dbe3-214d-4031-a3ad-a124b38e0b97";

    private readonly Kit _kit = new();
    private FakeApns _apns = null!;
    private ApnsProvider _provider = null!;
    private string _p8 = null!;

    public async Task InitializeAsync()
    {
        var (p8, key) = TestKeys.ApnsKey();
        _p8 = p8;
        _apns = await FakeApns.StartAsync(key, TeamId, KeyId);
        await SetCredentialsAsync("production");
        _provider = Provider(new ApnsOptions { BaseUrl = _apns.BaseUrl });
    }

    private Task SetCredentialsAsync(string environment) => _kit.SetAsync(DeliveryKinds.Apns, new JsonObject
    {
        ["teamId"] = TeamId, ["keyId"] = KeyId, ["privateKey"] = _p8, ["bundleId"] = "com.example.game", ["environment"] = environment,
    });

    private ApnsProvider Provider(ApnsOptions options) => new(options, _kit.Credentials, _kit.Time, _kit.Logs.For<ApnsProvider>(), HttpOutcomes.Handler());

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _apns.DisposeAsync();
    }

    private Task<DeliveryResult> SendAsync(JsonObject? values = null, ApnsProvider? provider = null) =>
        (provider ?? _provider).SendAsync(Kit.Request(new ApnsAddress(DeviceToken), values ?? Kit.PushValues(), Occurrence), CancellationToken.None);

    [Fact]
    public async Task Send_Alert_OverHttp2WithAVerifiedTokenTheExactHeadersAndPayload()
    {
        var values = Kit.PushValues();
        values["Badge"] = 3;
        var result = await SendAsync(values);

        Assert.Empty(_apns.Errors);
        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Equal(Occurrence, result.ProviderMessageId);
        var request = _apns.Requests.Single();
        Assert.Equal("HTTP/2", request.Protocol);
        Assert.Equal("/3/device/" + DeviceToken, request.Path);
        Assert.Equal("com.example.game", request.Header("apns-topic"));
        Assert.Equal("alert", request.Header("apns-push-type"));
        Assert.Equal("10", request.Header("apns-priority"));
        Assert.Equal(Occurrence, request.Header("apns-id"));
        Assert.Equal((Kit.SentAt + TimeSpan.FromDays(7)).ToUnixTimeSeconds().ToString(), request.Header("apns-expiration"));
        Kit.AssertJson(new JsonObject
        {
            ["aps"] = new JsonObject
            {
                ["alert"] = new JsonObject { ["title"] = "Greengage", ["body"] = "Hello Ada" },
                ["sound"] = "default",
                ["badge"] = 3,
                ["mutable-content"] = 1,
            },
            ["_lpm"] = 42,
            ["_lpx"] = Kit.OpenUrl("https://example.test/deep"),
            ["lp_imageUrl"] = "https://img.test/a.png",
            ["lp_occurrence_id"] = Occurrence,
            ["lp_sent_time"] = 1700000000.123,
            ["campaign"] = "spring",
        }, JsonNode.Parse(request.Body));
    }

    [Fact]
    public async Task Send_Silent_IsABackgroundPushAtPriority5WithOnlyContentAvailable()
    {
        var result = await SendAsync(new JsonObject { ["Silent"] = true, ["Message"] = "unused", ["Time to live"] = 0 });

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        var request = _apns.Requests.Single();
        Assert.Equal("background", request.Header("apns-push-type"));
        Assert.Equal("5", request.Header("apns-priority"));
        Assert.Equal("0", request.Header("apns-expiration"));
        Kit.AssertJson(new JsonObject
        {
            ["aps"] = new JsonObject { ["content-available"] = 1 },
            ["_lpn"] = 42,
            ["lp_occurrence_id"] = Occurrence,
            ["lp_sent_time"] = 1700000000.123,
        }, JsonNode.Parse(request.Body));
    }

    [Fact]
    public async Task Send_ManyTimes_SignsOneProviderTokenAndANewOneAfterTheRefreshInterval()
    {
        await SendAsync();
        await SendAsync();
        _kit.Time.Advance(TimeSpan.FromMinutes(39));
        await SendAsync();
        _kit.Time.Advance(TimeSpan.FromMinutes(2));
        await SendAsync();

        Assert.Empty(_apns.Errors);
        var tokens = _apns.Requests.Select(r => r.Header("authorization")).ToList();
        Assert.Single(tokens.Take(3).Distinct());
        Assert.NotEqual(tokens[0], tokens[3]);
    }

    [Theory]
    [InlineData(410, "Unregistered")]
    [InlineData(400, "BadDeviceToken")]
    public async Task Send_TokenGone_IsADeadToken(int status, string reason)
    {
        _apns.Script.Enqueue(FakeApns.Error(status, reason));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.DeadToken, result.Outcome);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(400, "DeviceTokenNotForTopic")]
    [InlineData(400, "PayloadEmpty")]
    [InlineData(413, "PayloadTooLarge")]
    public async Task Send_RequestApnsRefuses_IsPermanent(int status, string reason)
    {
        _apns.Script.Enqueue(FakeApns.Error(status, reason));
        Assert.Equal(DeliveryOutcome.Permanent, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_IsTransientAndHonoursTheWait()
    {
        _apns.Script.Enqueue(FakeApns.Error(429, "TooManyRequests", retryAfter: "30"));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(30), result.RetryAfter);
    }

    [Theory]
    [InlineData(500, "InternalServerError")]
    [InlineData(503, "ServiceUnavailable")]
    public async Task Send_5xx_IsTransient(int status, string reason)
    {
        _apns.Script.Enqueue(FakeApns.Error(status, reason));
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_ExpiredProviderToken_IsTransientAndTheNextSendSignsANewToken()
    {
        await SendAsync();
        _kit.Time.Advance(TimeSpan.FromSeconds(2));
        _apns.Script.Enqueue(FakeApns.Error(403, "ExpiredProviderToken"));
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
        Assert.Equal(DeliveryOutcome.Sent, (await SendAsync()).Outcome);
        var tokens = _apns.Requests.Select(r => r.Header("authorization")).ToList();
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task Send_KeyApnsDoesNotKnow_IsPermanent()
    {
        var (otherP8, _) = TestKeys.ApnsKey();
        await _kit.SetAsync(DeliveryKinds.Apns, new JsonObject
        {
            ["teamId"] = TeamId, ["keyId"] = KeyId, ["privateKey"] = otherP8, ["bundleId"] = "com.example.game",
        });
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("InvalidProviderToken", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_SandboxCredentials_GoToTheSandboxUrl()
    {
        await SetCredentialsAsync("sandbox");
        using var provider = Provider(new ApnsOptions { BaseUrl = new Uri("http://127.0.0.1:1"), SandboxBaseUrl = _apns.BaseUrl });
        Assert.Equal(DeliveryOutcome.Sent, (await SendAsync(provider: provider)).Outcome);
    }

    [Fact]
    public void ApnsId_OccurrenceNotAUuid_IsAStableUuid()
    {
        Assert.Equal(ApnsProvider.ApnsId("outbox-17"), ApnsProvider.ApnsId("outbox-17"));
        Assert.NotEqual(ApnsProvider.ApnsId("outbox-17"), ApnsProvider.ApnsId("outbox-18"));
        Assert.True(Guid.TryParse(ApnsProvider.ApnsId("outbox-17"), out _));
    }

    [Fact]
    public async Task Send_TokenNotHex_IsADeadTokenWithoutACall()
    {
        var result = await _provider.SendAsync(Kit.Request(new ApnsAddress("not a token"), Kit.PushValues()), CancellationToken.None);
        Assert.Equal(DeliveryOutcome.DeadToken, result.Outcome);
        Assert.Empty(_apns.Requests);
    }
}
