using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Greengage.Delivery.Tests.Fakes;

/// <summary>
/// An SMTP server on 127.0.0.1 (SmtpServer package) that requires a login (<see cref="User"/>/<see cref="Password"/>),
/// refuses recipients at <c>bounce.test</c> (550), answers <see cref="NextReply"/> once when set, and keeps each
/// message with its envelope.
/// </summary>
public sealed class FakeSmtp : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;

    private FakeSmtp(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("fake-smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).AllowUnsecureAuthentication(true).AuthenticationRequired(true))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter());
        services.Add(new Authenticator(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }
    public string User { get; } = "mailer";
    public string Password { get; } = "smtp-secret-" + Guid.NewGuid().ToString("N");
    public ConcurrentQueue<(string From, string[] To, MimeMessage Message)> Messages { get; } = new();
    public ConcurrentQueue<string> Logins { get; } = new();
    public SmtpResponse? NextReply { get; set; }

    public static FakeSmtp Start()
    {
        // SmtpServer binds the port it is given: take a free ephemeral one first.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new FakeSmtp(port);
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(FakeSmtp smtp) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (smtp.NextReply is { } reply)
            {
                smtp.NextReply = null;
                return reply;
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            smtp.Messages.Enqueue((transaction.From.AsAddress(), transaction.To.Select(t => t.AsAddress()).ToArray(), message));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!string.Equals(to.Host, "bounce.test", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Authenticator(FakeSmtp smtp) : IUserAuthenticator
    {
        public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
        {
            smtp.Logins.Enqueue(user);
            return Task.FromResult(user == smtp.User && password == smtp.Password);
        }
    }
}
