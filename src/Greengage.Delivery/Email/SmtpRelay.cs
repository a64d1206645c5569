namespace Greengage.Delivery.Email;

/// <summary>
/// The connections of one <see cref="SmtpRelayKey"/>: the idle ones (the most recently used first, so a quieter
/// relay's spare connections age out), a slot per connection allowed at once, and the sends using it. Retired when
/// the app's credentials change, when the pool closes, or when unused for the idle time: a retired relay takes no new
/// sends and keeps no connection.
/// </summary>
internal sealed class SmtpRelay(int connections)
{
    private readonly Lock _lock = new();
    private readonly Stack<SmtpConnection> _idle = new();
    private int _users;
    private bool _retired;
    private DateTimeOffset _lastUsed = DateTimeOffset.MaxValue;

    /// <summary>One per connection allowed at once: held from acquiring a connection to returning it.</summary>
    public SemaphoreSlim Slots { get; } = new(connections, connections);

    /// <summary>Counts a send that is going to use the relay; false when it is retired (ask the pool again).</summary>
    public bool Enter()
    {
        lock (_lock)
        {
            if (_retired)
                return false;
            _users++;
            return true;
        }
    }

    public void Leave(DateTimeOffset now)
    {
        lock (_lock)
        {
            _users--;
            _lastUsed = now;
        }
    }

    public SmtpConnection? TakeIdle()
    {
        lock (_lock)
            return _idle.TryPop(out var connection) ? connection : null;
    }

    /// <summary>Keeps the connection for the next send; false when the relay is retired (close it instead).</summary>
    public bool PutIdle(SmtpConnection connection, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_retired)
                return false;
            connection.IdleSince = now;
            _idle.Push(connection);
            return true;
        }
    }

    /// <summary>Takes out the idle connections unused since before <paramref name="cutoff"/>.</summary>
    public List<SmtpConnection> TakeIdleBefore(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var expired = _idle.Where(c => c.IdleSince <= cutoff).ToList();
            if (expired.Count > 0)
            {
                var kept = _idle.Where(c => c.IdleSince > cutoff).Reverse().ToList();
                _idle.Clear();
                foreach (var connection in kept)
                    _idle.Push(connection);
            }
            return expired;
        }
    }

    /// <summary>Retires the relay and takes out its idle connections; connections in use are closed when returned.</summary>
    public List<SmtpConnection> Retire()
    {
        lock (_lock)
        {
            _retired = true;
            var idle = _idle.ToList();
            _idle.Clear();
            return idle;
        }
    }

    /// <summary>Retires the relay when no send used it since <paramref name="cutoff"/> and it keeps no connection.</summary>
    public bool RetireIfUnusedSince(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            if (_users > 0 || _idle.Count > 0 || _lastUsed > cutoff)
                return false;
            _retired = true;
            return true;
        }
    }
}
