using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Messages;

namespace Greengage.Engine.Tests.Messages;

/// <summary>
/// Message personalisation (docs/messages.md): the placeholder forms Leanplum's dashboard wrote, their fallbacks, what
/// they render to for a user, and the forms refused when a message is saved.
/// </summary>
public sealed class PersonalizationTests
{
    private static readonly PersonalizationContext Alice = new(
        "alice",
        "phone-1",
        new Dictionary<string, JsonElement>
        {
            ["Name"] = J("\"Alice\""),
            ["age"] = J("34"),
            ["vip"] = J("true"),
            ["nickname"] = J("\"\""),
            ["nothing"] = J("null"),
            ["tags"] = J("""["a","b"]"""),
        },
        new JsonObject { ["coupon"] = "SAVE10", ["amount"] = 5, ["first"] = true },
        new Dictionary<string, JsonElement> { ["item"] = J("\"sword\""), ["level"] = J("2") });

    private static JsonElement J(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData("Hi {{userAttribute['Name']}}!", "Hi Alice!")]
    [InlineData("Hi {{userAttribute[\"Name\"]}}!", "Hi Alice!")]
    [InlineData("Hi {{ userAttribute [ 'Name' ] }}!", "Hi Alice!")]
    [InlineData("{{userAttribute['age']}} / {{userAttribute['vip']}}", "34 / true")]
    [InlineData("[{{userAttribute['tags']}}]", """[["a","b"]]""")]
    [InlineData("{{userId}} on {{deviceId}}", "alice on phone-1")]
    [InlineData("Use {{Value \"coupon\"}}", "Use SAVE10")]
    [InlineData("Use {{\"coupon\"}}", "Use SAVE10")]
    [InlineData("Use {{value['coupon']}}", "Use SAVE10")]
    [InlineData("{{value['amount']}} off, first: {{\"first\"}}", "5 off, first: true")]
    [InlineData("You bought a {{parameter['item']}} at level {{parameter['level']}}", "You bought a sword at level 2")]
    [InlineData("no placeholders", "no placeholders")]
    public void Render_EachForm_NamesTheUser(string text, string rendered) =>
        Assert.Equal(rendered, Personalization.RenderText(text, Alice));

    [Theory]
    [InlineData("Hi {{userAttribute['Missing']}}!", "Hi !")]
    [InlineData("Hi {{userAttribute['Missing'] | default('friend')}}!", "Hi friend!")]
    [InlineData("Hi {{userAttribute['Missing'] | default(\"friend\")}}!", "Hi friend!")]
    [InlineData("Hi {{userAttribute['Missing'] | default: 'friend'}}!", "Hi friend!")]
    [InlineData("Hi {{userAttribute['nickname'] | default('friend')}}!", "Hi friend!")]
    [InlineData("Hi {{userAttribute['nothing'] | default('friend')}}!", "Hi friend!")]
    [InlineData("Hi {{userAttribute['Name'] | default('friend')}}!", "Hi Alice!")]
    [InlineData("{{Value \"missing\" | default('none')}}", "none")]
    [InlineData("{{parameter['missing'] | default('something')}}", "something")]
    public void Render_MissingOrEmptyValue_UsesTheFallbackOrNothing(string text, string rendered) =>
        Assert.Equal(rendered, Personalization.RenderText(text, Alice));

    [Fact]
    public void Render_WithoutSendValuesOrParameters_LeavesThoseEmpty()
    {
        var bare = new PersonalizationContext("bob", null, null, null);

        Assert.Equal("[][][][bob][]", Personalization.RenderText("[{{Value \"coupon\"}}][{{parameter['item']}}][{{userAttribute['Name']}}][{{userId}}][{{deviceId}}]", bare));
    }

