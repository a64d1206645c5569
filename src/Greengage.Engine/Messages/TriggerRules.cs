using System.Globalization;
using System.Text.Json.Nodes;

namespace Greengage.Engine.Messages;

/// <summary>
/// What a trigger and a limit may say (spec 6.6, and what the SDKs' trigger code reads), and their wire form:
/// <c>whenTriggers</c>/<c>unlessTriggers</c> as <c>{"verb":"OR","children":[...]}</c>, <c>whenLimits</c> as
/// <c>{"verb":"AND","children":[...]}</c>. A message is checked whole before it is stored.
/// </summary>
public static class TriggerRules
{
    public static readonly string[] Subjects = ["start", "resume", "event", "state", "userAttribute", "enterRegion", "exitRegion"];

    /// <summary>The verbs each subject takes, with the number of <c>objects</c> each needs (-1: one or more).</summary>
    private static readonly Dictionary<string, Dictionary<string, int>> Verbs = new(StringComparer.Ordinal)
    {
        ["event"] = new() { ["triggers"] = 0, ["triggersWithParameter"] = 2 },
        ["state"] = new() { ["triggers"] = 0, ["triggersWithParameter"] = 2 },
        ["userAttribute"] = new() { ["changes"] = 0, ["changesTo"] = -1, ["changesFromTo"] = 2 },
        ["enterRegion"] = new() { ["triggers"] = 0 },
        ["exitRegion"] = new() { ["triggers"] = 0 },
    };

    /// <summary>The <c>times</c> limit's verbs; the per-period ones take <c>objects:[N]</c> (per N periods, default 1).</summary>
    public static readonly string[] TimesVerbs =
        ["limitSession", "limitUser", "limitSecond", "limitMinute", "limitHour", "limitDay", "limitWeek", "limitMonth"];

    public const int MaxTriggers = 50;

    public const int MaxLimits = 20;

    /// <summary>The longest noun (event, state, attribute or region name) or object value.</summary>
    public const int MaxTextLength = 1024;

    /// <summary>The most values a <c>changesTo</c> trigger lists.</summary>
    public const int MaxObjects = 100;

    /// <summary>A trigger as it will be stored (unneeded parts dropped), or the reason it is refused.</summary>
    public static MessageTrigger Check(MessageTrigger? trigger, IReadOnlyCollection<string>? regions = null)
    {
        if (trigger is null)
            throw new TriggerException("A trigger is an object with a subject.");
        if (!Subjects.Contains(trigger.Subject))
            throw new TriggerException($"'{trigger.Subject}' is not a trigger subject; use one of {string.Join(", ", Subjects)}.");
        if (trigger.Subject is "start" or "resume")
        {
            if (!string.IsNullOrEmpty(trigger.Noun) || trigger.Objects is { Count: > 0 })
                throw new TriggerException($"A '{trigger.Subject}' trigger takes no noun or objects.");
            return trigger with { Verb = null, Objects = null };
        }
        if (string.IsNullOrWhiteSpace(trigger.Noun) || trigger.Noun.Length > MaxTextLength)
            throw new TriggerException($"A '{trigger.Subject}' trigger names its {NounOf(trigger.Subject)} in 'noun' (1 to {MaxTextLength} characters).");
        if (trigger.Objects is { } given && (given.Count > MaxObjects || given.Any(o => o is null || o.Length > MaxTextLength)))
            throw new TriggerException($"A trigger's objects are at most {MaxObjects} texts of at most {MaxTextLength} characters, none null.");
        if (trigger.SecondaryVerb is { Length: > 16 })
            throw new TriggerException("A trigger's secondaryVerb is at most 16 characters.");
        var verbs = Verbs[trigger.Subject];
        var verb = trigger.Verb ?? (verbs.ContainsKey("triggers") ? "triggers" : "changes");
        if (!verbs.TryGetValue(verb, out var arity))
            throw new TriggerException($"'{verb}' is not a verb of a '{trigger.Subject}' trigger; use one of {string.Join(", ", verbs.Keys)}.");
        var count = trigger.Objects?.Count ?? 0;
        if (arity == -1 ? count == 0 : count != arity)
        {
            throw new TriggerException(verb switch
            {
                "triggersWithParameter" => "'triggersWithParameter' takes objects [parameter name, value].",
                "changesTo" => "'changesTo' takes one or more values in objects.",
                "changesFromTo" => "'changesFromTo' takes objects [from, to].",
                _ => $"'{verb}' takes no objects.",
            });
        }
        if (trigger.Subject is "enterRegion" or "exitRegion" && regions is not null && !regions.Contains(trigger.Noun))
            throw new TriggerException($"There is no region '{trigger.Noun}'; define it in the app's messaging settings first.");
        return trigger with { Verb = verb, Objects = count == 0 ? null : trigger.Objects };
    }

