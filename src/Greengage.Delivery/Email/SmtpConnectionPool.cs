using System.Collections.Concurrent;
using Greengage.Delivery.Credentials;

namespace Greengage.Delivery.Email;

/// <summary>
/// Connected, authenticated SMTP clients kept for the next send, per <see cref="SmtpRelayKey"/> (app, relay, login,
/// credentials revision). At most <see cref="SmtpOptions.MaxConnectionsPerRelay"/> connections per key exist at once
/// (further sends wait for one); a connection is closed after an error, after
/// <see cref="SmtpOptions.MaxMessagesPerConnection"/> messages, and after <see cref="SmtpOptions.ConnectionIdleTimeout"/>
/// unused. The first send with an app's new credentials retires the connections made with the old ones. A connection
/// closed in good order says QUIT in the background; <see cref="DisposeAsync"/> waits for those.
/// </summary>
internal sealed class SmtpConnectionPool : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan QuitWait = TimeSpan.FromSeconds(5);

    private readonly SmtpOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<SmtpRelayKey, SmtpRelay> _relays = new();
    private readonly ConcurrentDictionary<Task, byte> _closing = new();
    private readonly ITimer _sweep;
    private int _disposed;

    public SmtpConnectionPool(SmtpOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        SweepPeriod = TimeSpan.FromTicks(Math.Clamp(options.ConnectionIdleTimeout.Ticks / 2, TimeSpan.TicksPerSecond, 30 * TimeSpan.TicksPerSecond));
        _sweep = time.CreateTimer(_ => Sweep(), null, SweepPeriod, SweepPeriod);
    }

    /// <summary>How often idle connections are looked at: one is closed at most this long after its idle time ran out.</summary>
    internal TimeSpan SweepPeriod { get; }

    /// <summary>A connection for one send: an idle one of the key when there is one still open, else a new one (connected
    /// and logged in), once fewer than the limit are in use. Throws what connecting throws.</summary>
    public async Task<SmtpLease> AcquireAsync(SmtpRelayKey key, SmtpCredentials smtp, CancellationToken cancellationToken)
    {
        var relay = Enter(key);
        try
        {
            await relay.Slots.WaitAsync(cancellationToken);
        }
        catch
        {
            relay.Leave(_time.GetUtcNow());
            throw;
        }
        try
        {
            while (relay.TakeIdle() is { } idle)
            {
                if (idle.Client.IsConnected && idle.IdleSince + _options.ConnectionIdleTimeout > _time.GetUtcNow())
                    return new SmtpLease(this, relay, idle, reused: true);
                Close(idle, politely: idle.Client.IsConnected);
            }
            var connection = await SmtpConnection.OpenAsync(smtp, cancellationToken);
            return new SmtpLease(this, relay, connection, reused: false);
        }
        catch
        {
            relay.Slots.Release();
            relay.Leave(_time.GetUtcNow());
            throw;
        }
    }

    /// <summary>Takes back a leased connection: kept when its send succeeded and it may serve another, else closed.</summary>
    internal void Return(SmtpRelay relay, SmtpConnection connection, bool succeeded)
    {
        var now = _time.GetUtcNow();
        try
        {
            var reusable = succeeded && connection.Messages < _options.MaxMessagesPerConnection && connection.Client.IsConnected;
            if (!reusable || !relay.PutIdle(connection, now))
                Close(connection, politely: succeeded);
        }
        finally
        {
            relay.Slots.Release();
            relay.Leave(now);
        }
    }

    // The key's relay, counted as used; a new key of an app retires the app's other keys (its credentials changed).
    private SmtpRelay Enter(SmtpRelayKey key)
    {
        while (true)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (!_relays.TryGetValue(key, out var relay))
            {
                var created = new SmtpRelay(_options.MaxConnectionsPerRelay);
                relay = _relays.GetOrAdd(key, created);
                if (ReferenceEquals(relay, created))
                    RetireOthers(key);
            }
            if (relay.Enter())
                return relay;
        }
    }

    private void RetireOthers(SmtpRelayKey key)
    {
        foreach (var (other, relay) in _relays)
        {
            if (other.AppId == key.AppId && other != key && _relays.TryRemove(KeyValuePair.Create(other, relay)))
            {
                foreach (var connection in relay.Retire())
                    Close(connection, politely: true);
            }
        }
    }

    private void Sweep()
    {
        var cutoff = _time.GetUtcNow() - _options.ConnectionIdleTimeout;
        foreach (var (key, relay) in _relays)
        {
            foreach (var connection in relay.TakeIdleBefore(cutoff))
                Close(connection, politely: true);
            if (relay.RetireIfUnusedSince(cutoff))
                _relays.TryRemove(KeyValuePair.Create(key, relay));
        }
    }

    private void Close(SmtpConnection connection, bool politely)
    {
        if (!politely)
        {
            connection.Dispose();
            return;
        }
        var quit = connection.QuitAsync(QuitWait, _time);
        _closing.TryAdd(quit, 0);
        _ = quit.ContinueWith(done => _closing.TryRemove(done, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // Retires every relay; their idle connections are closed (politely or not), those in use when they come back.
    private void CloseAll(bool politely)
    {
        _sweep.Dispose();
        foreach (var (key, relay) in _relays)
        {
            _relays.TryRemove(KeyValuePair.Create(key, relay));
            foreach (var connection in relay.Retire())
                Close(connection, politely);
        }
    }

    /// <summary>Closes every idle connection with QUIT and waits for the goodbyes (each at most a few seconds).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        CloseAll(politely: true);
        await Task.WhenAll(_closing.Keys);
    }

    /// <summary>Closes every idle connection at once, without QUIT.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
            CloseAll(politely: false);
    }
}
