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
/// message with its envelope. Clients reach it through a TCP relay in front of it that counts connections (made, open,
/// most open at once) and can drop them all, as a relay that closes idle clients does; <see cref="Hold"/> keeps
/// messages in flight until released.
/// </summary>
public sealed class FakeSmtp : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private readonly int _serverPort;
    private readonly TcpListener _listener;
    private readonly Task _accepting;
    private readonly ConcurrentDictionary<int, Socket> _open = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;
    private int _maxOpen;
    private int _held;

    private FakeSmtp(int serverPort)
    {
        _serverPort = serverPort;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("fake-smtp.test")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, serverPort)).AllowUnsecureAuthentication(true).AuthenticationRequired(true))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter());
        services.Add(new Authenticator(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    /// <summary>The port clients connect to (the counting relay in front of the server).</summary>
    public int Port { get; }
    public string User { get; } = "mailer";
    public string Password { get; } = "smtp-secret-" + Guid.NewGuid().ToString("N");
    public ConcurrentQueue<(string From, string[] To, MimeMessage Message)> Messages { get; } = new();
    public ConcurrentQueue<string> Logins { get; } = new();
    public SmtpResponse? NextReply { get; set; }

    /// <summary>Connections clients made so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Connections open now.</summary>
    public int OpenConnections => _open.Count;

    /// <summary>The most connections that were open at once.</summary>
    public int MaxOpenConnections => Volatile.Read(ref _maxOpen);

    /// <summary>While set, each message waits for this task before it is stored (a send stays in flight).</summary>
    public Task? Hold { get; set; }

    /// <summary>Messages that waited for <see cref="Hold"/> so far.</summary>
    public int Held => Volatile.Read(ref _held);

    public static FakeSmtp Start()
    {
        // SmtpServer binds the port it is given: take a free ephemeral one first.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new FakeSmtp(port);
    }

    /// <summary>Closes every open connection from the server's side (the client finds out on its next command).</summary>
    public void DropConnections()
    {
        foreach (var socket in _open.Values)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Waits (at most 10 s) until <paramref name="condition"/> holds, looking again on each change of the
    /// connections or messages.</summary>
    public async Task WaitUntilAsync(Func<FakeSmtp, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (condition(this))
                return;
            await changed.WaitAsync(timeout.Token);
        }
    }

    private void Changed() => Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                _ = RelayAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    // Pipes one client connection to the server until either side closes it.
    private async Task RelayAsync(Socket client)
    {
        var id = Interlocked.Increment(ref _connections);
        _open[id] = client;
        var open = _open.Count;
        for (var max = Volatile.Read(ref _maxOpen); open > max; max = Volatile.Read(ref _maxOpen))
            Interlocked.CompareExchange(ref _maxOpen, open, max);
        Changed();
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _serverPort, _stop.Token);
            await using var fromClient = new NetworkStream(client, ownsSocket: false);
            await using var toServer = new NetworkStream(server, ownsSocket: false);
            await Task.WhenAny(fromClient.CopyToAsync(toServer, _stop.Token), toServer.CopyToAsync(fromClient, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
            _open.TryRemove(id, out _);
            Changed();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        _listener.Stop();
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_running, _accepting).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        foreach (var socket in _open.Values)
            socket.Dispose();
        _stop.Dispose();
    }

    private sealed class Store(FakeSmtp smtp) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (smtp.Hold is { } hold)
            {
                Interlocked.Increment(ref smtp._held);
                smtp.Changed();
                await hold;
            }
            if (smtp.NextReply is { } reply)
            {
                smtp.NextReply = null;
                return reply;
            }
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            smtp.Messages.Enqueue((transaction.From.AsAddress(), transaction.To.Select(t => t.AsAddress()).ToArray(), message));
            smtp.Changed();
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
