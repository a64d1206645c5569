using Greengage.Delivery.Credentials;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Greengage.Delivery.Email;

/// <summary>What a pooled connection is for: one app's relay and login as of one revision of its credentials. A change
/// of the credentials makes a new key, so connections made with the old ones are not used again.</summary>
internal sealed record SmtpRelayKey(string AppId, string Host, int Port, string Security, string? Username, string Revision);

/// <summary>A connected MailKit client, authenticated when the relay wants a login, with what the pool tracks about it.</summary>
internal sealed class SmtpConnection : IDisposable
{
    private SmtpConnection(SmtpClient client) => Client = client;

    public SmtpClient Client { get; }

    /// <summary>Messages sent over it so far.</summary>
    public int Messages { get; set; }

    /// <summary>When it was last put back in the pool.</summary>
    public DateTimeOffset IdleSince { get; set; }

    /// <summary>Connects to the app's relay and logs in; throws what MailKit throws (the provider classifies it).</summary>
    public static async Task<SmtpConnection> OpenAsync(SmtpCredentials smtp, CancellationToken cancellationToken)
    {
        var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Security(smtp.Security), cancellationToken);
            if (smtp.Username is { } username)
                await client.AuthenticateAsync(username, smtp.Password ?? "", cancellationToken);
            return new SmtpConnection(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Says goodbye (QUIT) within <paramref name="wait"/>, then closes. Never throws: closing is best effort.</summary>
    public async Task QuitAsync(TimeSpan wait, TimeProvider time)
    {
        try
        {
            using var timeout = new CancellationTokenSource(wait, time);
            if (Client.IsConnected)
                await Client.DisconnectAsync(true, timeout.Token);
        }
        catch (Exception)
        {
            // A relay that does not answer QUIT (or answers it badly) is closed all the same.
        }
        finally
        {
            Client.Dispose();
        }
    }

    /// <summary>Closes at once, without QUIT (after an error the connection's state is unknown).</summary>
    public void Dispose() => Client.Dispose();

    private static SecureSocketOptions Security(string security) => security switch
    {
        "none" => SecureSocketOptions.None,
        "startTls" => SecureSocketOptions.StartTls,
        "sslOnConnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}

/// <summary>One send's use of a pooled connection: back in the pool for the next send when the send
/// <see cref="Succeeded"/>, closed otherwise. Dispose it once the send is done.</summary>
internal sealed class SmtpLease : IDisposable
{
    private readonly SmtpConnectionPool _pool;
    private readonly SmtpRelay _relay;
    private readonly SmtpConnection _connection;
    private bool _succeeded;
    private int _released;

    internal SmtpLease(SmtpConnectionPool pool, SmtpRelay relay, SmtpConnection connection, bool reused)
    {
        _pool = pool;
        _relay = relay;
        _connection = connection;
        Reused = reused;
    }

    public SmtpClient Client => _connection.Client;

    /// <summary>True when the connection served an earlier send (the relay may have closed it since).</summary>
    public bool Reused { get; }

    /// <summary>The message went through: the connection can serve the next send.</summary>
    public void Succeeded()
    {
        _connection.Messages++;
        _succeeded = true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _pool.Return(_relay, _connection, _succeeded);
    }
}
