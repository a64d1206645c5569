using System.Text.Json.Nodes;
using Greengage.Delivery.Apns;
using Greengage.Delivery.Email;
using Greengage.Delivery.Fcm;
using Greengage.Delivery.Http;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Delivery.WebPush;
using Greengage.Delivery.Webhooks;

namespace Greengage.Delivery.Tests;

/// <summary>Every provider sends (and fails) with all log levels captured: no secret reaches a log line.</summary>
public sealed class LogSecretTests
{
    [Fact]
    public async Task Send_EachProviderSucceedingAndFailing_LogsNoSecret()
    {
        var kit = new Kit();
        var secrets = new List<string>();

        var (account, rsa) = TestKeys.ServiceAccount("http://placeholder/token");
        await using var fcm = await FakeFcm.StartAsync(rsa, (string)account["client_email"]!, (string)account["project_id"]!);
        account["token_uri"] = fcm.TokenUrl.ToString();
        await kit.SetAsync(DeliveryKinds.Fcm, account);
        secrets.Add(((string)account["private_key"]!).Split('\n')[2]);

        var (p8, ec) = TestKeys.ApnsKey();
        await using var apns = await FakeApns.StartAsync(ec, "TEAM123456", "KEY1234567");
        await kit.SetAsync(DeliveryKinds.Apns, new JsonObject { ["teamId"] = "TEAM123456", ["keyId"] = "KEY1234567", ["privateKey"] = p8, ["bundleId"] = "com.example.game" });
        secrets.Add(p8.Split('\n')[2]);

        await using var push = await FakePushService.StartAsync();
        var (publicKey, privateKey) = TestKeys.Vapid();
        await kit.SetAsync(DeliveryKinds.WebPush, new JsonObject { ["subject"] = "mailto:ops@example.test", ["publicKey"] = publicKey, ["privateKey"] = privateKey });
        secrets.Add(privateKey);

        await using var hooks = await FakeHttpServer.StartAsync();
        await kit.SetAsync(DeliveryKinds.Webhook, new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "Bearer hook-secret-123" } });
        secrets.Add("hook-secret-123");

        await using var smtp = FakeSmtp.Start();
        await kit.SetAsync(DeliveryKinds.Smtp, new JsonObject
        {
            ["host"] = "127.0.0.1", ["port"] = smtp.Port, ["security"] = "none", ["username"] = smtp.User, ["password"] = smtp.Password, ["fromAddress"] = "news@example.test",
        });
        secrets.Add(smtp.Password);

        using var fcmProvider = new FcmProvider(new FcmOptions { BaseUrl = fcm.BaseUrl }, kit.Credentials, kit.Time, kit.Logs.For<FcmProvider>(), HttpOutcomes.Handler());
        using var apnsProvider = new ApnsProvider(new ApnsOptions { BaseUrl = apns.BaseUrl }, kit.Credentials, kit.Time, kit.Logs.For<ApnsProvider>(), HttpOutcomes.Handler());
        using var pushProvider = new WebPushProvider(new WebPushOptions(), kit.Credentials, kit.Time, kit.Logs.For<WebPushProvider>(), HttpOutcomes.Handler());
        using var hookProvider = new WebhookProvider(new WebhookOptions { AllowPrivateNetworks = true }, kit.Credentials, kit.Time, kit.Logs.For<WebhookProvider>());
        using var mailProvider = new EmailProvider(new SmtpOptions(), kit.Credentials, new UnsubscribeLinks(new Uri("https://e.test"), new byte[32]), kit.Time, kit.Logs.For<EmailProvider>());

        var sends = new (IDeliveryProvider Provider, DeliveryAddress Address, JsonObject Values)[]
        {
            (fcmProvider, new FcmAddress("fcm-token"), Kit.PushValues()),
            (apnsProvider, new ApnsAddress("abcdef"), Kit.PushValues()),
            (pushProvider, new WebPushAddress(push.Subscription()), Kit.PushValues()),
            (hookProvider, WebhookAddress.Instance, new JsonObject { ["URL"] = hooks.BaseUrl.ToString() }),
            (mailProvider, new EmailAddress("ada@example.test"), new JsonObject { ["Subject"] = "s", ["Text"] = "t" }),
        };
        foreach (var (provider, address, values) in sends)
            Assert.Equal(DeliveryOutcome.Sent, (await provider.SendAsync(Kit.Request(address, values), CancellationToken.None)).Outcome);
        secrets.Add(fcm.CurrentToken!);
        secrets.Add(apns.Requests.Single().Header("authorization")["bearer ".Length..]);

        fcm.Script.Enqueue(FakeFcm.Error(401, "UNAUTHENTICATED", null));
        apns.Script.Enqueue(FakeApns.Error(403, "InvalidProviderToken"));
        push.Script.Enqueue(http =>
        {
            http.Response.StatusCode = 403;
            return Task.CompletedTask;
        });
        hooks.Handle = (_, http) =>
        {
            http.Response.StatusCode = 500;
            return Task.CompletedTask;
        };
        smtp.NextReply = new SmtpServer.Protocol.SmtpResponse(SmtpServer.Protocol.SmtpReplyCode.TransactionFailed, "no");
        foreach (var (provider, address, values) in sends)
            Assert.NotEqual(DeliveryOutcome.Sent, (await provider.SendAsync(Kit.Request(address, values), CancellationToken.None)).Outcome);

        var logs = kit.Logs.All;
        Assert.Contains("Delivery fcm", logs, StringComparison.Ordinal);
        Assert.Contains("Delivery smtp", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }
}
