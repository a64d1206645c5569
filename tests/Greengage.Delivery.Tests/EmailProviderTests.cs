using System.Text.Json.Nodes;
using Greengage.Delivery.Email;
using Greengage.Delivery.Tests.Fakes;
using Greengage.Delivery.Tests.Infrastructure;
using SmtpServer.Protocol;

namespace Greengage.Delivery.Tests;

/// <summary>Email over SMTP (MailKit) into a fake SMTP server on loopback.</summary>
public sealed class EmailProviderTests : IAsyncLifetime
{
    private static readonly byte[] UnsubscribeKey = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();

    private readonly Kit _kit = new();
    private readonly UnsubscribeLinks _links = new(new Uri("https://engage.example.test/"), UnsubscribeKey);
    private FakeSmtp _smtp = null!;
    private EmailProvider _provider = null!;

    public async Task InitializeAsync()
    {
        _smtp = FakeSmtp.Start();
        await SetCredentialsAsync(_smtp.Password);
        _provider = new EmailProvider(new SmtpOptions(), _kit.Credentials, _links, _kit.Time, _kit.Logs.For<EmailProvider>());
    }

    private Task SetCredentialsAsync(string password) => _kit.SetAsync(DeliveryKinds.Smtp, new JsonObject
    {
        ["host"] = "127.0.0.1", ["port"] = _smtp.Port, ["security"] = "none", ["username"] = _smtp.User, ["password"] = password,
        ["fromAddress"] = "news@example.test", ["fromName"] = "Example News",
    });

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private EmailProvider Provider(SmtpOptions options) => new(options, _kit.Credentials, _links, _kit.Time, _kit.Logs.For<EmailProvider>());

    private static JsonObject Values() => new()
    {
        ["Subject"] = "Hi {{userAttribute['name']}}",
        ["HTML"] = "<p>Your coupon: <b>{{Value \"coupon\"}}</b></p>",
        ["Text"] = "Your coupon: {{Value \"coupon\"}}",
    };

    private Task<DeliveryResult> SendAsync(string to = "ada@example.test", JsonObject? values = null, EmailProvider? provider = null, string occurrenceId = "occ-mail-1") =>
        (provider ?? _provider).SendAsync(Kit.Request(new EmailAddress(to, "Ada"), values ?? Values(), occurrenceId), CancellationToken.None);

    private async Task SendAllAsync(int count, EmailProvider? provider = null)
    {
        for (var i = 0; i < count; i++)
            Assert.Equal(DeliveryOutcome.Sent, (await SendAsync(provider: provider, occurrenceId: "occ-" + i)).Outcome);
    }

    [Fact]
    public async Task Send_Message_ArrivesWithSenderSubjectBothBodiesAndTheUnsubscribeHeaders()
    {
        var result = await SendAsync();

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Equal("occ-mail-1@example.test", result.ProviderMessageId);
        var (from, to, message) = _smtp.Messages.Single();
        Assert.Equal("mailer", _smtp.Logins.Single());
        Assert.Equal("news@example.test", from);
        Assert.Equal(["ada@example.test"], to);
        Assert.Equal("\"Example News\" <news@example.test>", message.From.ToString());
        Assert.Equal("\"Ada\" <ada@example.test>", message.To.ToString());
        Assert.Equal("Hi Ada", message.Subject);
        Assert.Equal("occ-mail-1@example.test", message.MessageId);
        Assert.Equal("<p>Your coupon: <b>SPRING-10</b></p>", message.HtmlBody?.Trim());
        Assert.Equal("Your coupon: SPRING-10", message.TextBody?.Trim());
        var link = _links.For(Kit.AppId, "user-1", 42)!;
        Assert.Equal($"<{link}>", message.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("42", message.Headers["X-Greengage-Message"]);
    }

    [Fact]
    public async Task Send_RecipientRefused_IsAPermanentBounce()
    {
        var result = await SendAsync("nobody@bounce.test");
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.StartsWith("Bounce:", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_smtp.Messages);
    }

    [Fact]
    public async Task Send_4xxReply_IsTransient()
    {
        _smtp.NextReply = new SmtpResponse((SmtpReplyCode)451, "Try again later");
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Transient, result.Outcome);
        Assert.Equal(451, result.StatusCode);
    }

    [Fact]
    public async Task Send_5xxReply_IsPermanent()
    {
        _smtp.NextReply = new SmtpResponse(SmtpReplyCode.TransactionFailed, "Rejected");
        Assert.Equal(DeliveryOutcome.Permanent, (await SendAsync()).Outcome);
    }

