using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Tests.Content;

/// <summary>Variable trees (spec 5.2, js-sdk-wire 7): groups merge, lists diff as "[i]" keys, scalars replace.</summary>
public sealed class VarTreeTests
{
    private static JsonNode J(string json) => JsonNode.Parse(json)!;

    private static string? S(JsonNode? node) => node?.ToJsonString();

    [Fact]
    public void Merge_GroupsMergeKeyByKey_ScalarsAndWholeListsReplace()
    {
        var merged = VarTree.Merge(J("""{"a":1,"g":{"x":1,"y":2},"l":[1,2,3]}"""), J("""{"g":{"y":5},"l":[9]}"""));

        Assert.Equal("""{"a":1,"g":{"x":1,"y":5},"l":[9]}""", S(merged));
    }

    [Fact]
    public void Merge_ElementDiffOverAList_ReplacesThoseElements()
    {
        Assert.Equal("[1,9,3,null,7]", S(VarTree.Merge(J("[1,2,3]"), J("""{"[1]":9,"[4]":7}"""))));
    }

    [Fact]
    public void Diff_OnlyChangedLeaves_ListsAsIndexKeys()
    {
        var diff = VarTree.Diff(J("""{"a":1,"g":{"x":1,"y":5},"l":[1,9,3,4],"s":"same"}"""), J("""{"a":1,"g":{"x":1,"y":2},"l":[1,2,3],"s":"same"}"""));

        Assert.Equal("""{"g":{"y":5},"l":{"[1]":9,"[3]":4}}""", S(diff));
        Assert.Null(VarTree.Diff(J("""{"a":[1,{"b":2}]}"""), J("""{"a":[1,{"b":2}]}""")));
    }

    [Fact]
    public void Diff_NewVariableWithAList_IsEncodedAsIndexKeys()
    {
        Assert.Equal("""{"n":{"[0]":"x","[1]":{"k":{"[0]":1}}}}""", S(VarTree.Diff(J("""{"n":["x",{"k":[1]}]}"""), J("{}"))));
    }

    [Theory]
    [InlineData("""{"a":1,"g":{"x":1,"y":2},"l":[1,2,3],"s":"same"}""", """{"g":{"y":5},"l":[1,9,3,4],"s":"same"}""")]
    [InlineData("""{"a":1,"g":{"x":1}}""", """{"g":{"x":1,"new":{"deep":[1]}},"b":null,"a":null}""")]
    [InlineData("""{"l":[1,{"b":2}],"o":{"p":[3]}}""", """{"l":{"[1]":{"b":3},"[4]":"x"},"o":{"p":{"[0]":3}}}""")]
    [InlineData("""{"g":{"x":1}}""", """{"g":"now a string","h":{"i":{"j":true}}}""")]
    [InlineData("""{}""", """{"only":{"live":[1,2]}}""")]
    [InlineData("""{"a":{"b":{"c":1}}}""", """{"a":{"b":{"c":1}}}""")]
    public void DiffOver_EqualsTheDiffOfTheMergedTree(string defaults, string live)
    {
        var expected = VarTree.Diff(VarTree.Merge(J(defaults), J(live)), J(defaults));
        var actual = VarTree.DiffOver(J(defaults), J(live));
        Assert.True(JsonNode.DeepEquals(expected, actual), $"{S(expected)} != {S(actual)}");
    }

    [Fact]
    public void AppContent_WithCodeDefaults_ServesDiffsFullValuesAndVarsFromCode()
    {
        var content = AppContent.Build(
        [
            Doc(ContentKinds.CodeDefaults, "1.0", """{"vars":{"title":"Hi","limits":{"max":3},"levels":[1,2,3]},"kinds":{"title":"string"}}""", at: 1),
            Doc(ContentKinds.CodeDefaults, "2.0", """{"vars":{"title":"Hello","levels":[1,2]}}""", at: 2),
            Doc(ContentKinds.LiveVariable, "limits.max", "5"),
            Doc(ContentKinds.LiveVariable, "levels", "[1,7,3]"),
        ]);

        var v1 = content.VarsFor("1.0");
        Assert.Equal("""{"levels":{"[1]":7},"limits":{"max":5}}""", S(v1.Diff));
        Assert.Equal("""{"title":"Hi","limits":{"max":5},"levels":[1,7,3]}""", S(v1.Full));
        Assert.Equal("""{"title":"Hi","limits":{"max":3},"levels":[1,2,3]}""", S(v1.FromCode));
        // An unknown version gets the latest declaration (2.0).
        Assert.Equal("""{"levels":{"[1]":7,"[2]":3},"limits":{"max":5}}""", S(content.VarsFor("9.9").Diff));
    }

    [Fact]
    public void AppContent_WithoutCodeDefaults_ServesEveryLiveValueInFull()
    {
        var content = AppContent.Build([Doc(ContentKinds.LiveVariable, "g.a", "\"x\""), Doc(ContentKinds.LiveVariable, "l", "[1,2]")]);

        var view = content.VarsFor(null);

        Assert.Equal("""{"g":{"a":"x"},"l":{"[0]":1,"[1]":2}}""", S(view.Diff));
        Assert.Equal("{}", S(view.FromCode));
    }

    private static ContentDocument Doc(string kind, string key, string json, long at = 1) => new(kind, key, Encoding.UTF8.GetBytes(json), at);
}
