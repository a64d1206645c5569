namespace Greengage.Bench.Tests;

/// <summary>
/// Runs <c>bench/campaign.sh</c> with 200 users against the Greengage server and the fake FCM built with these tests:
/// seeding, the scheduled push, and the count at the fake all work, and the summary line says so. It measures nothing.
/// </summary>
public class CampaignScriptSmokeTests
{
    [Fact]
    public void A_campaign_to_200_users_reaches_the_fake_fcm_200_times_and_prints_a_summary()
    {
        var root = BenchScripts.RepoRoot();
        var serverDir = BenchScripts.BuildOutput(root, Path.Combine("src", "Greengage.Server"));
        var fakeDir = BenchScripts.BuildOutput(root, Path.Combine("bench", "fake-fcm"));
        Assert.True(File.Exists(Path.Combine(serverDir, "Greengage.Server.dll")), $"No server build in {serverDir}");
        Assert.True(File.Exists(Path.Combine(fakeDir, "FakeFcm.dll")), $"No fake FCM build in {fakeDir}");
        var outDir = Directory.CreateTempSubdirectory("greengage-campaign-smoke.");
        var (exitCode, stdout, stderr) = BenchScripts.Run(root, "campaign.sh", new Dictionary<string, string>
        {
            ["USERS"] = "200",
            // The message is created and activated before `at`: room for a box busy with the rest of the suite.
            ["LEAD"] = "15",
            ["SEED_BATCH"] = "100",
            ["SERVER_DIR"] = serverDir,
            ["FAKE_FCM_DIR"] = fakeDir,
            ["OUT_DIR"] = outDir.FullName,
        }, TimeSpan.FromSeconds(180));
        var transcript = $"exit code {exitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n(logs kept in {outDir.FullName})";
        Assert.True(exitCode == 0, transcript);
        var line = stdout.Split('\n').FirstOrDefault(l => l.StartsWith("SUMMARY users=", StringComparison.Ordinal));
        Assert.True(line is not null, $"no SUMMARY line\n{transcript}");
        var values = BenchScripts.SummaryFields(line);
        Assert.True(values["users"] == 200 && values["sent"] == 200, $"200 users, 200 sends expected\n{line}\n{transcript}");
        Assert.True(values["sends_s"] > 0 && values["seconds"] > 0 && values["peak_rss_mb"] > 0, $"no measure\n{line}\n{transcript}");
        Assert.True(values["failed"] == 0, $"failed deliveries listed\n{line}\n{transcript}");
        Assert.Contains("\"state\":\"finished\"", stdout, StringComparison.Ordinal);
        outDir.Delete(recursive: true); // kept when the run failed
    }
}
