using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Delivery.Email;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// A send end to end through each provider other than FCM (PushSendTests has that one): <c>sendMessage</c> puts it in
/// the outbox with the batch, the dispatcher sends it through the real provider to a fake on loopback (APNs over h2c
/// verifying the ES256 provider token, a push service verifying VAPID and decrypting RFC 8291, an SMTP server with a
/// login, a webhook receiver), and the outcome comes back to the user as the message's <c>.m&lt;id&gt;</c> events.
/// The messages are made through the admin API with their templates' argument names, as an operator makes them.
/// </summary>
public sealed class ChannelSendTests : IAsyncLifetime
{
    private const string TeamId = "TEAM123456";
    private const string KeyId = "KEY1234567";
    private const string DeviceToken = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private const string PublicBaseUrl = "https://engage.example.test";

    private readonly GreengageFactory _factory = new();
    private readonly List<IAsyncDisposable> _fakes = [];

    public Task InitializeAsync()
    {
        _factory.Settings["Greengage:PublicBaseUrl"] = PublicBaseUrl;
        _factory.Settings["Greengage:Delivery:Outbox:PollInterval"] = "00:00:00.050";
        _factory.Settings["Greengage:Delivery:Outbox:FirstBackoff"] = "00:00:00.050";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        // The server (and its dispatcher) first, then the fakes it was sending to.
        await _factory.DisposeAsync();
        foreach (var fake in _fakes)
            await fake.DisposeAsync();
    }

    private T Keep<T>(T fake) where T : IAsyncDisposable
    {
        _fakes.Add(fake);
        return fake;
    }

    private Task<StoredApp> NewAppAsync(string name) =>
        _factory.Services.GetRequiredService<AppService>().CreateAsync(name + " " + Guid.NewGuid().ToString("N")[..6], default);

