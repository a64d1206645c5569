using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Greengage.Delivery;
using Greengage.Engine.Apps;
using Greengage.Engine.Storage;
using Greengage.Engine.Messages;
using Greengage.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Greengage.Server.Tests.Delivery;

/// <summary>
/// <c>/admin/v1/apps/{appId}/delivery/{kind}</c>: credentials checked on PUT (RFC 7807 problems that name the field),
/// shown without secrets, deleted, kept across a restart, and never written to a log, by the API or by a send.
/// </summary>
public sealed class DeliveryCredentialsApiTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "greengage-delivery-" + Guid.NewGuid().ToString("N"));
    private readonly LogCapture _logs = new();
    private CapturingFactory _factory;
    private readonly StoredApp _app;

    public DeliveryCredentialsApiTests()
    {
        _factory = NewFactory();
        _app = _factory.Services.GetRequiredService<AppService>().CreateAsync("Delivery", CancellationToken.None).GetAwaiter().GetResult();
    }

    private CapturingFactory NewFactory()
    {
        var factory = new CapturingFactory(_logs);
        factory.Settings["Greengage:DataDirectory"] = _data;
        factory.Settings["Greengage:PublicBaseUrl"] = "https://engage.example.test";
        return factory;
    }

    public void Dispose()
    {
        _factory.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task<(HttpStatusCode Status, JsonNode? Body)> Admin(HttpMethod method, string path, object? body = null) =>
        AdminCalls.SendAsync(_factory.CreateClient(), method, $"/admin/v1/apps/{_app.AppId}/delivery{path}", body);

    private static (JsonObject Body, string Secret) ServiceAccount()
    {
        using var rsa = RSA.Create(2048);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        return (new JsonObject
        {
            ["type"] = "service_account", ["project_id"] = "shop-app", ["private_key_id"] = "abc123", ["private_key"] = pem,
            ["client_email"] = "fcm@shop-app.iam.gserviceaccount.com", ["token_uri"] = "https://oauth2.googleapis.com/token",
        }, pem.Split('\n')[3]);
    }

    private static (JsonObject Body, string Secret) Apns()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p8 = key.ExportPkcs8PrivateKeyPem();
        return (new JsonObject { ["teamId"] = "TEAM123456", ["keyId"] = "KEY1234567", ["privateKey"] = p8, ["bundleId"] = "com.shop.app", ["environment"] = "sandbox" }, p8.Split('\n')[2]);
    }

    private static (JsonObject Body, string Secret) WebPush()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(true);
        var d = System.Buffers.Text.Base64Url.EncodeToString(p.D);
        return (new JsonObject { ["subject"] = "mailto:ops@shop.test", ["publicKey"] = System.Buffers.Text.Base64Url.EncodeToString([0x04, .. p.Q.X!, .. p.Q.Y!]), ["privateKey"] = d }, d);
    }

    private static (JsonObject Body, string Secret) Smtp() =>
        (new JsonObject { ["host"] = "smtp.shop.test", ["port"] = 2525, ["security"] = "startTls", ["username"] = "mailer", ["password"] = "smtp-pass-8f3k2", ["fromAddress"] = "news@shop.test", ["fromName"] = "Shop" }, "smtp-pass-8f3k2");

    private static (JsonObject Body, string Secret) Webhook() =>
        (new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "Bearer hook-secret-77" } }, "hook-secret-77");

    [Fact]
    public async Task Put_EachProvider_StoredAndShownWithoutItsSecret()
    {
        var cases = new (string Kind, (JsonObject Body, string Secret) Credentials, string Field, string Shown)[]
        {
            ("fcm", ServiceAccount(), "projectId", "shop-app"),
            ("apns", Apns(), "keyId", "KEY1234567"),
            ("webpush", WebPush(), "subject", "mailto:ops@shop.test"),
            ("smtp", Smtp(), "fromAddress", "news@shop.test"),
            ("webhook", Webhook(), "kind", "webhook"),
        };
        foreach (var (kind, (body, secret), field, shown) in cases)
        {
            var (status, put) = await Admin(HttpMethod.Put, "/" + kind, body);
            Assert.True(status == HttpStatusCode.OK, $"{kind}: {status} {put?.ToJsonString()}");
            Assert.Equal(shown, (string?)put![field]);
            Assert.DoesNotContain(secret, put.ToJsonString(), StringComparison.Ordinal);

            var (getStatus, get) = await Admin(HttpMethod.Get, "/" + kind);
            Assert.Equal(HttpStatusCode.OK, getStatus);
            Assert.Equal(shown, (string?)get![field]);
            Assert.DoesNotContain(secret, get.ToJsonString(), StringComparison.Ordinal);
        }
        var (_, list) = await Admin(HttpMethod.Get, "");
        Assert.Equal(["apns", "fcm", "smtp", "webhook", "webpush"], list!["providers"]!.AsArray().Select(p => (string?)p!["kind"]));
        Assert.DoesNotContain("smtp-pass-8f3k2", list.ToJsonString(), StringComparison.Ordinal);
        var (_, apns) = await Admin(HttpMethod.Get, "/apns");
        Assert.Equal("sandbox", (string?)apns!["environment"]);
        Assert.Equal("TEAM123456", (string?)apns["teamId"]);
        Assert.Equal("[set]", (string?)apns["privateKey"]);
    }

    [Theory]
    [InlineData("fcm", """{"project_id":"p","client_email":"e@x.test","private_key":"garbage"}""", "private_key")]
    [InlineData("apns", """{"teamId":"TEAM123456","keyId":"KEY1234567","privateKey":"nope","bundleId":"b"}""", "PKCS#8")]
    [InlineData("webpush", """{"subject":"mailto:a@b.test","publicKey":"BAAA","privateKey":"x"}""", "publicKey")]
    [InlineData("smtp", """{"host":"h"}""", "'fromAddress' is required")]
    [InlineData("webhook", """{"headers":[1]}""", "'headers'")]
    [InlineData("fcm", "[1,2]", "JSON object")]
    public async Task Put_BadCredentials_400ProblemNamingTheField(string kind, string body, string detail)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/admin/v1/apps/{_app.AppId}/delivery/{kind}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", GreengageFactory.AdminToken);
        using var response = await _factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Invalid credentials", (string?)problem["title"]);
        Assert.Contains(detail, (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Get, "/" + kind)).Status);
    }

    [Fact]
    public async Task Put_BodyNotJson_400Problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/admin/v1/apps/{_app.AppId}/delivery/smtp") { Content = new StringContent("{oops") };
        request.Headers.Authorization = new("Bearer", GreengageFactory.AdminToken);
        using var response = await _factory.CreateClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Delete_Configured_204ThenNotConfigured()
    {
        await Admin(HttpMethod.Put, "/smtp", Smtp().Body);
        Assert.Equal(HttpStatusCode.NoContent, (await Admin(HttpMethod.Delete, "/smtp")).Status);
        var (status, problem) = await Admin(HttpMethod.Get, "/smtp");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Not configured", (string?)problem!["title"]);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Delete, "/smtp")).Status);
    }

    [Fact]
    public async Task AnyVerb_UnknownProviderOrApp_404()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Get, "/carrier-pigeon")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin(HttpMethod.Put, "/carrier-pigeon", new { })).Status);
        var (status, problem) = await AdminCalls.SendAsync(_factory.CreateClient(), HttpMethod.Put, "/admin/v1/apps/app_missing/delivery/smtp", Smtp().Body);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("App not found", (string?)problem!["title"]);
    }

    [Fact]
    public async Task Get_WithoutAdminToken_401()
    {
        using var response = await _factory.CreateClient().GetAsync($"/admin/v1/apps/{_app.AppId}/delivery/fcm");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Put_ThenRestart_CredentialsStillThereAndUsable()
    {
        var (account, _) = ServiceAccount();
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Put, "/fcm", account)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Put, "/smtp", Smtp().Body)).Status);

        _factory.Dispose();
        _factory = NewFactory();

        var (status, fcm) = await Admin(HttpMethod.Get, "/fcm");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("abc123", (string?)fcm!["privateKeyId"]);
        var stored = await _factory.Services.GetRequiredService<Greengage.Delivery.Credentials.DeliveryCredentialStore>()
            .GetAsync<Greengage.Delivery.Credentials.SmtpCredentials>(_app.AppId, "smtp", CancellationToken.None);
        Assert.Equal("smtp-pass-8f3k2", stored!.Value.Credentials.Password);
    }

    [Fact]
    public async Task PutAndSend_LogsCapturedAtEveryLevel_HoldNoSecret()
    {
        var secrets = new List<string>();
        foreach (var (kind, make) in new (string, Func<(JsonObject, string)>)[] { ("fcm", ServiceAccount), ("apns", Apns), ("webpush", WebPush), ("smtp", Smtp), ("webhook", Webhook) })
        {
            var (body, secret) = make();
            secrets.Add(secret);
            Assert.Equal(HttpStatusCode.OK, (await Admin(HttpMethod.Put, "/" + kind, body)).Status);
            await Admin(HttpMethod.Get, "/" + kind);
        }

        // A webhook sent through the server's own providers to a receiver on loopback: the app's secret header is sent,
        // and logged nowhere.
        var received = new ConcurrentQueue<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var receiver = builder.Build();
        receiver.Run(http =>
        {
            received.Enqueue(http.Request.Headers.Authorization.ToString());
            http.Response.StatusCode = received.Count == 1 ? 200 : 500;
            return Task.CompletedTask;
        });
        await receiver.StartAsync();
        var providers = _factory.Services.GetRequiredService<DeliveryProviders>();
        var request = new DeliveryRequest(_app.AppId, 7, "occ-1", WebhookAddress.Instance, new JsonObject { ["URL"] = receiver.Urls.First() + "/hook" },
            new PersonalizationContext("user-1", null, null, null));
        Assert.Equal(DeliveryOutcome.Sent, (await providers.SendAsync(request, CancellationToken.None)).Outcome);
        Assert.Equal(DeliveryOutcome.Transient, (await providers.SendAsync(request, CancellationToken.None)).Outcome);
        // Sends through providers whose endpoints are unreachable fail, and say why, without a secret either.
        var fcm = await providers.SendAsync(request with { Address = new FcmAddress("t") }, CancellationToken.None);
        Assert.NotEqual(DeliveryOutcome.Sent, fcm.Outcome);
        await receiver.StopAsync();

        Assert.Equal("Bearer hook-secret-77", received.First());
        var logs = _logs.All;
        Assert.Contains("Delivery webhook", logs, StringComparison.Ordinal);
        Assert.Contains("Delivery fcm", logs, StringComparison.Ordinal);
        foreach (var secret in secrets)
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
    }

    /// <summary>The server with every log line of every level kept, and FCM pointed at a closed loopback port.</summary>
    private sealed class CapturingFactory(LogCapture logs) : GreengageFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Greengage:Delivery:Fcm:BaseUrl", "http://127.0.0.1:1");
            builder.UseSetting("Greengage:Delivery:Fcm:TokenUrl", "http://127.0.0.1:1/token");
            builder.ConfigureLogging(l => l.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        }
    }

    internal sealed class LogCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public string All => string.Join('\n', _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(_lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
