namespace Greengage.Cluster.Grains;

/// <summary>
/// Which users have an activation in this silo, and short local leases on the others for the server's own work
/// (<see cref="ServerWorkGateway"/>). An activation and a lease exclude each other: a lease is granted only while the
/// user has no activation here, and an activation that starts during a lease waits for it to end before it loads the
/// user (so it loads what the lease's work committed). Embedded mode has one silo, so a user without an activation
/// here has none anywhere; the commit fences still guard the rest.
/// </summary>
public sealed class UserResidency
{
    private sealed class Slot
    {
        public int Activations;
        public TaskCompletionSource? Lease;

        /// <summary>Activations waiting for the lease to end: the slot stays when it ends, so no new lease cuts in.</summary>
        public int Waiting;
    }

    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Users with an activation or a lease (for tests and diagnostics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _slots.Count;
        }
    }

    /// <summary>An activation of <paramref name="grainKey"/> begins: waits for a lease on it to end first.</summary>
    public async ValueTask EnterAsync(string grainKey, CancellationToken cancellationToken)
    {
        Task leased;
        lock (_lock)
        {
            if (!_slots.TryGetValue(grainKey, out var slot))
            {
                _slots.Add(grainKey, new Slot { Activations = 1 });
                return;
            }
            if (slot.Lease is null)
            {
                slot.Activations++;
                return;
            }
            leased = slot.Lease.Task;
            slot.Waiting++;
        }
        try
        {
            await leased.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // The lease's end kept the slot for the waiters (Release): this one is let in now, or gives up its place.
            lock (_lock)
            {
                var slot = _slots[grainKey];
                slot.Waiting--;
                if (leased.IsCompleted && !cancellationToken.IsCancellationRequested)
                    slot.Activations++;
                else if (slot.Lease is null && slot.Activations == 0 && slot.Waiting == 0)
                    _slots.Remove(grainKey);
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>An activation that <see cref="EnterAsync"/> let in has ended.</summary>
    public void Leave(string grainKey)
    {
        lock (_lock)
        {
            if (_slots.TryGetValue(grainKey, out var slot) && slot.Lease is null && --slot.Activations <= 0 && slot.Waiting == 0)
                _slots.Remove(grainKey);
        }
    }

    /// <summary>Takes the lease on a user with no activation here and no other lease; false otherwise.</summary>
    public bool TryLease(string grainKey)
    {
        lock (_lock)
            return _slots.TryAdd(grainKey, Leased());
    }

    private static Slot Leased() => new() { Lease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };

    /// <summary>
    /// Takes the lease like <see cref="TryLease"/>, but when another lease holds the user (the server's work on them in
    /// place: the outcomes of a send to two devices come back together) waits for it to end and tries again. False once
    /// the user has an activation here, or one waits for the lease.
    /// </summary>
    public async ValueTask<bool> LeaseAsync(string grainKey, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task held;
            lock (_lock)
            {
                if (_slots.TryAdd(grainKey, Leased()))
                    return true;
                var slot = _slots[grainKey];
                if (slot.Lease is null || slot.Waiting > 0)
                    return false;
                held = slot.Lease.Task;
            }
            await held.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends a lease that <see cref="TryLease"/> granted; activations waiting for it go on.</summary>
    public void Release(string grainKey)
    {
        TaskCompletionSource? lease = null;
        lock (_lock)
        {
            if (_slots.TryGetValue(grainKey, out var slot) && slot.Lease is not null)
            {
                lease = slot.Lease;
                slot.Lease = null;
                // With activations waiting the slot stays (no lease can be taken before they are in); else it goes.
                if (slot.Waiting == 0)
                    _slots.Remove(grainKey);
            }
        }
        lease?.TrySetResult();
    }
}
