using System.Collections.Concurrent;

namespace Greengage.Engine.Apps;

/// <summary>
/// One instance of each event and state name. A user in memory keeps the names it saw (its lifetime aggregates' keys,
/// its current state) for as long as it stays loaded; the shared instance instead of the request's own copy keeps one
/// string per name rather than one per user, and keeps a long-lived user state from pointing at a request's young
/// string, which the garbage collector would otherwise find through its card table and copy at each young collection.
/// Only names an app admits are shared (per app within limits, so the set stays small): a message's own event names
/// (<c>.m&lt;message id&gt; ...</c>, the only names starting with '.', built from an id the client sends) are returned as given,
/// as is every name once the pool holds its capacity.
/// </summary>
public sealed class SharedNames(int capacity)
{
    /// <summary>The process's names, used by the records that carry them (<c>EventTracked</c>, <c>StateEntered</c>).</summary>
    public static SharedNames Process { get; } = new(65_536);

    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The shared instance of <paramref name="name"/> (<paramref name="name"/> itself the first time).</summary>
    public string Get(string name)
    {
        if (name.StartsWith('.'))
            return name;
        if (_names.TryGetValue(name, out var shared))
            return shared;
        if (Volatile.Read(ref _count) >= capacity)
            return name;
        shared = _names.GetOrAdd(name, name);
        if (ReferenceEquals(shared, name))
            Interlocked.Increment(ref _count);
        return shared;
    }
}
