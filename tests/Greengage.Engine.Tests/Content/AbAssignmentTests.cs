using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Content;

/// <summary>Variant assignment (spec 6.5): spread by the percentages, stable, recorded, targeted.</summary>
public sealed class AbAssignmentTests
{
    private static AppContent ContentWith(params AbTestDocument[] tests) =>
        AppContent.Build(tests.Select(t => new ContentDocument(ContentKinds.AbTest, t.Id.ToString(), t.ToJson(), 0)));

    private static AbTestDocument Test(long id, double[] percents, long published = 1, JsonNode? rule = null, bool sticky = true) => new(
        id, $"test {id}", AbTestStates.Running, null, rule, sticky,
        [.. percents.Select((p, i) => new AbVariant(id * 100 + i, $"v{i}", p, new JsonObject { [$"t{id}.v"] = i }))],
        0, 0, published, null, null);

    [Fact]
    public void Assignment_100000Users_FollowThePercentagesWithinChiSquareBounds()
    {
        double[] percents = [10, 20, 30, 25, 15];
        var content = ContentWith(Test(7, percents));
        var counts = new int[percents.Length];
        const int users = 100_000;
        for (var i = 0; i < users; i++)
        {
            var outcome = ExperimentOutcome.Resolve(content, new TargetingSubject(new UserState(), $"user-{i}", null, 0), new UserState().Experiments);
            var variant = long.Parse(Assert.Single(outcome.Active).VariantId);
            counts[variant - 700]++;
        }

        // Pearson's chi-square against the configured shares; 4 degrees of freedom, critical value 18.47 at p = 0.001.
        var chiSquare = percents.Select((p, i) => Math.Pow(counts[i] - users * p / 100, 2) / (users * p / 100)).Sum();
        Assert.True(chiSquare < 18.47, $"chi-square {chiSquare:F2} for counts {string.Join(", ", counts)}");
        // And not suspiciously perfect either: a hash that ignored the user would put everyone in one variant.
        Assert.All(counts, c => Assert.True(c > 0));
    }

    [Fact]
    public void Assignment_TwoTests_AreIndependent()
    {
        var content = ContentWith(Test(1, [50, 50]), Test(2, [50, 50], published: 2));
        var both = new int[2, 2];
        for (var i = 0; i < 20_000; i++)
        {
            var active = ExperimentOutcome.Resolve(content, new TargetingSubject(new UserState(), $"u{i}", null, 0), new UserState().Experiments).Active;
            both[long.Parse(active[0].VariantId) - 100, long.Parse(active[1].VariantId) - 200]++;
        }
        // Each of the four combinations holds about a quarter (chi-square, 3 degrees of freedom, 16.27 at p = 0.001).
        var chiSquare = 0.0;
        foreach (var cell in both)
            chiSquare += Math.Pow(cell - 5000, 2) / 5000;
        Assert.True(chiSquare < 16.27, $"chi-square {chiSquare:F2}");
    }

    [Fact]
    public void RecordedAssignment_Wins_OverTheHash_AndTheFoldKeepsTheFirst()
    {
        var content = ContentWith(Test(3, [50, 50]));
        var state = new UserState();
        var first = ExperimentOutcome.Resolve(content, new TargetingSubject(state, "bob", null, 0), state.Experiments);
        state.Apply(first.Record(1, "s1")!);
        var hashed = first.Active[0].VariantId;
        var other = hashed == "300" ? "301" : "300";

        // A second record for the same test (never written by the server) cannot change the recorded variant.
        state.Apply(new VariantsAssigned { TimeMs = 2, Assignments = new() { ["3"] = other } });
        var again = ExperimentOutcome.Resolve(content, new TargetingSubject(state, "bob", null, 0), state.Experiments);

        Assert.Equal(hashed, Assert.Single(again.Active).VariantId);
        Assert.Null(again.Assigned);
        Assert.Null(again.Record(3, sessionId: null));
        Assert.Equal([new ExperimentEntry("3", hashed)], again.Record(3, "s2")!.Active);
    }

    [Fact]
    public void Targeting_NonMatchingUsersDoNotEnter_NonStickyLeaveButKeepTheirVariant()
    {
        var rule = JsonNode.Parse("""{"subject":"attribute","name":"plan","op":"is","value":"gold"}""");
        var content = ContentWith(Test(4, [50, 50], rule: rule, sticky: false));
        var state = new UserState();
        Assert.Empty(ExperimentOutcome.Resolve(content, new TargetingSubject(state, "carol", null, 0), state.Experiments).Active);

        state.Profile.Attributes["plan"] = System.Text.Json.JsonSerializer.SerializeToElement("gold");
        var entered = ExperimentOutcome.Resolve(content, new TargetingSubject(state, "carol", null, 0), state.Experiments);
        state.Apply(entered.Record(1, null)!);
        state.Profile.Attributes.Remove("plan");
        Assert.Empty(ExperimentOutcome.Resolve(content, new TargetingSubject(state, "carol", null, 0), state.Experiments).Active);
        Assert.Equal(entered.Active[0].VariantId, state.Experiments.Assigned["4"].VariantId);
    }

    [Fact]
    public void Views_OverlayVariantValues_EarlierPublishedWins_AndAreCachedPerCombination()
    {
        var first = Test(1, [0, 100], published: 10) with { Variants = [new AbVariant(100, "c", 0, []), new AbVariant(101, "x", 100, new JsonObject { ["color"] = "red" })] };
        var second = Test(2, [0, 100], published: 20) with { Variants = [new AbVariant(200, "c", 0, []), new AbVariant(201, "y", 100, new JsonObject { ["color"] = "blue", ["size"] = 3 })] };
        var content = ContentWith(second, first);
        var active = ExperimentOutcome.Resolve(content, new TargetingSubject(new UserState(), "dan", null, 0), new UserState().Experiments).Active;

        Assert.Equal(["1", "2"], active.Select(a => a.Test.IdText));
        var view = content.VarsFor(null, active);
        Assert.Equal("""{"color":"red","size":3}""", view.Full.ToJsonString());
        Assert.Same(view, content.VarsFor(null, active));
        Assert.Equal("{}", content.VarsFor(null).Full.ToJsonString());
    }
}
