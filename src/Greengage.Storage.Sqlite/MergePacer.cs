using System.Diagnostics;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Spreads a merge cycle of the log's per-user index over time, so that commits keep flowing while it runs. Unpaced, a
/// cycle ran one step after every commit until the tail was merged: on a store grown to millions of rows (a step reads
/// and writes hundreds of index pages) that took the writer for a second or more, commits fell to a tenth of their rate
/// and every request of that second waited. Here merging earns time as the clock runs, <c>share</c> of it, and a step
/// runs only with time in hand; so a cycle takes at most about <c>share</c> of the writer's time, and is over before
/// the tail grows much (a step merges hundreds of thousands of rows a second; commits add a few thousand). Past twice
/// the lag the tail merges every time regardless (<see cref="MayStep"/>), so memory stays bounded whatever happens.
/// </summary>
internal sealed class MergePacer(double share, Func<long>? clock = null)
{
    /// <summary>Most time merging may save up while it has nothing to do (one long step, not a burst of them).</summary>
    public static readonly long MaxCreditTicks = Stopwatch.Frequency / 20;

    private readonly Func<long> _clock = clock ?? Stopwatch.GetTimestamp;
    private long _creditTicks;
    private long _lastTicks = (clock ?? Stopwatch.GetTimestamp)();

    /// <summary>
    /// Whether a merge step may run now: with time in hand, or always when <paramref name="overdue"/> (the tail past
    /// twice its lag) or unpaced (a share of 1).
    /// </summary>
    public bool MayStep(bool overdue)
    {
        var now = _clock();
        _creditTicks = Math.Min(MaxCreditTicks, _creditTicks + (long)((now - _lastTicks) * share));
        _lastTicks = now;
        return overdue || share >= 1 || _creditTicks > 0;
    }

    /// <summary>A step took <paramref name="ticks"/> (<see cref="Stopwatch"/> ticks) of the writer's time.</summary>
    public void Spent(long ticks) => _creditTicks -= ticks;
}
