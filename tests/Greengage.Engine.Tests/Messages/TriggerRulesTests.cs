using System.Text.Json;
using Greengage.Engine.Messages;

namespace Greengage.Engine.Tests.Messages;

/// <summary>
/// Spec 6.6's triggers and limits: every subject and verb accepted in the encoding the message config in <c>start</c>
/// carries (<c>whenTriggers</c> <c>{"verb":"OR","children":[...]}</c>, <c>whenLimits</c> <c>{"verb":"AND",...}</c>),
/// and what is refused, with the reason.
/// </summary>
public sealed class TriggerRulesTests
{
    private static readonly string[] Regions = ["Office", "Stadium"];

    // Theory data travels as the JSON the admin API takes (xunit wants serialisable data).
    private static string T(string subject, string? noun = null, string? verb = null, params string[] objects) =>
        JsonSerializer.Serialize(new MessageTrigger(subject, noun, verb, objects.Length == 0 ? null : objects));

    private static string L(string subject, string? noun, string? verb = null, params string[] objects) =>
        JsonSerializer.Serialize(new MessageLimit(subject, noun!, verb, objects.Length == 0 ? null : objects));

    private static MessageTrigger? Trigger(string json) => JsonSerializer.Deserialize<MessageTrigger>(json);

    private static MessageLimit? Limit(string json) => JsonSerializer.Deserialize<MessageLimit>(json);

    /// <summary>The trigger as start's whenTriggers carries it (the one child).</summary>
    private static string WireTrigger(string trigger) =>
        TriggerRules.Triggers([TriggerRules.Check(Trigger(trigger), Regions)])["children"]![0]!.ToJsonString();

    private static string WireLimit(string limit) =>
        TriggerRules.Limits([TriggerRules.Check(Limit(limit))])["children"]![0]!.ToJsonString();

    public static TheoryData<string, string> AcceptedTriggers() => new()
    {
        { T("start"), """{"subject":"start"}""" },
        { T("resume"), """{"subject":"resume"}""" },
        // start and resume take no verb: one given is dropped, as the SDKs never read it.
        { T("start", verb: "triggers"), """{"subject":"start"}""" },
        { T("event", "Purchase", "triggers"), """{"subject":"event","noun":"Purchase","verb":"triggers"}""" },
        { T("event", "Purchase"), """{"subject":"event","noun":"Purchase","verb":"triggers"}""" },
        { T("event", "Purchase", "triggersWithParameter", "item", "sword"), """{"subject":"event","noun":"Purchase","verb":"triggersWithParameter","objects":["item","sword"]}""" },
        // A message event, so that one message follows another.
        { T("event", ".m42 Accept", "triggers"), """{"subject":"event","noun":".m42 Accept","verb":"triggers"}""" },
        { T("state", "Shop", "triggers"), """{"subject":"state","noun":"Shop","verb":"triggers"}""" },
        { T("state", "Shop"), """{"subject":"state","noun":"Shop","verb":"triggers"}""" },
        { T("state", "Shop", "triggersWithParameter", "aisle", "3"), """{"subject":"state","noun":"Shop","verb":"triggersWithParameter","objects":["aisle","3"]}""" },
        { T("userAttribute", "plan", "changes"), """{"subject":"userAttribute","noun":"plan","verb":"changes"}""" },
        { T("userAttribute", "plan"), """{"subject":"userAttribute","noun":"plan","verb":"changes"}""" },
        { T("userAttribute", "plan", "changesTo", "gold"), """{"subject":"userAttribute","noun":"plan","verb":"changesTo","objects":["gold"]}""" },
        { T("userAttribute", "plan", "changesTo", "gold", "silver"), """{"subject":"userAttribute","noun":"plan","verb":"changesTo","objects":["gold","silver"]}""" },
        { T("userAttribute", "plan", "changesFromTo", "silver", "gold"), """{"subject":"userAttribute","noun":"plan","verb":"changesFromTo","objects":["silver","gold"]}""" },
        { T("enterRegion", "Office", "triggers"), """{"subject":"enterRegion","noun":"Office","verb":"triggers"}""" },
        { T("enterRegion", "Office"), """{"subject":"enterRegion","noun":"Office","verb":"triggers"}""" },
        { T("exitRegion", "Stadium", "triggers"), """{"subject":"exitRegion","noun":"Stadium","verb":"triggers"}""" },
        { """{"subject":"userAttribute","noun":"age","verb":"changesTo","objects":["30"],"secondaryVerb":"="}""", """{"subject":"userAttribute","noun":"age","verb":"changesTo","objects":["30"],"secondaryVerb":"="}""" },
    };

