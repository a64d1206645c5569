using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Greengage.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/Greengage.Benchmarks -- [BenchmarkDotNet options]</c>; no filter runs all.
/// <c>--smoke</c> runs every benchmark once or twice in-process (BenchmarkDotNet's dry job): a check, not a measurement.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var smoke = args.Contains("--smoke", StringComparer.Ordinal);
        var rest = args.Where(a => !string.Equals(a, "--smoke", StringComparison.Ordinal)).ToList();
        if (!rest.Any(a => a is "--filter" or "-f" or "--list" or "--help" or "-h"))
            rest.AddRange(["--filter", "*"]);

        IConfig? config = smoke
            ? DefaultConfig.Instance.AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("smoke"))
            : null;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
