using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Greengage.Delivery.Fcm;
using Greengage.Delivery.Http;
using Greengage.Delivery.Push;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.Webhooks;

namespace Greengage.Delivery.Tests;

/// <summary>What every provider promises: a concurrency limit, no exception for a provider's failure, the caller's
/// cancellation honoured, and the Leanplum message id keys.</summary>
public sealed class ProviderContractTests
{
    private readonly Kit _kit = new();

    [Fact]
    public async Task Send_MoreThanMaxConcurrency_OnlyThatManyReachTheProviderAtOnce()
    {
        await using var receiver = await FakeHttpServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrivals = 0;
        var twoArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Handle = async (_, _) =>
        {
            if (Interlocked.Increment(ref arrivals) == 2)
                twoArrived.SetResult();
            await release.Task;
        };
        using var provider = new WebhookProvider(new WebhookOptions { MaxConcurrency = 2, AllowPrivateNetworks = true }, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>());
        var values = new JsonObject { ["URL"] = receiver.BaseUrl.ToString() };

        var sends = Enumerable.Range(0, 5).Select(i => provider.SendAsync(Kit.Request(WebhookAddress.Instance, values, "occ-" + i), CancellationToken.None)).ToList();
        await twoArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The other three wait on the provider's gate, not on the receiver.
        Assert.Equal(2, provider.InFlight);
        Assert.Equal(2, Volatile.Read(ref arrivals));
        release.SetResult();
        var results = await Task.WhenAll(sends).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal(DeliveryOutcome.Sent, r.Outcome));
        Assert.Equal(5, receiver.Requests.Count);
        Assert.Equal(0, provider.InFlight);
    }

    [Fact]
    public async Task Send_NothingListening_IsTransientNotAnException()
    {
        using var provider = new WebhookProvider(new WebhookOptions { AllowPrivateNetworks = true }, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>());
        var result = await provider.SendAsync(Kit.Request(WebhookAddress.Instance, new JsonObject { ["URL"] = "http://127.0.0.1:1/hook" }), CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Contains("could not be reached", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_AddressOfAnotherKind_IsPermanent()
    {
        using var provider = new FcmProvider(new FcmOptions { BaseUrl = new Uri("http://127.0.0.1:1") }, _kit.Credentials, _kit.Time, _kit.Logs.For<FcmProvider>(), HttpOutcomes.Handler());
        var result = await provider.SendAsync(Kit.Request(new ApnsAddress("ab"), Kit.PushValues()), CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
    }

    [Fact]
    public async Task Send_CallerCancels_ThrowsOperationCanceled()
    {
        await using var receiver = await FakeHttpServer.StartAsync();
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Handle = async (_, http) =>
        {
            arrived.SetResult();
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        };
        using var provider = new WebhookProvider(new WebhookOptions { AllowPrivateNetworks = true }, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>());
        using var cancel = new CancellationTokenSource();
        var send = provider.SendAsync(Kit.Request(WebhookAddress.Instance, new JsonObject { ["URL"] = receiver.BaseUrl.ToString() }), cancel.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
    }

    [Fact]
    public async Task Providers_For_FindsEachKind()
    {
        using var fcm = new FcmProvider(new FcmOptions(), _kit.Credentials, _kit.Time, _kit.Logs.For<FcmProvider>(), HttpOutcomes.Handler());
        using var hook = new WebhookProvider(new WebhookOptions { AllowPrivateNetworks = true }, _kit.Credentials, _kit.Time, _kit.Logs.For<WebhookProvider>());
        var providers = new DeliveryProviders([fcm, hook]);
        Assert.Same(fcm, providers.For(DeliveryKinds.Fcm));
        Assert.Same(hook, providers.For(DeliveryKinds.Webhook));
        Assert.Throws<ArgumentException>(() => providers.For("carrier-pigeon"));
        Assert.Equal(DeliveryOutcome.Permanent, (await providers.SendAsync(Kit.Request(new FcmAddress("x"), Kit.PushValues()), CancellationToken.None)).Outcome);
    }

    [Theory]
    [InlineData(true, false, "_lpm")]
    [InlineData(true, true, "_lpu")]
    [InlineData(false, false, "_lpn")]
    [InlineData(false, true, "_lpv")]
    public void MessageIdKey_ByOpenActionAndMute_IsLeanplumsKey(bool action, bool mute, string key)
    {
        var values = new JsonObject { ["Message"] = "m", ["Mute inside app"] = mute };
        if (action)
            values["Open action"] = Kit.OpenUrl("https://example.test");
        var content = PushContent.From(values);
        Assert.Equal(key, content.MessageIdKey);
        Assert.Equal("42", PushPayloads.AndroidData(42, "o", Kit.SentAt, content)[key]);
        Assert.Equal(42, (long)PushPayloads.ApnsPayload(42, "o", Kit.SentAt, content)[key]!);
    }

    [Fact]
    public void PushContent_OpenActionWithoutName_CountsAsNoAction()
    {
        var content = PushContent.From(new JsonObject { ["Open action"] = new JsonObject { ["__name__"] = "" } });
        Assert.Null(content.OpenAction);
        Assert.Equal("_lpn", content.MessageIdKey);
    }

    [Fact]
    public void AndroidData_ChannelObjectAndCustomDataThatNamesALeanplumKey_ChannelKeptLeanplumKeyWins()
    {
        var content = PushContent.From(new JsonObject
        {
            ["Message"] = "m",
            ["Android channel"] = new JsonObject { ["id"] = "alerts", ["name"] = "Alerts", ["importance"] = 4 },
            ["Data"] = new JsonObject { ["lp_message"] = "spoof", ["level"] = 3 },
        });
        var data = PushPayloads.AndroidData(1, "o", Kit.SentAt, content);
        Assert.Equal("m", data["lp_message"]);
        Assert.Equal("3", data["level"]);
        Kit.AssertJson(new JsonObject { ["id"] = "alerts", ["name"] = "Alerts", ["importance"] = 4 }, JsonNode.Parse(data["lp_channel"]));
    }

    [Fact]
    public void WebPayload_NoOpenAction_HasEmptyDataAndTheMessageIdAsTag()
    {
        Kit.AssertJson(new JsonObject { ["title"] = "", ["tag"] = "9", ["body"] = "b", ["data"] = new JsonObject() },
            PushPayloads.WebPayload(9, PushContent.From(new JsonObject { ["Message"] = "b" })));
    }

    [Fact]
    public void DeliveryAddresses_ForDevice_EachRegisteredPushAddress()
    {
        var device = new Greengage.Engine.Users.Components.DeviceEntry
        {
            GcmRegistrationId = "fcm-1",
            IosPushToken = "abcd",
            WebPushSubscription = """{"endpoint":"https://push.test/1","keys":{}}""",
        };
        Assert.Equal<DeliveryAddress>([new FcmAddress("fcm-1"), new ApnsAddress("abcd"), new WebPushAddress(device.WebPushSubscription)], DeliveryAddresses.ForDevice(device).ToList());
        Assert.Empty(DeliveryAddresses.ForDevice(new Greengage.Engine.Users.Components.DeviceEntry { WebPushSubscription = "garbage" }));
    }

    [Fact]
    public void Options_Validate_NamesEachWrongSetting()
    {
        var options = new DeliveryOptions();
        Assert.Empty(options.Validate());
        options.Fcm.MaxConcurrency = 0;
        options.Apns.TokenRefresh = TimeSpan.FromMinutes(5);
        options.Webhook.Timeout = TimeSpan.Zero;
        options.Fcm.BaseUrl = new Uri("ftp://x.test");
        options.Smtp.MaxConnectionsPerRelay = 0;
        options.Smtp.ConnectionIdleTimeout = TimeSpan.Zero;
        options.Webhook.AllowedDestinations.Add("10.0.0.0/8");
        options.Webhook.AllowedDestinations.Add("hooks.internal");
        options.Webhook.AllowedDestinations.Add("not a host/99");
        var problems = options.Validate().ToList();
        Assert.Contains(problems, p => p.Contains("Fcm:MaxConcurrency", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Apns:TokenRefresh", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Webhook:Timeout", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Fcm:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Smtp:MaxConnectionsPerRelay", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Smtp:ConnectionIdleTimeout", StringComparison.Ordinal));
        Assert.Equal("Greengage:Delivery:Webhook:AllowedDestinations: 'not a host/99' is not a host name, an IP address or a CIDR range.",
            Assert.Single(problems, p => p.Contains("AllowedDestinations", StringComparison.Ordinal)));
    }

    [Fact]
    public void Options_WebhookDestinations_BindFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Greengage:Delivery:Webhook:AllowPrivateNetworks"] = "true",
            ["Greengage:Delivery:Webhook:AllowedDestinations:0"] = "10.20.0.0/16",
            ["Greengage:Delivery:Webhook:AllowedDestinations:1"] = "hooks.internal",
        }).Build();

        var options = configuration.GetSection(DeliveryOptions.Section).Get<DeliveryOptions>()!;

        Assert.True(options.Webhook.AllowPrivateNetworks);
        Assert.Equal(["10.20.0.0/16", "hooks.internal"], options.Webhook.AllowedDestinations);
        Assert.False(new DeliveryOptions().Webhook.AllowPrivateNetworks);
    }
}
