using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Greengage.AllocProfile;

/// <summary>
/// What a running server's collections cost and what they scan: listens to the runtime's GC events (no allocation
/// ticks, no stacks) for a while, then prints per generation the count, the pause (suspension to restart), and where
/// each pause's marking went, by root kind (stacks, finalization queue, handles, older generations' cards, ...): the
/// time between one heap's successive mark events and the bytes each kind promoted.
/// </summary>
static class GcProfile
{
    // The runtime's root kinds, in the order of its GCMarkWithType events' Type field.
    static readonly string[] RootKinds = ["stack", "finalize queue", "handles", "older (cards)", "sized ref", "overflow", "dependent handles", "new finalize queue", "steal", "bgc finalization"];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
        {
            Console.Error.WriteLine("usage: alloc-profile gc <pid> [seconds] [trace file]");
            return 2;
        }
        var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var file = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"gc-{pid}.nettrace");
        EventPipeProvider[] providers = [new("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC)];
        await RecordAsync(pid, providers, requestRundown: false, seconds, file);

        var collections = new List<Collection>();
        Collection? current = null;
        double? suspendStart = null;
        var lastMark = new Dictionary<int, double>();
        using (var source = new EventPipeEventSource(file))
        {
            source.Clr.GCSuspendEEStart += e => suspendStart = e.TimeStampRelativeMSec;
            source.Clr.GCStart += e =>
            {
                current = new Collection(e.Count, e.Depth, e.Reason.ToString(), e.Type.ToString(), suspendStart ?? e.TimeStampRelativeMSec, e.TimeStampRelativeMSec);
                collections.Add(current);
                lastMark.Clear();
            };
            source.Clr.GCMarkWithType += e =>
            {
                if (current is null)
                    return;
                var since = lastMark.TryGetValue(e.HeapNum, out var last) ? last : current.Start;
                lastMark[e.HeapNum] = e.TimeStampRelativeMSec;
                var kind = e.Type < RootKinds.Length ? RootKinds[e.Type] : $"kind {e.Type}";
                current.MarkMs[kind] = current.MarkMs.GetValueOrDefault(kind) + (e.TimeStampRelativeMSec - since);
                current.MarkBytes[kind] = current.MarkBytes.GetValueOrDefault(kind) + (long)e.Promoted;
                current.MarkEnd = Math.Max(current.MarkEnd, e.TimeStampRelativeMSec);
            };
            source.Clr.GCStop += e =>
            {
                if (current is not null && current.Number == e.Count)
                    current.End = e.TimeStampRelativeMSec;
            };
            source.Clr.GCHeapStats += e =>
            {
                if (current is null)
                    return;
                current.Promoted = (long)(e.TotalPromotedSize0 + e.TotalPromotedSize1 + e.TotalPromotedSize2);
                current.Gen0Size = (long)e.GenerationSize0;
                current.Gen2Size = (long)e.GenerationSize2;
            };
            source.Clr.GCRestartEEStop += e =>
            {
                if (current is not null && current.Restart == 0)
                    current.Restart = e.TimeStampRelativeMSec;
                suspendStart = null;
            };
            source.Process();
        }

        var done = collections.Where(c => c.Restart > 0).ToList();
        Console.WriteLine(FormattableString.Invariant($"{done.Count} collections in {seconds} s (trace: {file})"));
        foreach (var group in done.GroupBy(c => (c.Generation, c.Type)).OrderBy(g => g.Key))
        {
            var pauses = group.Select(c => c.Restart - c.Suspend).Order().ToList();
            Console.WriteLine(FormattableString.Invariant(
                $"== gen{group.Key.Generation} {group.Key.Type}: {group.Count()} ({group.Count() / (double)seconds:F1}/s), pause median {pauses[pauses.Count / 2]:F1} ms, max {pauses[^1]:F1} ms, total {pauses.Sum() / seconds:F0} ms/s; promoted median {Median(group.Select(c => c.Promoted / 1e6)):F1} MB; gen0 after {Median(group.Select(c => c.Gen0Size / 1e6)):F1} MB, gen2 {Median(group.Select(c => c.Gen2Size / 1e6)):F0} MB"));
            Console.WriteLine(FormattableString.Invariant($"   suspend median {Median(group.Select(c => c.Start - c.Suspend)):F2} ms; reasons: {string.Join(", ", group.GroupBy(c => c.Reason).Select(r => $"{r.Key} {r.Count()}"))}"));
            foreach (var kind in group.SelectMany(c => c.MarkMs.Keys).Distinct())
                Console.WriteLine(FormattableString.Invariant(
                    $"   mark {kind,-20} median {Median(group.Select(c => c.MarkMs.GetValueOrDefault(kind))),6:F2} ms (summed over heaps), promoted {Median(group.Select(c => c.MarkBytes.GetValueOrDefault(kind) / 1e6)),7:F2} MB"));
            Console.WriteLine(FormattableString.Invariant($"   after marking (plan, relocate, compact/sweep) median {Median(group.Select(c => (c.End > 0 ? c.End : c.Restart) - c.MarkEnd)):F2} ms"));
        }
        return 0;
    }

    /// <summary>Writes <paramref name="seconds"/> of the process's events from <paramref name="providers"/> to <paramref name="file"/>.</summary>
    public static async Task RecordAsync(int pid, EventPipeProvider[] providers, bool requestRundown, int seconds, string file)
    {
        using var session = new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown);
        await using var output = File.Create(file);
        var copy = session.EventStream.CopyToAsync(output);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        session.Stop();
        await copy;
    }

    static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
    }

    sealed class Collection(int number, int generation, string reason, string type, double suspend, double start)
    {
        public int Number { get; } = number;
        public int Generation { get; } = generation;
        public string Reason { get; } = reason;
        public string Type { get; } = type;
        public double Suspend { get; } = suspend;
        public double Start { get; } = start;
        public double MarkEnd { get; set; }
        public double End { get; set; }
        public double Restart { get; set; }
        public long Promoted { get; set; }
        public long Gen0Size { get; set; }
        public long Gen2Size { get; set; }
        public Dictionary<string, double> MarkMs { get; } = [];
        public Dictionary<string, long> MarkBytes { get; } = [];
    }
}
