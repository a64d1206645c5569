using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Greengage.Bench.Tests;

/// <summary>
/// Runs <c>bench/run.sh</c> with <c>SMOKE=1</c> (one 2 s wrk run per scenario) against the Greengage build made with
/// these tests, and checks that every scenario carried traffic and got only successful answers. wrk is required:
/// CI installs it (.ci/run); a machine without it fails here with the command to install it.
/// </summary>
public partial class RunScriptSmokeTests
{
    private static readonly string[] Scenarios = ["baseline", "track", "multi20"];

    [Fact]
    public void Smoke_run_prints_a_table_with_traffic_and_no_failures_for_every_scenario()
    {
        Assert.True(FindOnPath("wrk") is not null,
            "wrk is not installed, so the end-to-end benchmark cannot run. Install it: apt-get update && apt-get install -y wrk " +
            "(.ci/run installs it on CI).");
        var root = RepoRoot();
        var serverDir = Path.Combine(root, "src", "Greengage.Server", "bin", Configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(serverDir, "Greengage.Server.dll")), $"No server build in {serverDir}");

        var (exitCode, stdout, stderr) = RunScript(root, serverDir, TimeSpan.FromSeconds(170));
        var transcript = $"exit code {exitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
        Assert.True(exitCode == 0, transcript);
        Assert.Contains("| scenario | req/s | actions/s |", stdout, StringComparison.Ordinal);

        foreach (var name in Scenarios)
        {
            var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith($"SUMMARY name={name} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"no SUMMARY line for {name}\n{transcript}");
            var values = SummaryField().Matches(line).ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(values["req_s"] > 0, $"{name}: no requests completed\n{line}");
            Assert.True(values["non2xx"] == 0, $"{name}: non-2xx answers\n{line}\n{transcript}");
            Assert.True(values["failed_items"] == 0, $"{name}: items answered success:false\n{line}\n{transcript}");
        }
        var multi = SummaryField().Matches(stdout.Split('\n').First(l => l.StartsWith("SUMMARY name=multi20 ", StringComparison.Ordinal)))
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.InRange(multi["actions_s"] / multi["req_s"], 19.9, 20.1);
    }

    private static (int ExitCode, string Stdout, string Stderr) RunScript(string root, string serverDir, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "bench", "run.sh")])
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The test host's MSBuild variables would confuse the baseline's own build (dotnet publish) if it runs.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["SMOKE"] = "1";
        start.Environment["SERVER_DIR"] = serverDir;

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
            // Its own children (servers, wrk) go with it.
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"bench/run.sh did not finish in {timeout.TotalSeconds} s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
        }
        process.WaitForExit();
        lock (stdout)
            lock (stderr)
                return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static string Configuration =>
        typeof(RunScriptSmokeTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Greengage.sln")) && File.Exists(Path.Combine(dir.FullName, "bench", "run.sh")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No Greengage.sln with bench/run.sh above {AppContext.BaseDirectory}");
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"(\w+)=([0-9.]+)")]
    private static partial Regex SummaryField();
}
