using System.Text.Json.Nodes;
using Greengage.Delivery.Fcm;
using Greengage.Delivery.Http;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;

namespace Greengage.Delivery.Tests;

/// <summary>FCM HTTP v1 against a fake on loopback that verifies the service account's RS256 assertion.</summary>
public sealed class FcmProviderTests : IAsyncLifetime
{
    private readonly Kit _kit = new();
    private FakeFcm _fcm = null!;
    private FcmProvider _provider = null!;
    private JsonObject _account = null!;

    public async Task InitializeAsync()
    {
        var (account, key) = TestKeys.ServiceAccount("http://placeholder/token");
        _fcm = await FakeFcm.StartAsync(key, (string)account["client_email"]!, (string)account["project_id"]!);
        account["token_uri"] = _fcm.TokenUrl.ToString();
        _account = account;
        await _kit.SetAsync(DeliveryKinds.Fcm, account);
        _provider = Provider(new FcmOptions { BaseUrl = _fcm.BaseUrl });
    }

    private FcmProvider Provider(FcmOptions options) => new(options, _kit.Credentials, _kit.Time, _kit.Logs.For<FcmProvider>(), HttpOutcomes.Handler());

    public async Task DisposeAsync()
    {
        _provider.Dispose();
        await _fcm.DisposeAsync();
    }

    private Task<DeliveryResult> SendAsync(JsonObject? values = null, string token = "fcm-token-1") =>
        _provider.SendAsync(Kit.Request(new FcmAddress(token), values ?? Kit.PushValues()), CancellationToken.None);

