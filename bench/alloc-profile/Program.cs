using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Where a running server allocates: listens to the runtime's allocation ticks (one event per ~100 KB allocated, with
// the type and the stack) for a while, then prints the sampled bytes by type, by the innermost Greengage / Orleans /
// ASP.NET Core / SQLite frame, and inclusive per Greengage and Orleans method (docs/benchmarks.md, "Allocation").
//
//   dotnet run -c Release --project bench/alloc-profile -- <server pid> [seconds, default 8] [trace file]
//
// Run it while load runs (wrk): sampled bytes per request = total / (req/s x seconds).
//
//   dotnet run -c Release --project bench/alloc-profile -- gc <server pid> [seconds, default 10] [trace file]
//
// prints instead what the collections cost and what their marking scanned (GcProfile); and
//
//   dotnet run -c Release --project bench/alloc-profile -- old-to-young <heap dump>
//
// which old objects of a dump point at young ones (OldToYoung).
if (args is ["gc", .. var gcArgs])
    return await Greengage.AllocProfile.GcProfile.RunAsync(gcArgs);
if (args is ["old-to-young", .. var dumpArgs])
    return Greengage.AllocProfile.OldToYoung.Run(dumpArgs);
if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: alloc-profile <pid> [seconds] [trace file]");
    return 2;
}
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
var file = args.Length > 2 ? args[2] : Path.Combine(Path.GetTempPath(), $"alloc-{pid}.nettrace");

var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.Stack | ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader);
EventPipeProvider[] providers =
[
    new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, keywords),
    new("Microsoft-Windows-DotNETRuntimeRundown", EventLevel.Verbose, (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
];
await Greengage.AllocProfile.GcProfile.RecordAsync(pid, providers, requestRundown: true, seconds, file);

using var log = TraceLog.OpenOrConvert(TraceLog.CreateFromEventPipeDataFile(file));
var byType = new Dictionary<string, long>();
var byFrame = new Dictionary<string, long>();
var inclusive = new Dictionary<string, long>();
long total = 0;
foreach (var data in log.Events)
{
    if (data is not GCAllocationTickTraceData tick)
        continue;
    var bytes = (long)tick.AllocationAmount64;
    total += bytes;
    byType[tick.TypeName] = byType.GetValueOrDefault(tick.TypeName) + bytes;
    string? innermost = null;
    var seen = new HashSet<string>(StringComparer.Ordinal);
    for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
    {
        var name = frame.CodeAddress.FullMethodName;
        if (string.IsNullOrEmpty(name))
            continue;
        if (innermost is null && (name.Contains("Greengage", StringComparison.Ordinal) || name.Contains("Orleans", StringComparison.Ordinal)
                || name.Contains("AspNetCore", StringComparison.Ordinal) || name.Contains("Sqlite", StringComparison.Ordinal)))
            innermost = name;
        if (seen.Add(name))
            inclusive[name] = inclusive.GetValueOrDefault(name) + bytes;
    }
    innermost ??= "(no Greengage, Orleans, ASP.NET Core or SQLite frame)";
    byFrame[innermost] = byFrame.GetValueOrDefault(innermost) + bytes;
}

Console.WriteLine(FormattableString.Invariant($"sampled {total / 1e6:F1} MB in {seconds} s (trace: {file})"));
Print("by type", byType, 40);
Print("by innermost Greengage / Orleans / ASP.NET Core / SQLite frame", byFrame, 50);
Print("inclusive (Greengage and Orleans methods)", inclusive
    .Where(e => e.Key.Contains("Greengage", StringComparison.Ordinal) || e.Key.Contains("Orleans", StringComparison.Ordinal))
    .ToDictionary(e => e.Key, e => e.Value), 60);
return 0;

void Print(string title, Dictionary<string, long> bytes, int top)
{
    Console.WriteLine("== " + title);
    foreach (var (name, value) in bytes.OrderByDescending(e => e.Value).Take(top))
        Console.WriteLine(FormattableString.Invariant($"{(total == 0 ? 0 : 100.0 * value / total),5:F1}%  {name}"));
}