    [Fact]
    public void Render_Tree_ReplacesEveryTextAndKeepsTheRest()
    {
        var values = new JsonObject
        {
            ["Title"] = new JsonObject { ["Text"] = "Hi {{userAttribute['Name']}}", ["Color"] = -16777216 },
            ["Accept action"] = new JsonObject { ["__name__"] = "Open URL", ["URL"] = "https://example.com/?u={{userId}}" },
            ["Lines"] = new JsonArray("{{Value \"coupon\"}}", 3, null),
            ["Flag"] = true,
        };

        var rendered = Personalization.Render(values, Alice)!;

        Assert.Equal(
            """{"Title":{"Text":"Hi Alice","Color":-16777216},"Accept action":{"__name__":"Open URL","URL":"https://example.com/?u=alice"},"Lines":["SAVE10",3,null],"Flag":true}""",
            rendered.ToJsonString());
        // The stored values are not changed.
        Assert.Equal("Hi {{userAttribute['Name']}}", (string?)values["Title"]!["Text"]);
    }

    [Fact]
    public void Render_TreeWithoutPlaceholders_IsTheTreeItself_WithPlaceholders_ANewOne()
    {
        var plain = new JsonObject { ["Message"] = "Hello", ["Advanced options"] = new JsonObject { ["Badge"] = 2 } };
        var personal = new JsonObject { ["Message"] = "Hello {{userId}}" };

        Assert.Same(plain, Personalization.Render(plain, Alice));
        var rendered = Personalization.Render(personal, Alice);
        Assert.NotSame(personal, rendered);
        Assert.Equal("Hello alice", (string)rendered!["Message"]!);
        Assert.Equal("Hello {{userId}}", (string)personal["Message"]!);
    }

    [Fact]
    public void IsPersonalized_FindsPlaceholdersAnywhereInTheTree()
    {
        Assert.False(Personalization.IsPersonalized(new JsonObject { ["Title"] = "Hello", ["n"] = 3 }));
        Assert.True(Personalization.IsPersonalized(new JsonObject { ["Title"] = new JsonObject { ["Text"] = "Hi {{userId}}" } }));
        Assert.True(Personalization.IsPersonalized(new JsonObject { ["Lines"] = new JsonArray("a", "{{deviceId}}") }));
        Assert.False(Personalization.IsPersonalized(null));
    }

    [Theory]
    [InlineData("{{userAttribute['Name']}}")]
    [InlineData("{{userAttribute[\"Name\"] | default(\"x\")}}")]
    [InlineData("{{userId}} {{deviceId}}")]
    [InlineData("{{Value \"k\"}} {{\"k\"}} {{value['k']}}")]
    [InlineData("{{parameter['item'] | default: 'thing'}}")]
    [InlineData("plain text, a single { brace, and }} alone")]
    public void Check_KnownForms_AreAccepted(string text) =>
        Personalization.Check(new JsonObject { ["Message"] = text, ["Nested"] = new JsonObject { ["Text"] = text }, ["List"] = new JsonArray(text) });

    [Theory]
    [InlineData("Hi {{user.name}}", "'{{user.name}}' is not a personalisation Greengage knows")]
    [InlineData("{{userAttribute[Name]}}", "'{{userAttribute[Name]}}' is not a personalisation")]
    [InlineData("{{ }}", "is not a personalisation")]
    [InlineData("{{userAttribute['Name'] | upper}}", "is not a personalisation")]
    [InlineData("{{userid}}", "'{{userid}}' is not a personalisation")]
    [InlineData("Hi {{userAttribute['Name']", "has a '{{' without its '}}'")]
    [InlineData("{{userId}} and {{", "has a '{{' without its '}}'")]
    public void Check_UnknownOrUnclosedPlaceholder_IsRefusedNamingIt(string text, string reason)
    {
        var e = Assert.Throws<PersonalizationException>(() => Personalization.Check(new JsonObject { ["Deep"] = new JsonObject { ["Text"] = text } }));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RefusedPlaceholderInAList_IsFound() =>
        Assert.Throws<PersonalizationException>(() => Personalization.Check(new JsonArray("ok", "{{nope}}")));
}
