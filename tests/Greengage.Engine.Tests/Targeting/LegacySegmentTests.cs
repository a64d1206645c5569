using System.Globalization;
using System.Text.Json;
using CsCheck;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Tests.Targeting;

/// <summary>Leanplum's legacy <c>segment</c> strings ("Insert Value" syntax) parsed into targeting rules.</summary>
public sealed class LegacySegmentTests
{
    private const long NowMs = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    private static string Json(string segment) => RuleJson.Write(LegacySegment.Parse(segment)).ToJsonString();

    // Real-world examples. The first two are Leanplum's own examples of the exportUsers `segment` parameter, as
    // quoted by Leanplum's API reference (get_api-action-exportusers) and copied into the comments of
    // lumoslabs/leanplum_api (lib/leanplum_api/api.rb, export_users) and spec section 6.4.
    [Fact]
    public void Parse_LeanplumDocumentedExample_AllOfCountryAndAppVersion()
    {
        Assert.Equal(
            """{"and":[{"subject":"country","op":"is","value":"US"},{"subject":"appVersion","op":"is","value":"1"}]}""",
            Json("""{Country = "US"} and {App version = 1}"""));
    }

    [Fact]
    public void Parse_LeanplumDocumentedBareCriterion_OneCriterion()
    {
        Assert.Equal("""{"subject":"country","op":"is","value":"US"}""", Json("""Country = "US" """));
    }

    // An older lumoslabs/leanplum_api api.rb has the same example with typographic quotes, as pasted from a document.
    [Fact]
    public void Parse_TypographicQuotes_ReadAsQuotes()
    {
        Assert.Equal(Json("""{Country = "US"} and {App version = 1}"""), Json("{Country = \u201CUS\u201D} and {App version = 1}"));
    }

    // The exportUsers example request of the "Leanplum API" Postman collection (response dated 2019-02-15), as
    // published in Big Fish Games' developer docs ("Manual Message Delivery"): a bracketed list, a doubled brace, a
    // quoted attribute name and the dashboard's "Occurrences of" phrase.
    [Fact]
    public void Parse_PostmanExportUsersExample_AllOfAttributeAndEventCounts()
    {
        const string segment = """[{{"Source" = "Voting Fallback"}},{Occurrences of "S15 Email Trigger (FB Sign In) Sent" = 0},{Occurrences of "S15 Email Trigger (Sign In) Sent" = 0}]""";

        Assert.Equal(
            """{"and":[{"subject":"attribute","name":"Source","op":"is","value":"Voting Fallback"},""" +
            """{"subject":"event","name":"S15 Email Trigger (FB Sign In) Sent","op":"is","value":0},""" +
            """{"subject":"event","name":"S15 Email Trigger (Sign In) Sent","op":"is","value":0}]}""",
            Json(segment));
    }

    [Theory]
    [InlineData("Country", "country", null)]
    [InlineData("  region ", "region", null)]
    [InlineData("CITY", "city", null)]
    [InlineData("Locale", "locale", null)]
    [InlineData("OS", "os", null)]
    [InlineData("OS name", "os", null)]
    [InlineData("System   name", "os", null)]
    [InlineData("OS version", "osVersion", null)]
    [InlineData("System version", "osVersion", null)]
    [InlineData("Device model", "deviceModel", null)]
    [InlineData("Browser", "browser", null)]
    [InlineData("Browser name", "browser", null)]
    [InlineData("User ID", "userId", null)]
    [InlineData("User bucket", "userBucket", null)]
    [InlineData("Sessions", "sessions", null)]
    [InlineData("Total sessions", "sessions", null)]
    [InlineData("Time in app", "timeInApp", null)]
    [InlineData("Lifetime value", "lifetimeValue", null)]
    [InlineData("First run", "firstRun", null)]
    [InlineData("Last active", "lastActive", null)]
    [InlineData("Push enabled", "pushEnabled", null)]
    [InlineData("Publisher id", "trafficSource", "publisherId")]
    [InlineData("Publisher name", "trafficSource", "publisherName")]
    [InlineData("Publisher sub publisher", "trafficSource", "publisherSubPublisher")]
    [InlineData("Publisher sub site", "trafficSource", "publisherSubSite")]
    [InlineData("Publisher campaign", "trafficSource", "publisherSubCampaign")]
    [InlineData("publisherSubCampaign", "trafficSource", "publisherSubCampaign")]
    [InlineData("Publisher ad group", "trafficSource", "publisherSubAdGroup")]
    [InlineData("Publisher ad", "trafficSource", "publisherSubAd")]
    [InlineData("plan", "attribute", "plan")]
    [InlineData("Favorite  color", "attribute", "Favorite color")]
    public void Parse_DisplayName_MapsToSubject(string name, string subject, string? field)
    {
        var criterion = Assert.IsType<Criterion>(LegacySegment.Parse($"{{{name} is set}}"));

        Assert.Equal(subject, RuleJson.NameOf(criterion.Subject));
        Assert.Equal(field, criterion.Name);
    }

