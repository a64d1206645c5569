using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Greengage.Bench.Tests;

/// <summary>Runs the shell scripts in <c>bench/</c> against the builds made with these tests.</summary>
internal static partial class BenchScripts
{
    /// <summary>The configuration these tests were built in (the server and the fake FCM are built with them).</summary>
    public static string Configuration =>
        typeof(BenchScripts).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Greengage.sln")) && File.Exists(Path.Combine(dir.FullName, "bench", "run.sh")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Greengage.sln with bench/run.sh above {AppContext.BaseDirectory}");
    }

    /// <summary>The build output of a project of this checkout (<c>src/Greengage.Server</c>, <c>bench/fake-fcm</c>).</summary>
    public static string BuildOutput(string root, string project) => Path.Combine(root, project, "bin", Configuration, "net10.0");

    /// <summary>Runs <c>bench/{script}</c> with <paramref name="environment"/>; fails the test if it takes longer than <paramref name="timeout"/>.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string root, string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "bench", script)])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host's MSBuild variables would confuse a build the script starts (dotnet publish, dotnet build).
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in environment)
            start.Environment[key] = value;

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            // Its own children (servers, wrk, curl) go with it.
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"bench/{script} did not finish in {timeout.TotalSeconds} s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
        }
        process.WaitForExit();
        lock (stdout)
            lock (stderr)
                return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The numeric fields of a line <c>SUMMARY a=1 b=2.5 ...</c>.</summary>
    public static Dictionary<string, double> SummaryFields(string line) =>
        SummaryField().Matches(line).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"(\w+)=([0-9.]+)")]
    private static partial Regex SummaryField();
}
