using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// The A/B test object of spec 4.5, as <c>getAbTests</c>, <c>getAbTest</c> and <c>getVariant</c> answer it. Times are
/// Unix seconds; <c>state</c> is the test's state in capitals (<c>DRAFT</c>, <c>RUNNING</c>, <c>STOPPED</c>,
/// <c>FINISHED</c>: Leanplum's own names were not recorded).
/// </summary>
internal static class AbTestWire
{
    public static JsonObject Test(AbTestDocument t, bool details = false)
    {
        var o = new JsonObject
        {
            ["id"] = t.Id,
            ["name"] = t.Name,
            ["active"] = t.State == AbTestStates.Running,
            ["created"] = Seconds(t.CreatedMs),
            ["updated"] = Seconds(t.UpdatedMs),
            ["finished"] = t.FinishedMs is { } f ? Seconds(f) : null,
            ["chosenVariant"] = t.ChosenVariant,
            ["targetingSticky"] = t.Sticky,
            ["state"] = t.State.ToUpperInvariant(),
            ["variants"] = new JsonArray([.. t.Variants.Select(Variant)]),
        };
        if (details)
            o["details"] = new JsonObject { ["publishedBy"] = null, ["createdBy"] = null };
        return o;
    }

    public static JsonObject Variant(AbVariant v) => new()
    {
        ["id"] = v.Id,
        ["name"] = v.Name,
        ["percent"] = v.Percent,
        ["variables"] = new JsonArray([.. v.Vars.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => (JsonNode)new JsonObject { ["name"] = p.Key, ["value"] = p.Value?.DeepClone() })]),
    };

    private static double Seconds(long ms) => ms / 1000.0;

    public static long RequiredId(ParameterSet p) =>
        p.Long("id") ?? throw new InvalidParameterException("'id' must be provided");
}

/// <summary>
/// <c>getAbTests</c> (spec 4.5, content read-only key): the app's tests. <c>includeDrafts</c> (default false) adds
/// drafts; <c>recent</c> (default true) leaves out tests finished more than <see cref="RecentDays"/> days ago.
/// </summary>
public sealed class GetAbTests(ContentDirectory content, TimeProvider time) : IAppAction
{
    public const int RecentDays = 30;

    public string Name => "getAbTests";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var drafts = parameters.Flag("includeDrafts");
        var recent = parameters.Flag("recent", whenAbsent: true);
        var since = time.GetUtcNow().AddDays(-RecentDays).ToUnixTimeMilliseconds();
        var tests = content.For(app.AppId).AbTests
            .Where(t => drafts || t.State != AbTestStates.Draft)
            .Where(t => !recent || t.FinishedMs is null || t.FinishedMs >= since)
            .Select(t => (JsonNode)AbTestWire.Test(t));
        return ValueTask.FromResult(ActionResult.Ok(new JsonObject { ["abTests"] = new JsonArray([.. tests]) }));
    }
}

/// <summary><c>getAbTest</c> (spec 4.5): one test by <c>id</c>, with <c>details</c>; a draft only with <c>includeDrafts</c>.</summary>
public sealed class GetAbTest(ContentDirectory content) : IAppAction
{
    public string Name => "getAbTest";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var id = AbTestWire.RequiredId(parameters);
        var drafts = parameters.Flag("includeDrafts");
        var test = content.For(app.AppId).AbTests.FirstOrDefault(t => t.Id == id && (drafts || t.State != AbTestStates.Draft));
        return ValueTask.FromResult(test is null
            ? ActionResult.Fail(404, "A/B test not found.")
            : ActionResult.Ok(new JsonObject { ["abTest"] = AbTestWire.Test(test, details: true) }));
    }
}

/// <summary><c>getVariant</c> (spec 4.5): one variant by <c>id</c>, of any of the app's tests.</summary>
public sealed class GetVariant(ContentDirectory content) : IAppAction
{
    public string Name => "getVariant";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var id = AbTestWire.RequiredId(parameters);
        var variant = content.For(app.AppId).AbTests.SelectMany(t => t.Variants).FirstOrDefault(v => v.Id == id);
        return ValueTask.FromResult(variant is null
            ? ActionResult.Fail(404, "Variant not found.")
            : ActionResult.Ok(new JsonObject { ["variant"] = AbTestWire.Variant(variant) }));
    }
}