    private async Task PutCredentialsAsync(StoredApp app, string kind, JsonObject body)
    {
        var (status, problem) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Put, $"/admin/v1/apps/{app.AppId}/delivery/{kind}", body);
        Assert.True(status == HttpStatusCode.OK, problem?.ToJsonString());
    }

    /// <summary>Creates the message through the admin API and activates it; its id.</summary>
    private async Task<long> ActiveMessageAsync(StoredApp app, string name, string channel, JsonObject values)
    {
        var admin = _factory.CreateClient();
        var (created, message) = await AdminCalls.SendAsync(admin, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", new { name, channel, values });
        Assert.True(created == HttpStatusCode.Created, message?.ToJsonString());
        var id = (long)message!["id"]!;
        var (activated, problem) = await AdminCalls.SendAsync(admin, HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{id}/activate");
        Assert.True(activated == HttpStatusCode.OK, problem?.ToJsonString());
        return id;
    }

    private async Task<JsonObject> Api(StoredApp app, JsonObject item, string key = "development")
    {
        var reply = await ApiClient.MultiAsync(_factory.CreateClient(), app.AppId, app.Keys[key], item);
        Assert.True((bool)reply[0]["success"]!, reply[0].ToJsonString());
        return reply[0];
    }

    private async Task<JsonObject> ExportAsync(StoredApp app, string userId) =>
        await Api(app, new JsonObject { ["action"] = "exportUser", ["userId"] = userId }, "dataExport");

    private async Task<JsonNode?> EventsAsync(StoredApp app, string userId) => (await ExportAsync(app, userId))["events"];

    private async Task<JsonArray> FailedAsync(StoredApp app)
    {
        var (listed, failures) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Get, $"/admin/v1/apps/{app.AppId}/deliveries/failed");
        Assert.Equal(HttpStatusCode.OK, listed);
        return failures!.AsArray();
    }

    private async Task<JsonObject> SendMessageAsync(StoredApp app, string userId, long id, JsonObject? values = null)
    {
        var item = new JsonObject { ["action"] = "sendMessage", ["userId"] = userId, ["messageId"] = id };
        if (values is not null)
            item["values"] = values;
        return await Api(app, item);
    }

    private Task WaitForEventAsync(StoredApp app, string userId, string name) =>
        Eventually.TrueAsync(async () => (await EventsAsync(app, userId))?[name] is not null, name + " recorded");

    private static JsonObject OpenUrl(string url) => new() { ["__name__"] = "Open URL", ["URL"] = url };

    private static void AssertJson(JsonNode expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected.ToJsonString()}\n  actual {actual?.ToJsonString()}");

    private static JsonObject? Device(JsonObject export, string deviceId) =>
        export["devices"]!.AsArray().OfType<JsonObject>().SingleOrDefault(d => (string?)d["deviceId"] == deviceId);

    [Fact]
    public async Task SendMessage_IosPush_ReachesApnsWithAVerifiedTokenAndTheSdksPayload_AnUnregisteredTokenBouncesIsForgottenAndListed()
    {
        var (p8, key) = TestKeys.ApnsKey();
        var apns = Keep(await FakeApns.StartAsync(key, TeamId, KeyId));
        _factory.Settings["Greengage:Delivery:Apns:BaseUrl"] = apns.BaseUrl.ToString();
        var app = await NewAppAsync("APNs");
        await PutCredentialsAsync(app, "apns", new JsonObject
        {
            ["teamId"] = TeamId, ["keyId"] = KeyId, ["privateKey"] = p8, ["bundleId"] = "com.example.game", ["environment"] = "production",
        });
        var id = await ActiveMessageAsync(app, "Welcome back", "push", new JsonObject
        {
            ["Message"] = "Hi {{userAttribute['name']}}",
            ["Title"] = "Greengage",
            ["Image URL"] = "https://img.test/a.png",
            ["Open action"] = OpenUrl("https://example.com/x"),
            ["Advanced options"] = new JsonObject { ["Data"] = new JsonObject { ["campaign"] = "spring" } },
            ["iOS options"] = new JsonObject { ["Sound"] = "chime.caf", ["Badge"] = "3" },
        });
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "ios-ada", ["deviceId"] = "iphone", ["userAttributes"] = new JsonObject { ["name"] = "Ada" } }, "production");
        await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "ios-ada", ["deviceId"] = "iphone", ["iosPushToken"] = DeviceToken }, "production");

        var before = DateTimeOffset.UtcNow;
        var sent = await SendMessageAsync(app, "ios-ada", id);
        var after = DateTimeOffset.UtcNow;
        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        await WaitForEventAsync(app, "ios-ada", $".m{id}");
        Assert.Empty(apns.Errors);

        var request = Assert.Single(apns.Requests, r => r.Path.StartsWith("/3/device/", StringComparison.Ordinal));
        Assert.Equal(("HTTP/2", "POST", "/3/device/" + DeviceToken), (request.Protocol, request.Method, request.Path));
        Assert.Equal("com.example.game", request.Header("apns-topic"));
        Assert.Equal("alert", request.Header("apns-push-type"));
        Assert.Equal("10", request.Header("apns-priority"));
        Assert.StartsWith("application/json", request.Header("content-type"), StringComparison.Ordinal);
        var expiration = long.Parse(request.Header("apns-expiration"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiration, (before + TimeSpan.FromDays(7)).ToUnixTimeSeconds() - 1, (after + TimeSpan.FromDays(7)).ToUnixTimeSeconds() + 1);

        // The provider token: ES256 signed with the app's .p8 key, naming the key id and the team, issued now.
        var authorization = request.Header("authorization");
        Assert.StartsWith("bearer ", authorization, StringComparison.Ordinal);
        var (jwtHeader, claims, jwtError) = JwtCheck.Verify(authorization["bearer ".Length..], ec: key);
        Assert.Null(jwtError);
        Assert.Equal(("ES256", KeyId, TeamId), ((string?)jwtHeader!["alg"], (string?)jwtHeader["kid"], (string?)claims!["iss"]));
        Assert.InRange((long)claims["iat"]!, before.ToUnixTimeSeconds() - 5, after.ToUnixTimeSeconds() + 5);

        // The payload the iOS SDK reads; apns-id is the send's occurrence id (a UUID), lp_occurrence_id the same.
        var payload = JsonNode.Parse(request.Body)!.AsObject();
        var occurrence = (string)payload["lp_occurrence_id"]!;
        Assert.Equal(Guid.Parse(occurrence).ToString("D"), request.Header("apns-id"));
        var sentTime = (double)payload["lp_sent_time"]!;
        Assert.InRange(sentTime, before.ToUnixTimeMilliseconds() / 1000.0 - 0.001, after.ToUnixTimeMilliseconds() / 1000.0 + 0.001);
        payload.Remove("lp_sent_time");
        AssertJson(new JsonObject
        {
            ["campaign"] = "spring",
            ["aps"] = new JsonObject
            {
                ["alert"] = new JsonObject { ["title"] = "Greengage", ["body"] = "Hi Ada" },
                ["sound"] = "chime.caf",
                ["badge"] = 3,
                ["mutable-content"] = 1,
            },
            ["_lpm"] = id,
            ["_lpx"] = OpenUrl("https://example.com/x"),
            ["lp_imageUrl"] = "https://img.test/a.png",
            ["lp_occurrence_id"] = occurrence,
        }, payload);
        Assert.Equal(1, (int)(await EventsAsync(app, "ios-ada"))![$".m{id}"]!["count"]!);
        Assert.Empty(await FailedAsync(app));

        // APNs says the token is gone: the send bounces, the device forgets the token, the failure is listed.
        apns.Script.Enqueue(FakeApns.Error(410, "Unregistered"));
        await SendMessageAsync(app, "ios-ada", id);
        await WaitForEventAsync(app, "ios-ada", $".m{id} Bounce");
        var events = await EventsAsync(app, "ios-ada");
        Assert.Equal(1, (int)events![$".m{id}"]!["count"]!);
        Assert.Equal(1, (int)events[$".m{id} Bounce"]!["count"]!);
        Assert.Equal(2, apns.Requests.Count(r => r.Path == "/3/device/" + DeviceToken));
        var failure = Assert.Single(await FailedAsync(app));
        Assert.Equal((id, "ios-ada", "iphone", "push", "apns"),
            ((long)failure!["messageId"]!, (string?)failure["userId"], (string?)failure["deviceId"], (string?)failure["channel"], (string?)failure["provider"]));
        Assert.Contains("410", (string?)failure["reason"], StringComparison.Ordinal);
        Assert.Contains("Unregistered", (string?)failure["reason"], StringComparison.Ordinal);
        var refused = apns.Requests.Last(r => r.Path == "/3/device/" + DeviceToken);
        Assert.Equal(Guid.Parse((string)failure["occurrenceId"]!).ToString("D"), refused.Header("apns-id"));
        Assert.NotEqual(request.Header("apns-id"), refused.Header("apns-id"));

        var device = Device(await ExportAsync(app, "ios-ada"), "iphone");
        Assert.NotNull(device);
        Assert.Null(device["iosPushToken"]);
        var again = await SendMessageAsync(app, "ios-ada", id);
        Assert.Equal(("not sent: no push token on the user's devices", 0), ((string?)again["result"], (int)again["messagesSent"]!));
    }

    [Fact]
    public async Task SendMessage_WebPush_VapidVerifiedAndDecryptsToTheServiceWorkersJson_AGoneSubscriptionIsForgotten()
    {
        var push = Keep(await FakePushService.StartAsync());
        var (publicKey, privateKey) = TestKeys.Vapid();
        push.ExpectedVapidKey = publicKey;
        var app = await NewAppAsync("Web push");
        await PutCredentialsAsync(app, "webpush", new JsonObject { ["subject"] = "mailto:ops@example.test", ["publicKey"] = publicKey, ["privateKey"] = privateKey });
        var id = await ActiveMessageAsync(app, "Sale", "push", new JsonObject
        {
            ["Message"] = "Hi {{userAttribute['name']}}",
            ["Title"] = "Greengage",
            ["Image URL"] = "https://img.test/a.png",
            ["Open action"] = OpenUrl("https://example.com/sale"),
        });
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "web-ada", ["deviceId"] = "browser", ["userAttributes"] = new JsonObject { ["name"] = "Ada" } }, "production");
        // As the JS SDK sends it: the subscription's JSON as text.
        await Api(app, new JsonObject { ["action"] = "setDeviceAttributes", ["userId"] = "web-ada", ["deviceId"] = "browser", ["webPushSubscription"] = push.Subscription() }, "production");

        var sent = await SendMessageAsync(app, "web-ada", id);
        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        await WaitForEventAsync(app, "web-ada", $".m{id}");

        // Only a request whose VAPID token verified (signature with k = the app's key, aud, exp, sub) and whose body
        // decrypted with the subscription's private key and auth secret lands in Payloads.
        var request = Assert.Single(push.Requests, r => r.Path.StartsWith("/push/", StringComparison.Ordinal));
        Assert.Equal(("POST", "/push/sub1"), (request.Method, request.Path));
        Assert.Single(push.Payloads);
        Assert.StartsWith("vapid t=", request.Header("authorization"), StringComparison.Ordinal);
        Assert.EndsWith(", k=" + publicKey, request.Header("authorization"), StringComparison.Ordinal);
        Assert.Equal("aes128gcm", request.Header("content-encoding"));
        Assert.Equal("application/octet-stream", request.Header("content-type"));
        Assert.Equal("604800", request.Header("ttl"));
        Assert.Equal("high", request.Header("urgency"));
        AssertJson(new JsonObject
        {
            ["title"] = "Greengage",
            ["tag"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["body"] = "Hi Ada",
            ["image"] = "https://img.test/a.png",
            ["data"] = new JsonObject { ["openAction"] = OpenUrl("https://example.com/sale") },
        }, push.Payloads.Single());
        Assert.Equal(1, (int)(await EventsAsync(app, "web-ada"))![$".m{id}"]!["count"]!);

        // The push service says the subscription is gone: bounced, forgotten, listed; nothing more to send to.
        push.Script.Enqueue(http =>
        {
            http.Response.StatusCode = 410;
            return Task.CompletedTask;
        });
        await SendMessageAsync(app, "web-ada", id);
        await WaitForEventAsync(app, "web-ada", $".m{id} Bounce");
        Assert.Equal(1, (int)(await EventsAsync(app, "web-ada"))![$".m{id}"]!["count"]!);
        var failure = Assert.Single(await FailedAsync(app));
        Assert.Equal((id, "web-ada", "browser", "webpush"), ((long)failure!["messageId"]!, (string?)failure["userId"], (string?)failure["deviceId"], (string?)failure["provider"]));
        Assert.Contains("410", (string?)failure["reason"], StringComparison.Ordinal);
        var device = Device(await ExportAsync(app, "web-ada"), "browser");
        Assert.NotNull(device);
        Assert.Null(device["webPushSubscription"]);
        var again = await SendMessageAsync(app, "web-ada", id);
        Assert.Equal(("not sent: no push token on the user's devices", 0), ((string?)again["result"], (int)again["messagesSent"]!));
    }

    [Fact]
    public async Task SendMessage_Email_ReachesTheSmtpRelayPersonalisedWithTheUnsubscribeHeaders_AndIsRecorded()
    {
        var smtp = Keep(FakeSmtp.Start());
        var app = await NewAppAsync("Email");
        await PutCredentialsAsync(app, "smtp", new JsonObject
        {
            ["host"] = "127.0.0.1", ["port"] = smtp.Port, ["security"] = "none", ["username"] = smtp.User, ["password"] = smtp.Password,
            ["fromAddress"] = "news@example.test", ["fromName"] = "Example News",
        });
        var id = await ActiveMessageAsync(app, "Coupon", "email", new JsonObject
        {
            ["Subject"] = "Hi {{userAttribute['name']}}",
            ["HTML body"] = "<p>Your coupon: <b>{{Value \"coupon\"}}</b></p>",
            ["Text body"] = "Your coupon: {{Value \"coupon\"}}",
            ["Reply-to address"] = "help@example.test",
        });
        await Api(app, new JsonObject
        {
            ["action"] = "start", ["userId"] = "mail-ada", ["deviceId"] = "laptop",
            ["userAttributes"] = new JsonObject { ["name"] = "Ada", ["email"] = "ada@example.test" },
        }, "production");

        var sent = await SendMessageAsync(app, "mail-ada", id, new JsonObject { ["coupon"] = "SPRING-10" });
        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        await WaitForEventAsync(app, "mail-ada", $".m{id}");

        var (from, to, message) = Assert.Single(smtp.Messages);
        Assert.Equal("mailer", Assert.Single(smtp.Logins));
        Assert.Equal("news@example.test", from);
        Assert.Equal(["ada@example.test"], to);
        Assert.Equal("\"Example News\" <news@example.test>", message.From.ToString());
        Assert.Equal("ada@example.test", message.To.Mailboxes.Single().Address);
        Assert.Equal("help@example.test", message.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal("Hi Ada", message.Subject);
        Assert.Equal("<p>Your coupon: <b>SPRING-10</b></p>", message.HtmlBody?.Trim());
        Assert.Equal("Your coupon: SPRING-10", message.TextBody?.Trim());
        Assert.Matches("^[0-9a-f]{32}@example\\.test$", message.MessageId);
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), message.Headers["X-Greengage-Message"]);
        var link = _factory.Services.GetRequiredService<UnsubscribeLinks>().For(app.AppId, "mail-ada", id)!;
        Assert.StartsWith(PublicBaseUrl + "/unsubscribe?", link, StringComparison.Ordinal);
        Assert.Equal($"<{link}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        // The link is one the server serves (a GET shows the page and changes nothing).
        var page = await _factory.CreateClient().GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        var events = await EventsAsync(app, "mail-ada");
        Assert.Equal(1, (int)events![$".m{id}"]!["count"]!);
        Assert.Null(events[$".m{id} Failed"]);
        Assert.Empty(await FailedAsync(app));
    }

    [Fact]
    public async Task SendMessage_Webhook_503ThenOk_IsRetriedWithBackoffAndRecordedOnce()
    {
        var receiver = Keep(await FakeHttpServer.StartAsync());
        var hooks = new ConcurrentQueue<(ReceivedRequest Request, DateTimeOffset At)>();
        receiver.Handle = (request, http) =>
        {
            // A stray health poller of another test's stopped server may land here: only /hooks/ calls count.
            if (!request.Path.StartsWith("/hooks/", StringComparison.Ordinal))
            {
                http.Response.StatusCode = 404;
                return Task.CompletedTask;
            }
            hooks.Enqueue((request, DateTimeOffset.UtcNow));
            http.Response.StatusCode = hooks.Count == 1 ? 503 : 200;
            return Task.CompletedTask;
        };
        var app = await NewAppAsync("Webhook");
        await PutCredentialsAsync(app, "webhook", new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "Bearer hook-secret" } });
        var id = await ActiveMessageAsync(app, "Notify CRM", "webhook", new JsonObject
        {
            ["URL"] = receiver.BaseUrl + "hooks/{{userId}}?name={{userAttribute['name']}}&coupon={{Value \"coupon\"}}",
            ["Method"] = "PUT",
            ["Headers"] = new JsonObject { ["X-User"] = "{{userId}}", ["X-Source"] = "greengage" },
            ["Body"] = """{"user":"{{userId}}","greeting":"Hi {{userAttribute['name']}}","coupon":"{{Value "coupon"}}"}""",
        });
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "hook-ada", ["deviceId"] = "d", ["userAttributes"] = new JsonObject { ["name"] = "Ada Lovelace" } }, "production");

        var sent = await SendMessageAsync(app, "hook-ada", id, new JsonObject { ["coupon"] = "SPRING-10" });
        Assert.Equal(("sent", 1), ((string?)sent["result"], (int)sent["messagesSent"]!));
        await WaitForEventAsync(app, "hook-ada", $".m{id}");
        // Give a wrongly repeated send time to show up: still two calls and one event.
        await Task.Delay(500);

        var calls = hooks.ToArray();
        Assert.Equal(2, calls.Length);
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromMilliseconds(40), $"the retry came {(calls[1].At - calls[0].At).TotalMilliseconds} ms after the 503");
        foreach (var (request, _) in calls)
        {
            Assert.Equal("PUT", request.Method);
            Assert.Equal("/hooks/hook-ada?name=Ada%20Lovelace&coupon=SPRING-10", request.RawTarget);
            Assert.Equal("hook-ada", request.Header("x-user"));
            Assert.Equal("greengage", request.Header("x-source"));
            Assert.Equal("Bearer hook-secret", request.Header("authorization"));
            Assert.Equal("application/json", request.Header("content-type"));
            AssertJson(new JsonObject { ["user"] = "hook-ada", ["greeting"] = "Hi Ada Lovelace", ["coupon"] = "SPRING-10" }, JsonNode.Parse(Encoding.UTF8.GetString(request.Body)));
        }
        Assert.Equal(calls[0].Request.Body, calls[1].Request.Body);

        var events = await EventsAsync(app, "hook-ada");
        Assert.Equal(1, (int)events![$".m{id}"]!["count"]!);
        Assert.Null(events[$".m{id} Failed"]);
        Assert.Empty(await FailedAsync(app));
    }

    [Fact]
    public async Task SendMessage_WebhookToLoopbackWithTheDefaultGuard_FailsPermanentlyWithoutReachingIt()
    {
        _factory.Settings["Greengage:Delivery:Webhook:AllowPrivateNetworks"] = "false";
        var receiver = Keep(await FakeHttpServer.StartAsync());
        var app = await NewAppAsync("Guarded webhook");
        var id = await ActiveMessageAsync(app, "Internal", "webhook", new JsonObject { ["URL"] = receiver.BaseUrl + "hooks/{{userId}}" });
        await Api(app, new JsonObject { ["action"] = "start", ["userId"] = "hook-eve", ["deviceId"] = "d" }, "production");

        var sent = await SendMessageAsync(app, "hook-eve", id);
        Assert.Equal("sent", (string?)sent["result"]);
        await WaitForEventAsync(app, "hook-eve", $".m{id} Failed");

        var failure = Assert.Single(await FailedAsync(app))!;
        Assert.Contains("The webhook destination 127.0.0.1 is a private address; set Greengage:Delivery:Webhook:AllowPrivateNetworks=true",
            (string?)failure["reason"], StringComparison.Ordinal);
        Assert.Equal(1, (int)failure["attempts"]!);
        // A stray health poller of another test's stopped server may land on the port: only /hooks/ calls count.
        Assert.DoesNotContain(receiver.Requests, r => r.Path.StartsWith("/hooks/", StringComparison.Ordinal));
    }
}
