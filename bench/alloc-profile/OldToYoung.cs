using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Diagnostics.Runtime;

namespace Greengage.AllocProfile;

/// <summary>
/// Which old objects point at young ones, in a heap dump of a server under load: every gen2 object with a reference
/// into gen0 or gen1, by its type and by (its type, the young object's type). Those are what a young collection must
/// find through the card table and scan, however few objects survive; long-lived user state that takes a request's new
/// objects shows up here. Also what gen1 holds (what survived a gen0 collection and waits to grow old).
/// <code>
/// dotnet-dump collect -p &lt;server pid&gt; --type Heap -o /tmp/server.dmp     (dotnet tool install -g dotnet-dump)
/// dotnet run -c Release --project bench/alloc-profile -- old-to-young /tmp/server.dmp
/// </code>
/// Run it on the machine that made the dump: it reads the dump with this runtime's DAC.
/// </summary>
static class OldToYoung
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: alloc-profile old-to-young <heap dump>");
            return 2;
        }
        using var target = DataTarget.LoadDump(args[0]);
        var dac = Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), OperatingSystem.IsWindows() ? "mscordaccore.dll" : "libmscordaccore.so");
        using var runtime = target.ClrVersions[0].CreateRuntime(dac, ignoreMismatch: true);
        var heap = runtime.Heap;
        var sources = new Dictionary<string, (long Objects, long References)>();
        var pairs = new Dictionary<string, long>();
        var gen1 = new Dictionary<string, (long Objects, long Bytes)>();
        long old = 0;
        foreach (var obj in heap.EnumerateObjects())
        {
            if (!obj.IsValid || heap.GetSegmentByAddress(obj.Address) is not { } segment)
                continue;
            var type = obj.Type?.Name ?? "?";
            var generation = segment.GetGeneration(obj.Address);
            if (generation == Generation.Generation1)
            {
                var (n, bytes) = gen1.GetValueOrDefault(type);
                gen1[type] = (n + 1, bytes + (long)obj.Size);
            }
            if (generation != Generation.Generation2)
                continue;
            old++;
            long young = 0;
            foreach (var reference in obj.EnumerateReferences())
            {
                if (heap.GetSegmentByAddress(reference.Address)?.GetGeneration(reference.Address) is not (Generation.Generation0 or Generation.Generation1))
                    continue;
                young++;
                var pair = type + " -> " + (reference.Type?.Name ?? "?");
                pairs[pair] = pairs.GetValueOrDefault(pair) + 1;
            }
            if (young > 0)
            {
                var (n, refs) = sources.GetValueOrDefault(type);
                sources[type] = (n + 1, refs + young);
            }
        }

        Console.WriteLine(FormattableString.Invariant($"gen2 objects: {old:N0}; with references to gen0/gen1: {sources.Values.Sum(s => s.Objects):N0}"));
        Console.WriteLine("== old objects pointing at young ones (objects, references, type)");
        foreach (var (type, (n, refs)) in sources.OrderByDescending(s => s.Value.Objects).Take(30))
            Console.WriteLine(FormattableString.Invariant($"{n,9:N0} {refs,9:N0}  {type}"));
        Console.WriteLine("== references by (old type -> young type)");
        foreach (var (pair, n) in pairs.OrderByDescending(p => p.Value).Take(30))
            Console.WriteLine(FormattableString.Invariant($"{n,9:N0}  {pair}"));
        Console.WriteLine(FormattableString.Invariant($"== gen1 by type ({gen1.Values.Sum(g => g.Bytes) / 1e6:F1} MB)"));
        foreach (var (type, (n, bytes)) in gen1.OrderByDescending(g => g.Value.Bytes).Take(30))
            Console.WriteLine(FormattableString.Invariant($"{bytes / 1e6,8:F2} MB {n,9:N0}  {type}"));
        return 0;
    }
}