    [Fact]
    public void Parse_QuotedName_IsAlwaysAnAttribute()
    {
        Assert.Equal("""{"subject":"attribute","name":"Country","op":"is","value":"US"}""", Json("""{"Country" = "US"}"""));
    }

    [Theory]
    [InlineData("{plan = gold}", "is", "\"gold\"")]
    [InlineData("{plan == gold}", "is", "\"gold\"")]
    [InlineData("{plan is gold}", "is", "\"gold\"")]
    [InlineData("{plan != gold}", "isNot", "\"gold\"")]
    [InlineData("{plan <> gold}", "isNot", "\"gold\"")]
    [InlineData("{plan is not gold}", "isNot", "\"gold\"")]
    [InlineData("{level > 3}", "greaterThan", "3")]
    [InlineData("{level is greater than 3}", "greaterThan", "3")]
    [InlineData("{level < 3}", "lessThan", "3")]
    [InlineData("{level IS LESS THAN 3}", "lessThan", "3")]
    [InlineData("{level >= 3}", "atLeast", "3")]
    [InlineData("{level is at least 3}", "atLeast", "3")]
    [InlineData("{level <= 3}", "atMost", "3")]
    [InlineData("{level is at most 3}", "atMost", "3")]
    [InlineData("{email contains \"@example.com\"}", "contains", "\"@example.com\"")]
    [InlineData("{email does not contain \"@example.com\"}", "notContains", "\"@example.com\"")]
    [InlineData("{Last active is after \"-P7D\"}", "after", "\"-P7D\"")]
    [InlineData("{Last active is not after 2026-03-01}", "notAfter", "\"2026-03-01\"")]
    [InlineData("{First run is before \"2026-03-01\"}", "before", "\"2026-03-01\"")]
    [InlineData("{First run is not before \"2026-03-01\"}", "notBefore", "\"2026-03-01\"")]
    public void Parse_Operator_MapsToRuleOperator(string segment, string op, string value)
    {
        using var json = JsonDocument.Parse(Json(segment));

        Assert.Equal(op, json.RootElement.GetProperty("op").GetString());
        Assert.Equal(value, json.RootElement.GetProperty("value").GetRawText());
    }

    [Theory]
    [InlineData("{plan is set}", "isSet")]
    [InlineData("{plan is not set}", "isNotSet")]
    [InlineData("{plan is empty}", "isEmpty")]
    [InlineData("{plan is empty string}", "isEmpty")]
    public void Parse_OperatorWithoutValue_HasNoValue(string segment, string op)
    {
        Assert.Equal($$"""{"subject":"attribute","name":"plan","op":"{{op}}"}""", Json(segment));
    }

    [Fact]
    public void Parse_Between_TakesTwoValues()
    {
        Assert.Equal("""{"subject":"sessions","op":"between","values":[2,5]}""", Json("{Sessions is between 2 and 5}"));
    }

    [Fact]
    public void Parse_IsAny_HoldsForEveryUser()
    {
        Assert.Equal("""{"and":[]}""", Json("{plan is any}"));
    }

