using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Tests.Content;

/// <summary>
/// The variables view of a combination of A/B variants is written from the version's view (only the groups the
/// overrides touch are diffed again): it must be byte for byte the diff of the whole tree, which its signature covers.
/// </summary>
public sealed class VarsCompositionTests
{
    private static readonly string[] Groups = ["ui", "shop", "flag", "zeta", "é", "ui2"];
    private static readonly string[] Leaves = ["a", "b", "list", "deep.x", "deep.y", "<&>"];

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(4, false)]
    [InlineData(5, false)]
    public void ComposedDiff_IsTheDiffOfTheWholeTree_ForRandomContentAndCombinations(int seed, bool withDefaults)
    {
        var random = new Random(seed);
        var defaults = withDefaults ? RandomDefaults(random) : null;
        var live = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        for (var i = 0; i < 14; i++)
        {
            var name = RandomName(random);
            live[name] = ValueFor(random, defaults, name);
        }
        var tests = Enumerable.Range(1, 5).Select(t => RandomTest(random, defaults, t)).ToList();
        var content = AppContent.Build(Documents(defaults, live, tests));
        Assert.Empty(content.Problems);

        for (var round = 0; round < 200; round++)
        {
            var active = new List<ActiveVariant>();
            foreach (var test in content.RunningTests)
            {
                if (random.Next(4) > 0)
                    active.Add(new ActiveVariant(test, test.Document.Variants[random.Next(test.Document.Variants.Count)].Id.ToString()));
            }
            var view = content.VarsFor("1.0", active);

            var tree = Reference(live, active);
            var expected = defaults is null
                ? (JsonObject)VarTree.EncodeLists(tree)!
                : VarTree.DiffOver(defaults, tree) as JsonObject ?? [];
            Assert.Equal(JsonSerializer.Serialize(expected), view.DiffJson.Text);
            Assert.True(JsonNode.DeepEquals(expected, view.Diff), $"seed {seed} round {round}: the parsed tree differs");
            var full = defaults is null ? tree : VarTree.Merge(defaults, tree);
            Assert.True(JsonNode.DeepEquals(full, view.Full), $"seed {seed} round {round}: the full tree differs");
        }
    }

    [Fact]
    public void Combination_OverridingBackToTheDefault_DropsTheLiveChange_AndANewGroupTakesItsPlace()
    {
        var content = AppContent.Build(Documents(
            JsonNode.Parse("""{"b":{"x":1},"c":{"y":2},"d":3}""")!.AsObject(),
            new Dictionary<string, JsonNode?> { ["c.y"] = 5, ["d"] = 4 },
            [Test(1, new JsonObject { ["c.y"] = 2, ["a.new"] = "n", ["b.x"] = 1 })]));
        var test = Assert.Single(content.RunningTests);

        Assert.Equal("""{"c":{"y":5},"d":4}""", content.VarsFor("1.0").DiffJson.Text);
        // c.y back at its default leaves the diff; a.new sorts first; b.x equal to the default adds nothing.
        Assert.Equal("""{"a":{"new":"n"},"d":4}""", content.VarsFor("1.0", [new ActiveVariant(test, "101")]).DiffJson.Text);
    }

    /// <summary>The whole tree as AppContent built it before composition: live values, the earliest test's override winning.</summary>
    private static JsonObject Reference(Dictionary<string, JsonNode?> live, List<ActiveVariant> active)
    {
        var values = new Dictionary<string, JsonNode?>(live, StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var a in active)
        {
            foreach (var (name, value) in a.Test.Overrides[a.VariantId])
            {
                if (taken.Add(name))
                    values[name] = value;
            }
        }
        var tree = new JsonObject();
        foreach (var (name, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
            VarTree.SetPath(tree, name, value);
        return tree;
    }

    private static JsonObject RandomDefaults(Random random)
    {
        var defaults = new JsonObject();
        foreach (var group in Groups.Where(_ => random.Next(3) > 0))
        {
            if (random.Next(5) == 0)
            {
                defaults[group] = RandomValue(random);
                continue;
            }
            var members = new JsonObject();
            foreach (var leaf in Leaves.Where(_ => random.Next(2) == 0))
                VarTree.SetPath(members, leaf, RandomValue(random));
            defaults[group] = members;
        }
        return defaults;
    }

    private static string RandomName(Random random) =>
        random.Next(8) == 0 ? Groups[random.Next(Groups.Length)] : $"{Groups[random.Next(Groups.Length)]}.{Leaves[random.Next(Leaves.Length)]}";

    private static JsonNode? RandomValue(Random random) => random.Next(8) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(3)),
        2 => JsonValue.Create(random.Next(2) == 0 ? "é<x>" : "plain"),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => new JsonArray(1, random.Next(3), 3),
        5 => new JsonObject { ["k"] = random.Next(2), ["m"] = "v" },
        6 => JsonValue.Create(random.Next(2) * 1.5),
        _ => JsonValue.Create("s" + random.Next(3)),
    };

    /// <summary>A random value, or (a third of the time) the code default at that name, which the diff must leave out.</summary>
    private static JsonNode? ValueFor(Random random, JsonObject? defaults, string name) =>
        defaults is not null && random.Next(3) == 0 && VarTree.TryGetPath(defaults, name, out var same) ? same?.DeepClone() : RandomValue(random);

    private static AbTestDocument RandomTest(Random random, JsonObject? defaults, long id)
    {
        var variants = new List<AbVariant> { new(id * 100, "control", 0, []) };
        for (var v = 1; v <= 1 + random.Next(3); v++)
        {
            var vars = new JsonObject();
            for (var i = 0; i < 1 + random.Next(4); i++)
            {
                var name = RandomName(random);
                vars[name] = ValueFor(random, defaults, name);
            }
            variants.Add(new AbVariant(id * 100 + v, $"v{v}", 0, vars));
        }
        variants[^1] = variants[^1] with { Percent = 100 };
        return new AbTestDocument(id, $"test {id}", AbTestStates.Running, null, null, true, variants, 0, 0, id, null, null);
    }

    private static AbTestDocument Test(long id, JsonObject overrides) => new(
        id, $"test {id}", AbTestStates.Running, null, null, true,
        [new AbVariant(id * 100, "control", 0, []), new AbVariant(id * 100 + 1, "v1", 100, overrides)], 0, 0, id, null, null);

    private static List<ContentDocument> Documents(JsonObject? defaults, Dictionary<string, JsonNode?> live, List<AbTestDocument> tests)
    {
        var documents = new List<ContentDocument>();
        if (defaults is not null)
            documents.Add(new ContentDocument(ContentKinds.CodeDefaults, "1.0", Encoding.UTF8.GetBytes(new JsonObject { ["vars"] = defaults.DeepClone() }.ToJsonString()), 1));
        foreach (var (name, value) in live)
            documents.Add(new ContentDocument(ContentKinds.LiveVariable, name, Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null"), 1));
        documents.AddRange(tests.Select(t => new ContentDocument(ContentKinds.AbTest, t.Id.ToString(), t.ToJson(), 0)));
        return documents;
    }
}