    [Theory]
    [MemberData(nameof(AcceptedTriggers))]
    public void Trigger_Accepted_IsCarriedInTheWireForm(string trigger, string wire) =>
        Assert.Equal(wire, WireTrigger(trigger));

    public static TheoryData<string, string> RefusedTriggers() => new()
    {
        { "null", "A trigger is an object" },
        { T("launch"), "'launch' is not a trigger subject" },
        { T("Event", "Purchase"), "'Event' is not a trigger subject" },
        { T("start", "Purchase"), "A 'start' trigger takes no noun or objects" },
        { T("resume", objects: "x"), "A 'resume' trigger takes no noun or objects" },
        { T("event"), "A 'event' trigger names its event in 'noun'" },
        { T("event", " "), "names its event in 'noun'" },
        { T("event", new string('e', 1025)), "1 to 1024 characters" },
        { T("state"), "names its state in 'noun'" },
        { T("userAttribute"), "names its attribute in 'noun'" },
        { T("enterRegion"), "names its region in 'noun'" },
        { T("event", "Purchase", "changes"), "'changes' is not a verb of a 'event' trigger; use one of triggers, triggersWithParameter" },
        { T("state", "Shop", "changesTo", "x"), "'changesTo' is not a verb of a 'state' trigger" },
        { T("userAttribute", "plan", "triggers"), "'triggers' is not a verb of a 'userAttribute' trigger; use one of changes, changesTo, changesFromTo" },
        { T("enterRegion", "Office", "triggersWithParameter", "a", "b"), "'triggersWithParameter' is not a verb of a 'enterRegion' trigger" },
        { T("event", "Purchase", "triggers", "item"), "'triggers' takes no objects" },
        { T("event", "Purchase", "triggersWithParameter"), "'triggersWithParameter' takes objects [parameter name, value]" },
        { T("event", "Purchase", "triggersWithParameter", "item"), "'triggersWithParameter' takes objects [parameter name, value]" },
        { T("state", "Shop", "triggersWithParameter", "a", "b", "c"), "'triggersWithParameter' takes objects [parameter name, value]" },
        { T("userAttribute", "plan", "changes", "gold"), "'changes' takes no objects" },
        { T("userAttribute", "plan", "changesTo"), "'changesTo' takes one or more values in objects" },
        { T("userAttribute", "plan", "changesFromTo", "gold"), "'changesFromTo' takes objects [from, to]" },
        { T("userAttribute", "plan", "changesFromTo", "a", "b", "c"), "'changesFromTo' takes objects [from, to]" },
        { """{"subject":"event","noun":"Purchase","verb":"triggersWithParameter","objects":["item",null]}""", "none null" },
        { T("userAttribute", "plan", "changesTo", [.. Enumerable.Range(0, 101).Select(i => i.ToString())]), "at most 100 texts" },
        { $$"""{"subject":"userAttribute","noun":"plan","verb":"changes","secondaryVerb":"{{new string('=', 17)}}"}""", "secondaryVerb is at most 16 characters" },
        { T("enterRegion", "Home"), "There is no region 'Home'; define it in the app's messaging settings first." },
        { T("exitRegion", "Home"), "There is no region 'Home'" },
    };