    [Theory]
    [InlineData("{plan = 'gold'}", "\"gold\"")]
    [InlineData("{motto = \"say \\\"hi\\\"\"}", "\"say \\u0022hi\\u0022\"")]
    [InlineData("{motto = 'it\\'s'}", "\"it\\u0027s\"")]
    [InlineData("{plan = gold}", "\"gold\"")]
    [InlineData("{Favorite color = light blue}", "\"light blue\"")]
    [InlineData("{level = 3}", "3")]
    [InlineData("{level = -2.5e3}", "-2.5e3")]
    [InlineData("{zip = 007}", "\"007\"")]
    [InlineData("{vip = true}", "true")]
    [InlineData("{App version = 1.10}", "\"1.10\"")]
    public void Parse_Value_QuotedOrBare(string segment, string value)
    {
        using var json = JsonDocument.Parse(Json(segment));

        Assert.Equal(value, json.RootElement.GetProperty("value").GetRawText());
    }

    [Theory]
    [InlineData("{a = 1} or {b = 2} and {c = 3}", """{"or":[A,{"and":[B,C]}]}""")]
    [InlineData("({a = 1} or {b = 2}) and {c = 3}", """{"and":[{"or":[A,B]},C]}""")]
    [InlineData("{a = 1} AND {b = 2} And {c = 3}", """{"and":[A,B,C]}""")]
    [InlineData("{a = 1} and ({b = 2} and {c = 3})", """{"and":[A,B,C]}""")]
    [InlineData("not {a = 1} or {b = 2}", """{"or":[{"not":A},B]}""")]
    [InlineData("NOT ({a = 1} or {b = 2})", """{"not":{"or":[A,B]}}""")]
    [InlineData("{not a = 1}", """{"not":A}""")]
    [InlineData("{{a = 1} or {b = 2}}", """{"or":[A,B]}""")]
    [InlineData("[a = 1, b = 2 or c = 3]", """{"and":[A,{"or":[B,C]}]}""")]
    public void Parse_AndOrNot_AndBindsTighterAndGroupsOverride(string segment, string expected)
    {
        string C(string name, int value) => $$"""{"subject":"attribute","name":"{{name}}","op":"is","value":{{value}}}""";
        Assert.Equal(expected.Replace("A", C("a", 1)).Replace("B", C("b", 2)).Replace("C", C("c", 3)), Json(segment));
    }

    [Theory]
    [InlineData("""{Occurrences of "Purchase" >= 2}""", """{"subject":"event","name":"Purchase","op":"atLeast","value":2}""")]
    [InlineData("{occurrences of Level Up > 0}", """{"subject":"event","name":"Level Up","op":"greaterThan","value":0}""")]
    [InlineData("""{Value of "Purchase" > 9.99}""", """{"subject":"event","name":"Purchase","measure":"value","op":"greaterThan","value":9.99}""")]
    [InlineData("""{First occurrence of "Open" is before "2026-03-01"}""", """{"subject":"event","name":"Open","measure":"firstTime","op":"before","value":"2026-03-01"}""")]
    [InlineData("""{Last occurrence of "Open" is after "-P7D"}""", """{"subject":"event","name":"Open","measure":"lastTime","op":"after","value":"-P7D"}""")]
    [InlineData("""{Occurrences of state "Level 1" > 0}""", """{"subject":"state","name":"Level 1","op":"greaterThan","value":0}""")]
    [InlineData("""{Occurrences of event "Level 1" > 0}""", """{"subject":"event","name":"Level 1","op":"greaterThan","value":0}""")]
    [InlineData("""{Occurrences of "Purchase" with parameter "item" = "sword" >= 1}""", """{"subject":"event","name":"Purchase","param":{"name":"item","value":"sword"},"op":"atLeast","value":1}""")]
    [InlineData("{Occurrences of Purchase with parameter item = sword >= 1}", """{"subject":"event","name":"Purchase","param":{"name":"item","value":"sword"},"op":"atLeast","value":1}""")]
    public void Parse_BehaviourPhrase_EventOrStateCriterion(string segment, string expected)
    {
        Assert.Equal(expected, Json(segment));
    }

    [Fact]
    public void Parse_Result_ReadsBackThroughRuleJson()
    {
        var rule = LegacySegment.Parse("""{Country = "US"} and ({App version >= 2.1} or not {plan is set})""");
        var json = RuleJson.Write(rule).ToJsonString();

        Assert.Equal(json, RuleJson.Write(RuleJson.Parse(json)).ToJsonString());
    }

