namespace Greengage.Bench.Tests;

/// <summary>
/// Runs <c>bench/run.sh</c> with <c>SMOKE=1</c> (one 2 s wrk run per scenario) against the Greengage build made with
/// these tests, and checks that every scenario carried traffic and got only successful answers. wrk is required:
/// CI installs it (.ci/run); a machine without it fails here with the command to install it.
/// </summary>
public class RunScriptSmokeTests
{
    private static readonly string[] Scenarios = ["baseline", "track", "multi20"];

    [Fact]
    public void Smoke_run_prints_a_table_with_traffic_and_no_failures_for_every_scenario()
    {
        Assert.True(FindOnPath("wrk") is not null,
            "wrk is not installed, so the end-to-end benchmark cannot run. Install it: apt-get update && apt-get install -y wrk " +
            "(.ci/run installs it on CI).");
        var root = BenchScripts.RepoRoot();
        var serverDir = BenchScripts.BuildOutput(root, Path.Combine("src", "Greengage.Server"));
        Assert.True(File.Exists(Path.Combine(serverDir, "Greengage.Server.dll")), $"No server build in {serverDir}");

        var (exitCode, stdout, stderr) = BenchScripts.Run(root, "run.sh",
            new Dictionary<string, string> { ["SMOKE"] = "1", ["SERVER_DIR"] = serverDir }, TimeSpan.FromSeconds(170));
        var transcript = $"exit code {exitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
        Assert.True(exitCode == 0, transcript);
        Assert.Contains("| scenario | req/s | actions/s |", stdout, StringComparison.Ordinal);

        foreach (var name in Scenarios)
        {
            var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith($"SUMMARY name={name} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"no SUMMARY line for {name}\n{transcript}");
            var values = BenchScripts.SummaryFields(line);
            Assert.True(values["req_s"] > 0, $"{name}: no requests completed\n{line}");
            Assert.True(values["non2xx"] == 0, $"{name}: non-2xx answers\n{line}\n{transcript}");
            Assert.True(values["failed_items"] == 0, $"{name}: items answered success:false\n{line}\n{transcript}");
        }
        var multi = BenchScripts.SummaryFields(stdout.Split('\n').First(l => l.StartsWith("SUMMARY name=multi20 ", StringComparison.Ordinal)));
        Assert.InRange(multi["actions_s"] / multi["req_s"], 19.9, 20.1);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
