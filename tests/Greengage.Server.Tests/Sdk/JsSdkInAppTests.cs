using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Greengage.Server.Tests.Infrastructure;
using Greengage.Server.Tests.Processes;
using Xunit.Abstractions;

namespace Greengage.Server.Tests.Sdk;

/// <summary>
/// The real Leanplum JS SDK 1.9.0 (tests/js-sdk, <c>--scenario inapp</c>) against the real server process: in-app
/// messages written through the admin API arrive at start, the SDK's own trigger engine shows them on their triggers
/// (a start trigger; an event with a parameter) and stops at their limits, and the impressions it tracks are recorded
/// under Leanplum's names.
/// </summary>
public sealed class JsSdkInAppTests(JsSdkFixture fixture, ITestOutputHelper output) : IClassFixture<JsSdkFixture>
{
    private async Task<long> ActiveMessage(AppCredentials app, object body)
    {
        var created = await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages", body);
        await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/messages/{created["id"]}/activate");
        return (long)created["id"]!;
    }

    [Fact]
    public async Task InAppMessages_ShowOnTheirTriggers_StopAtTheirLimits_AndTheirImpressionsAreRecorded()
    {
        var app = await fixture.Server.CreateAppAsync(JsSdkFixture.AdminToken, "JS SDK in-app " + Guid.NewGuid().ToString("N")[..6]);
        var welcome = await ActiveMessage(app, new
        {
            name = "Welcome",
            channel = "in-app",
            template = "Alert",
            values = new JsonObject { ["Title"] = "Welcome", ["Message"] = "Hello {{userId}}" },
            whenTriggers = new object[] { new { subject = "start" } },
            limits = new object[] { new { subject = "times", noun = "1", verb = "limitUser" } },
        });
        var levelUp = await ActiveMessage(app, new
        {
            name = "Level 2",
            channel = "in-app",
            template = "Confirm",
            values = new JsonObject { ["Message"] = "Level 2 reached" },
            whenTriggers = new object[] { new { subject = "event", noun = "Level up", verb = "triggersWithParameter", objects = new[] { "level", "2" } } },
            limits = new object[] { new { subject = "times", noun = "2", verb = "limitUser" } },
        });
        var audience = await fixture.AdminAsync(HttpMethod.Post, $"/admin/v1/apps/{app.AppId}/audiences", new { name = "Gold", rule = new { subject = "attribute", name = "plan", op = "is", value = "gold" } });
        var elsewhere = await ActiveMessage(app, new
        {
            name = "Gold only",
            channel = "in-app",
            template = "Alert",
            audienceId = (long)audience["id"]!,
            whenTriggers = new object[] { new { subject = "start" } },
        });

        var user = "js-inapp-" + Guid.NewGuid().ToString("N")[..8];
        var run = await fixture.RunHarnessAsync(user, app, ["--scenario", "inapp"]);
        output.WriteLine(run.ToString());
        Assert.True(run.ExitCode == 0, $"The harness failed.\n{run}\n{fixture.Server.Describe()}");
        var result = run.Result!;

        // The user is not gold: that message never reached the device.
        Assert.Equal(new[] { levelUp.ToString(), welcome.ToString() }.Order(), result["received"]!.AsArray().Select(n => (string)n!).Order());
        var shown = result["shown"]!.AsArray().Select(s => ((string)s!["id"]!, (string)s["after"]!, (string?)s["name"])).ToList();
        Assert.Equal(
            [(welcome.ToString(), "start", "Alert"), (levelUp.ToString(), "track 1", "Confirm"), (levelUp.ToString(), "track 2", "Confirm")],
            shown);
        var first = result["shown"]![0]!["vars"]!;
        Assert.Equal("Hello " + user, (string?)first["Message"]);
        Assert.Equal("OK", (string?)first["Dismiss text"]);

        // The impressions, as the server recorded them: .m<id> View per showing.
        var export = await ApiClient.SendAsync(fixture.Server.Http, new HttpRequestMessage(HttpMethod.Get,
            $"/api?appId={app.AppId}&clientKey={app.DataExportKey}&action=exportUser&userId={user}"));
        Assert.True(export.Status == HttpStatusCode.OK, export[0].ToJsonString());
        var events = export[0]["events"]!;
        Assert.Equal(1, (int)events[$".m{welcome} View"]!["count"]!);
        Assert.Equal(2, (int)events[$".m{levelUp} View"]!["count"]!);
        Assert.Null(events[$".m{elsewhere} View"]);
        Assert.Equal(TriggerCount, (int)events["Level up"]!["count"]!);
    }

    /// <summary>scenario-inapp.mjs: one track with a parameter that does not match, then TRIGGER_TIMES that do.</summary>
    private const int TriggerCount = 1 + 3;
}