    [Fact]
    public void Compile_DocumentedExample_MatchesUsUserOnVersion1Only()
    {
        var predicate = RuleCompiler.Standalone.Compile(LegacySegment.Parse("""{Country = "US"} and {App version = 1}"""));

        Assert.True(predicate(User("US", "1.0")));
        Assert.True(predicate(User("us", "1")));
        Assert.False(predicate(User("DE", "1.0")));
        Assert.False(predicate(User("US", "1.1")));
    }

    [Fact]
    public void Compile_PostmanExample_MatchesByAttributeAndEventCount()
    {
        var predicate = RuleCompiler.Standalone.Compile(LegacySegment.Parse(
            """[{{"Source" = "Voting Fallback"}},{Occurrences of "S15 Email Trigger (Sign In) Sent" = 0}]"""));
        var user = User("US", "1.0");
        user.State.Profile.Attributes["Source"] = JsonDocument.Parse("\"Voting Fallback\"").RootElement.Clone();
        var sent = User("US", "1.0");
        sent.State.Profile.Attributes["Source"] = JsonDocument.Parse("\"Voting Fallback\"").RootElement.Clone();
        sent.State.Aggregates.Events["S15 Email Trigger (Sign In) Sent"] = new EventAggregate { Count = 1 };

        Assert.True(predicate(user));
        Assert.False(predicate(sent));
        Assert.False(predicate(User("US", "1.0")));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("{Country = \"US\"", "character 16: expected '}' closing the '{' at character 1, found the end")]
    [InlineData("{Country = \"US\"}}", "character 17: expected 'and', 'or' or the end of the segment, found '}'")]
    [InlineData("Country = \"US\")", "found ')'")]
    [InlineData("{Country = }", "character 12: expected a value")]
    [InlineData("{Country =}", "expected a value")]
    [InlineData("{Country}", "character 9: expected an operator")]
    [InlineData("{Country ~ \"US\"}", "expected an operator")]
    [InlineData("{Country starts with \"U\"}", "'starts' is not supported")]
    [InlineData("{Country matches \"U.*\"}", "'matches' is not supported")]
    [InlineData("{level is not greater than 3}", "'is not greater' is not supported")]
    [InlineData("{Country = \"US}", "character 12: the string opened here is not closed")]
    [InlineData("{Country ! \"US\"}", "'!' stands only in '!='")]
    [InlineData("{= \"US\"}", "character 2: expected a criterion")]
    [InlineData("{a = 1} and", "character 12: expected a criterion")]
    [InlineData("{a = 1} or or {b = 2}", "expected a criterion")]
    [InlineData("{a = 1} {b = 2}", "expected 'and', 'or' or the end of the segment, found '{'")]
    [InlineData("[a = 1, b = 2", "expected ',' or ']'")]
    [InlineData("{Sessions is between 2}", "expected 'and' and the upper bound")]
    [InlineData("{Occurrences of = 2}", "expected the name of an event")]
    [InlineData("{Occurrences of \"Buy\" with parameter \"item\" > 2}", "expected '=' and the parameter's value")]
    [InlineData("{does not contain x}", "expected a criterion")]
    [InlineData("{\"\" = 1}", "character 2: expected a name; \"\" names nothing")]
    [InlineData("{Saved segment = \"Power users\"}", "character 2: saved segments ('Saved segment') cannot be named")]
    public void Parse_BadInput_ThrowsRuleExceptionSayingWhereAndWhat(string segment, string message)
    {
        var e = Assert.Throws<RuleException>(() => LegacySegment.Parse(segment));

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_ThrowsRuleException()
    {
        Assert.Throws<RuleException>(() => LegacySegment.Parse(null!));
    }

    [Fact]
    public void Parse_VeryLongInput_ThrowsRuleException()
    {
        var e = Assert.Throws<RuleException>(() => LegacySegment.Parse(new string('a', LegacySegment.MaxLength + 1)));

        Assert.Contains("at most", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooManyCriteria_ThrowsRuleException()
    {
        var segment = string.Join(" and ", Enumerable.Range(0, RuleJson.MaxCriteria + 1).Select(i => $"{{a{i} = 1}}"));

        var e = Assert.Throws<RuleException>(() => LegacySegment.Parse(segment));

        Assert.Contains($"at most {RuleJson.MaxCriteria} criteria", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RuleJson.MaxDepth, true)]
    [InlineData(RuleJson.MaxDepth + 1, false)]
    [InlineData(5_000, false)]
    public void Parse_NestedParentheses_CappedAtMaxDepth(int depth, bool accepted)
    {
        var segment = new string('(', depth) + "a = 1" + new string(')', depth);

        if (accepted)
            Assert.IsType<Criterion>(LegacySegment.Parse(segment));
        else
            Assert.Contains("nest at most", Assert.Throws<RuleException>(() => LegacySegment.Parse(segment)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyNots_CappedAtMaxDepth()
    {
        var e = Assert.Throws<RuleException>(() => LegacySegment.Parse(string.Concat(Enumerable.Repeat("not ", 3_000)) + "{a = 1}"));

        Assert.Contains("nest at most", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AlternatingGroupsDeeperThanRuleJsonAllows_ThrowsRuleException()
    {
        // Every group alternates and/or, so the tree is one level deeper than the groups.
        var segment = "a = 1 or c = 1";
        for (var i = 0; i < RuleJson.MaxDepth; i++)
            segment = $"b{i} = 1 {(i % 2 == 0 ? "and" : "or")} ({segment})";

        var e = Assert.Throws<RuleException>(() => LegacySegment.Parse(segment));

        Assert.Contains("deeper than", e.Message, StringComparison.Ordinal);
    }

    private static readonly string[] Pieces =
    [
        "{", "}", "(", ")", "[", "]", ",", "=", "!=", "<>", "<", ">=", "!", "\"", "'", "\u201C", "\\", " ", "and", "or", "not",
        "is", "not", "set", "empty", "between", "after", "contains", "does", "Occurrences", "of", "with", "parameter", "state",
        "Country", "App version", "\"US\"", "1", "1.0", "-P7D", "gold", "any", "at", "least",
    ];

    private static readonly string[] Criteria =
    [
        "{Country = \"US\"}", "{App version >= 1.2}", "{plan is not set}", "{Occurrences of \"Buy\" > 1}", "{Sessions is between 1 and 3}",
        "(Last active is after -P7D)", "{'Favorite color' contains red}", "{plan is any}", "Publisher name != \u201Cads\u201D",
    ];

    [Fact]
    public void Parse_RandomInput_ThrowsOnlyRuleExceptionAndReadsBackThroughRuleJson()
    {
        var soup = Gen.OneOfConst(Pieces).Array[0, 40].Select(p => string.Join(" ", p));
        var chars = Gen.String[Gen.Char["{}()[],=!<>\"'\\ abnot1.\u201C\u201D"], 0, 60];
        var structured =
            from parts in Gen.OneOfConst(Criteria).Array[1, 8]
            from joins in Gen.OneOfConst(" and ", " or ", " and not ", " OR NOT ").Array[7]
            from wrap in Gen.OneOfConst("{0}", "({0})", "not ({0})", "[{0}, {{plan = 1}}]", "{{{0}}}")
            select string.Format(CultureInfo.InvariantCulture, wrap, string.Concat(parts.Select((p, i) => (i == 0 ? "" : joins[i - 1]) + p)));

        var parsed = 0;
        Gen.OneOf(soup, chars, structured).Sample(segment =>
        {
            Rule rule;
            try
            {
                rule = LegacySegment.Parse(segment);
            }
            catch (RuleException)
            {
                return;
            }
            Interlocked.Increment(ref parsed);
            var json = RuleJson.Write(rule).ToJsonString();
            Assert.Equal(json, RuleJson.Write(RuleJson.Parse(json)).ToJsonString());
        }, seed: "4kd7Pq0Zx1mN", iter: 5_000);

        Assert.True(parsed > 1_000, $"only {parsed} random segments parsed");
    }

    private static TargetingSubject User(string country, string appVersion)
    {
        var state = new UserState();
        state.Profile.Locale = new LocaleInfo { Country = country };
        state.Devices.Devices["d1"] = new DeviceEntry { AppVersion = appVersion, LastSeenMs = NowMs };
        return new TargetingSubject(state, "u1", "d1", NowMs);
    }
}