    /// <summary>A limit as it will be stored, or the reason it is refused.</summary>
    public static MessageLimit Check(MessageLimit? limit)
    {
        if (limit is null)
            throw new TriggerException("A limit is an object with a subject and a noun.");
        if (!int.TryParse(limit.Noun, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
            throw new TriggerException($"A limit's noun is a positive whole number, not '{limit.Noun}'.");
        switch (limit.Subject)
        {
            case "times":
                if (limit.Verb is null || !TimesVerbs.Contains(limit.Verb))
                    throw new TriggerException($"A 'times' limit's verb is one of {string.Join(", ", TimesVerbs)}.");
                if (limit.Verb is "limitSession" or "limitUser")
                {
                    if (limit.Objects is { Count: > 0 })
                        throw new TriggerException($"'{limit.Verb}' takes no objects.");
                    return limit with { Objects = null };
                }
                var per = limit.Objects is { Count: > 0 } objects ? objects[0] : "1";
                if (limit.Objects is { Count: > 1 } || !int.TryParse(per, NumberStyles.None, CultureInfo.InvariantCulture, out var periods) || periods < 1)
                    throw new TriggerException($"'{limit.Verb}' takes objects [N]: at most '{limit.Noun}' times per N periods.");
                return limit with { Objects = [per] };
            case "onNthOccurrence" or "everyNthOccurrence":
                if (limit.Verb is not null || limit.Objects is { Count: > 0 })
                    throw new TriggerException($"An '{limit.Subject}' limit has only a noun (N).");
                return limit;
            default:
                throw new TriggerException($"'{limit.Subject}' is not a limit subject; use times, onNthOccurrence or everyNthOccurrence.");
        }
    }

    /// <summary><c>{"verb":"OR","children":[...]}</c>.</summary>
    public static JsonObject Triggers(IReadOnlyList<MessageTrigger> triggers)
    {
        var children = new JsonArray();
        foreach (var t in triggers)
        {
            var o = new JsonObject { ["subject"] = t.Subject };
            if (t.Noun is not null)
                o["noun"] = t.Noun;
            if (t.Verb is not null)
                o["verb"] = t.Verb;
            if (t.Objects is not null)
                o["objects"] = new JsonArray([.. t.Objects.Select(v => (JsonNode?)v)]);
            if (t.SecondaryVerb is not null)
                o["secondaryVerb"] = t.SecondaryVerb;
            children.Add(o);
        }
        return new JsonObject { ["verb"] = "OR", ["children"] = children };
    }

    /// <summary><c>{"verb":"AND","children":[...]}</c>.</summary>
    public static JsonObject Limits(IReadOnlyList<MessageLimit> limits)
    {
        var children = new JsonArray();
        foreach (var l in limits)
        {
            var o = new JsonObject { ["subject"] = l.Subject, ["noun"] = l.Noun };
            if (l.Verb is not null)
                o["verb"] = l.Verb;
            if (l.Objects is not null)
                o["objects"] = new JsonArray([.. l.Objects.Select(v => (JsonNode?)v)]);
            children.Add(o);
        }
        return new JsonObject { ["verb"] = "AND", ["children"] = children };
    }

    private static string NounOf(string subject) => subject switch
    {
        "event" => "event",
        "state" => "state",
        "userAttribute" => "attribute",
        _ => "region",
    };
}

/// <summary>A trigger or limit that spec 6.6 does not allow.</summary>
public sealed class TriggerException(string message) : Exception(message);