    [Fact]
    public async Task Send_LoginRefused_IsPermanent()
    {
        await SetCredentialsAsync("wrong-password");
        var result = await SendAsync();
        Assert.Equal(DeliveryOutcome.Permanent, result.Outcome);
        Assert.Contains("refused the app's login", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_ServerNotListening_IsTransient()
    {
        await _smtp.DisposeAsync();
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
        _smtp = FakeSmtp.Start();
    }

    [Fact]
    public async Task Send_ManyMessages_ReuseOneConnectionAndOneLogin()
    {
        await SendAllAsync(5);

        Assert.Equal(5, _smtp.Messages.Count);
        Assert.Equal(1, _smtp.Connections);
        Assert.Single(_smtp.Logins);
    }

    [Fact]
    public async Task Send_CredentialsChanged_OpensANewConnectionAndClosesTheOld()
    {
        await SendAllAsync(1);
        await SetCredentialsAsync(_smtp.Password);
        await SendAllAsync(2);

        Assert.Equal(2, _smtp.Connections);
        Assert.Equal(2, _smtp.Logins.Count);
        await _smtp.WaitUntilAsync(s => s.OpenConnections == 1);
    }

    [Fact]
    public async Task Send_ConnectionDroppedByTheServerWhileIdle_IsReplacedAndTheMessageSentOnce()
    {
        await SendAllAsync(1);
        _smtp.DropConnections();
        await _smtp.WaitUntilAsync(s => s.OpenConnections == 0);

        var result = await SendAsync(occurrenceId: "occ-after-drop");

        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Equal(2, _smtp.Connections);
        Assert.Equal(["occ-0@example.test", "occ-after-drop@example.test"], _smtp.Messages.Select(m => m.Message.MessageId));
    }

    [Fact]
    public async Task Send_MessagesPerConnectionLimit_OpensANewConnectionPastIt()
    {
        await using var provider = Provider(new SmtpOptions { MaxMessagesPerConnection = 2 });
        await SendAllAsync(5, provider);

        Assert.Equal(5, _smtp.Messages.Count);
        Assert.Equal(3, _smtp.Connections);
        await _smtp.WaitUntilAsync(s => s.OpenConnections == 1);
    }

    [Fact]
    public async Task Send_ConcurrentSends_NeverOpenMoreConnectionsThanTheRelayLimit()
    {
        await using var provider = Provider(new SmtpOptions { MaxConnectionsPerRelay = 2, MaxConcurrency = 8 });
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _smtp.Hold = release.Task;

        var sends = Enumerable.Range(0, 6).Select(i => SendAsync(provider: provider, occurrenceId: "occ-" + i)).ToList();
        await _smtp.WaitUntilAsync(s => s.Held == 2);
        Assert.Equal((2, 2), (_smtp.OpenConnections, _smtp.Connections));
        release.SetResult();
        var results = await Task.WhenAll(sends);

        Assert.All(results, r => Assert.Equal(DeliveryOutcome.Sent, r.Outcome));
        Assert.Equal(6, _smtp.Messages.Count);
        Assert.Equal(2, _smtp.MaxOpenConnections);
        Assert.Equal(2, _smtp.Connections);
    }

    [Fact]
    public async Task Send_ConnectionIdleLongerThanTheIdleTimeout_IsClosedAndTheNextSendOpensAnother()
    {
        var options = new SmtpOptions { ConnectionIdleTimeout = TimeSpan.FromMinutes(1) };
        await using var provider = Provider(options);
        await SendAllAsync(1, provider);

        _kit.Time.Advance(options.ConnectionIdleTimeout + provider.Pool.SweepPeriod);
        await _smtp.WaitUntilAsync(s => s.OpenConnections == 0);
        await SendAllAsync(1, provider);

        Assert.Equal(2, _smtp.Connections);
    }

    [Fact]
    public async Task Send_AfterAnSmtpError_TheNextSendUsesANewConnection()
    {
        _smtp.NextReply = new SmtpResponse((SmtpReplyCode)451, "Try again later");
        Assert.Equal(DeliveryOutcome.Transient, (await SendAsync()).Outcome);
        await SendAllAsync(1);

        Assert.Equal(2, _smtp.Connections);
        Assert.Single(_smtp.Messages);
    }

    [Fact]
    public async Task DisposeAsync_ClosesTheKeptConnections()
    {
        await SendAllAsync(2);
        Assert.Equal(1, _smtp.OpenConnections);

        await _provider.DisposeAsync();

        await _smtp.WaitUntilAsync(s => s.OpenConnections == 0);
    }

    [Fact]
    public async Task Send_AddressNotAnEmail_IsADeadToken()
    {
        Assert.Equal(DeliveryOutcome.DeadToken, (await SendAsync("not-an-address")).Outcome);
    }

    [Fact]
    public async Task Send_NoPublicBaseUrl_SendsWithoutListUnsubscribe()
    {
        await using var provider = new EmailProvider(new SmtpOptions(), _kit.Credentials, new UnsubscribeLinks(null, UnsubscribeKey), _kit.Time, _kit.Logs.For<EmailProvider>());
        var result = await provider.SendAsync(Kit.Request(new EmailAddress("ada@example.test"), Values()), CancellationToken.None);
        Assert.Equal(DeliveryOutcome.Sent, result.Outcome);
        Assert.Null(_smtp.Messages.Single().Message.Headers["List-Unsubscribe"]);
    }

    [Fact]
    public void UnsubscribeLinks_For_VerifiesItsOwnSignatureAndNoOther()
    {
        var link = new Uri(_links.For("app_1", "user 1", 7)!);
        Assert.Equal("https://engage.example.test/unsubscribe", link.GetLeftPart(UriPartial.Path));
        var query = System.Web.HttpUtility.ParseQueryString(link.Query);
        Assert.Equal("user 1", query["user"]);
        Assert.True(_links.Verify("app_1", "user 1", 7, query["sig"]));
        Assert.False(_links.Verify("app_1", "user 2", 7, query["sig"]));
        Assert.False(_links.Verify("app_1", "user 1", 8, query["sig"]));
        Assert.False(new UnsubscribeLinks(null, new byte[32]).Verify("app_1", "user 1", 7, query["sig"]));
    }

    [Fact]
    public void UnsubscribeLinks_LoadOrCreateKey_KeepsTheKeyAcrossCalls()
    {
        var path = Path.Combine(Path.GetTempPath(), "greengage-unsub-" + Guid.NewGuid().ToString("N"), "unsubscribe.key");
        try
        {
            var first = UnsubscribeLinks.LoadOrCreateKey(path);
            Assert.Equal(32, first.Length);
            Assert.Equal(first, UnsubscribeLinks.LoadOrCreateKey(path));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