    [Fact]
    public async Task Send_ServiceAccount_AssertionVerifiedAndTheExactDataMessageSent()
    {
        var result = await SendAsync();

        Assert.Empty(_fcm.Errors);
        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Equal("projects/greengage-test/messages/1", result.ProviderMessageId);
        Kit.AssertJson(new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = "fcm-token-1",
                ["data"] = new JsonObject
                {
                    ["_lpm"] = "42",
                    ["_lpx"] = """{"__name__":"Open URL","URL":"https://example.test/deep"}""",
                    ["lp_message"] = "Hello Ada",
                    ["title"] = "Greengage",
                    ["lp_imageUrl"] = "https://img.test/a.png",
                    ["lp_channel"] = """{"id":"news"}""",
                    ["lp_occurrence_id"] = "occ-1",
                    ["lp_sent_time"] = "1700000000.123",
                    ["campaign"] = "spring",
                },
                ["android"] = new JsonObject { ["priority"] = "HIGH" },
            },
        }, _fcm.Messages.Single());
    }

    [Fact]
    public async Task Send_SilentMutedWithoutAction_UsesLpvAndNormalPriority()
    {
        var result = await SendAsync(new JsonObject { ["Message"] = "ignored", ["Silent"] = true, ["Mute inside app"] = true, ["Time to live"] = 600, ["Collapse key"] = "score" });

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Kit.AssertJson(new JsonObject
        {
            ["message"] = new JsonObject
            {
                ["token"] = "fcm-token-1",
                ["data"] = new JsonObject { ["_lpv"] = "42", ["lp_silent_track"] = "true", ["lp_occurrence_id"] = "occ-1", ["lp_sent_time"] = "1700000000.123" },
                ["android"] = new JsonObject { ["priority"] = "NORMAL", ["ttl"] = "600s", ["collapse_key"] = "score" },
            },
        }, _fcm.Messages.Single());
    }

    [Fact]
    public async Task Send_Twice_ReusesTheAccessTokenUntilShortlyBeforeItExpires()
    {
        _fcm.ExpiresIn = 600;
        await SendAsync();
        await SendAsync();
        Assert.Equal(1, _fcm.TokenRequests);

        _kit.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        Assert.Equal(DeliveryOutcome.Sent, (await SendAsync()).Outcome);
        Assert.Equal(2, _fcm.TokenRequests);
        Assert.Empty(_fcm.Errors);
    }

    [Theory]
    [InlineData(404, "NOT_FOUND", "UNREGISTERED")]
    [InlineData(400, "INVALID_ARGUMENT", "UNREGISTERED")]
    [InlineData(404, "NOT_FOUND", null)]
    public async Task Send_Unregistered_IsADeadToken(int status, string grpc, string? code)
    {
        _fcm.Script.Enqueue(FakeFcm.Error(status, grpc, code, "Requested entity was not found."));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.DeadToken, result.Outcome);
        Assert.Equal(status, result.StatusCode);
    }

    [Fact]
    public async Task Send_InvalidRegistrationToken_IsADeadToken()
    {
        _fcm.Script.Enqueue(FakeFcm.Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"));
        Assert.Equal(DeliveryOutcome.DeadToken, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_OtherBadRequest_IsPermanent()
    {
        _fcm.Script.Enqueue(FakeFcm.Error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid value at 'message.data'"));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("message.data", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_IsTransientAndHonoursTheWait()
    {
        _fcm.Script.Enqueue(FakeFcm.Error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded", retryAfter: "120"));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Equal(TimeSpan.FromSeconds(120), result.RetryAfter);
        Assert.Equal(429, result.StatusCode);
    }

    [Theory]
    [InlineData(500, "INTERNAL")]
    [InlineData(503, "UNAVAILABLE")]
    public async Task Send_5xx_IsTransient(int status, string grpc)
    {
        _fcm.Script.Enqueue(FakeFcm.Error(status, grpc, grpc));
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Null(result.RetryAfter);
    }

    [Fact]
    public async Task Send_RetryThenSuccess_SecondTrySent()
    {
        _fcm.Script.Enqueue(FakeFcm.Error(503, "UNAVAILABLE", "UNAVAILABLE"));
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
        Assert.Equal(DeliveryOutcome.Sent, (await SendAsync()).Outcome);
        Assert.Equal(2, _fcm.Messages.Count);
    }

    [Fact]
    public async Task Send_AccessTokenRefused_IsTransientAndTheNextSendFetchesANewToken()
    {
        _fcm.Script.Enqueue(FakeFcm.Error(401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR"));
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
        Assert.Equal(DeliveryOutcome.Sent, (await SendAsync()).Outcome);
        Assert.Equal(2, _fcm.TokenRequests);
    }

    [Fact]
    public async Task Send_KeyTheTokenEndpointRejects_IsPermanentAndNamesTheCredentials()
    {
        var (other, _) = TestKeys.ServiceAccount(_fcm.TokenUrl.ToString());
        _account["private_key"] = other["private_key"]!.DeepClone();
        await _kit.SetAsync(DeliveryKinds.Fcm, _account);

        var result = await SendAsync();

        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("invalid_grant", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_fcm.Messages);
    }

    [Fact]
    public async Task Send_TokenUrlConfigured_WinsOverTheAccountsTokenUri()
    {
        _account["token_uri"] = "http://127.0.0.1:1/never";
        await _kit.SetAsync(DeliveryKinds.Fcm, _account);
        using var provider = Provider(new FcmOptions { BaseUrl = _fcm.BaseUrl, TokenUrl = _fcm.TokenUrl });

        var result = await provider.SendAsync(Kit.Request(new FcmAddress("t"), Kit.PushValues()), CancellationToken.None);

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Empty(_fcm.Errors);
    }

    [Fact]
    public async Task Send_NoCredentials_IsPermanentAndSaysHowToSetThem()
    {
        await _kit.Credentials.DeleteAsync(Kit.AppId, DeliveryKinds.Fcm, CancellationToken.None);
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("/delivery/fcm", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_FcmSlowerThanTheTimeout_IsTransient()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fcm.Script.Enqueue(async http =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        });
        using var provider = Provider(new FcmOptions { BaseUrl = _fcm.BaseUrl, Timeout = TimeSpan.FromSeconds(5) });

        var send = provider.SendAsync(Kit.Request(new FcmAddress("t"), Kit.PushValues()), CancellationToken.None);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _kit.Time.Advance(TimeSpan.FromSeconds(5));
        var result = await send.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("did not answer within 5 s", result.Reason, StringComparison.Ordinal);
    }
}