    [Theory]
    [MemberData(nameof(RefusedTriggers))]
    public void Trigger_Refused_SaysWhy(string trigger, string reason)
    {
        var e = Assert.Throws<TriggerException>(() => TriggerRules.Check(Trigger(trigger), Regions));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegionTrigger_WithoutKnownRegions_IsNotCheckedAgainstThem() =>
        Assert.Equal("Anywhere", TriggerRules.Check(Trigger(T("enterRegion", "Anywhere")), regions: null).Noun);

    public static TheoryData<string, string> AcceptedLimits()
    {
        var data = new TheoryData<string, string>
        {
            { L("times", "3", "limitSession"), """{"subject":"times","noun":"3","verb":"limitSession"}""" },
            { L("times", "1", "limitUser"), """{"subject":"times","noun":"1","verb":"limitUser"}""" },
            { L("onNthOccurrence", "5"), """{"subject":"onNthOccurrence","noun":"5"}""" },
            { L("everyNthOccurrence", "2"), """{"subject":"everyNthOccurrence","noun":"2"}""" },
        };
        foreach (var period in new[] { "limitSecond", "limitMinute", "limitHour", "limitDay", "limitWeek", "limitMonth" })
        {
            // Per N periods; without objects, per one period, written out so the SDKs read it.
            data.Add(L("times", "2", period, "3"), $$"""{"subject":"times","noun":"2","verb":"{{period}}","objects":["3"]}""");
            data.Add(L("times", "1", period), $$"""{"subject":"times","noun":"1","verb":"{{period}}","objects":["1"]}""");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AcceptedLimits))]
    public void Limit_Accepted_IsCarriedInTheWireForm(string limit, string wire) =>
        Assert.Equal(wire, WireLimit(limit));

    public static TheoryData<string, string> RefusedLimits() => new()
    {
        { "null", "A limit is an object" },
        { L("times", "0", "limitUser"), "A limit's noun is a positive whole number, not '0'" },
        { L("times", "-1", "limitUser"), "not '-1'" },
        { L("times", "two", "limitUser"), "not 'two'" },
        { L("times", "1.5", "limitUser"), "not '1.5'" },
        { """{"subject":"times","verb":"limitUser"}""", "A limit's noun is a positive whole number" },
        { L("times", "1"), "A 'times' limit's verb is one of limitSession, limitUser, limitSecond, limitMinute, limitHour, limitDay, limitWeek, limitMonth" },
        { L("times", "1", "limitYear"), "A 'times' limit's verb is one of" },
        { L("times", "1", "limitSession", "2"), "'limitSession' takes no objects" },
        { L("times", "1", "limitUser", "2"), "'limitUser' takes no objects" },
        { L("times", "1", "limitDay", "0"), "'limitDay' takes objects [N]" },
        { L("times", "1", "limitHour", "x"), "'limitHour' takes objects [N]" },
        { L("times", "1", "limitWeek", "1", "2"), "'limitWeek' takes objects [N]" },
        { L("onNthOccurrence", "3", "limitUser"), "An 'onNthOccurrence' limit has only a noun (N)" },
        { L("everyNthOccurrence", "3", null, "1"), "An 'everyNthOccurrence' limit has only a noun (N)" },
        { L("everyNthOccurrence", "0"), "positive whole number" },
        { L("sometimes", "1"), "'sometimes' is not a limit subject; use times, onNthOccurrence or everyNthOccurrence" },
    };

    [Theory]
    [MemberData(nameof(RefusedLimits))]
    public void Limit_Refused_SaysWhy(string limit, string reason)
    {
        var e = Assert.Throws<TriggerException>(() => TriggerRules.Check(Limit(limit)));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_AreWrappedAsTheSdksReadThem()
    {
        var when = TriggerRules.Triggers([Trigger(T("start"))!, Trigger(T("event", "Purchase", "triggers"))!]);
        var limits = TriggerRules.Limits([Limit(L("times", "1", "limitSession"))!]);

        Assert.Equal("""{"verb":"OR","children":[{"subject":"start"},{"subject":"event","noun":"Purchase","verb":"triggers"}]}""", when.ToJsonString());
        Assert.Equal("""{"verb":"AND","children":[{"subject":"times","noun":"1","verb":"limitSession"}]}""", limits.ToJsonString());
        Assert.Equal("""{"verb":"OR","children":[]}""", TriggerRules.Triggers([]).ToJsonString());
        Assert.Equal("""{"verb":"AND","children":[]}""", TriggerRules.Limits([]).ToJsonString());
    }
}
