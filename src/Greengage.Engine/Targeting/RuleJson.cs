using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Engine.Targeting;

/// <summary>A rule that cannot be read or compiled; the message says where and why.</summary>
public sealed class RuleException(string message) : Exception(message);

/// <summary>
/// The JSON form of a <see cref="Rule"/> (docs/targeting.md):
/// <c>{"and":[...]}</c>, <c>{"or":[...]}</c>, <c>{"not":{...}}</c>, and criteria
/// <c>{"subject":"attribute","name":"plan","op":"is","value":"gold"}</c>; <c>"values":[...]</c> for several values;
/// events and states take <c>"measure"</c> (<c>count</c>, <c>value</c>, <c>firstTime</c>, <c>lastTime</c>) and events
/// <c>"param":{"name":"item","value":"sword"}</c>.
/// </summary>
public static class RuleJson
{
    /// <summary>Deepest nesting of and/or/not accepted.</summary>
    public const int MaxDepth = 16;

    /// <summary>Most criteria in one rule.</summary>
    public const int MaxCriteria = 200;

    private static readonly Dictionary<string, Subject> Subjects = new(StringComparer.Ordinal)
    {
        ["attribute"] = Subject.Attribute,
        ["event"] = Subject.Event,
        ["state"] = Subject.State,
        ["sessions"] = Subject.Sessions,
        ["timeInApp"] = Subject.TimeInApp,
        ["lifetimeValue"] = Subject.LifetimeValue,
        ["firstRun"] = Subject.FirstRun,
        ["lastActive"] = Subject.LastActive,
        ["appVersion"] = Subject.AppVersion,
        ["os"] = Subject.Os,
        ["osVersion"] = Subject.OsVersion,
        ["deviceModel"] = Subject.DeviceModel,
        ["browser"] = Subject.Browser,
        ["locale"] = Subject.Locale,
        ["country"] = Subject.Country,
        ["region"] = Subject.Region,
        ["city"] = Subject.City,
        ["userBucket"] = Subject.UserBucket,
        ["pushEnabled"] = Subject.PushEnabled,
        ["trafficSource"] = Subject.TrafficSource,
        ["userId"] = Subject.UserId,
        ["audience"] = Subject.Audience,
    };

    private static readonly Dictionary<string, Operator> Operators = new(StringComparer.Ordinal)
    {
        ["isAny"] = Operator.IsAny,
        ["isSet"] = Operator.IsSet,
        ["isNotSet"] = Operator.IsNotSet,
        ["is"] = Operator.Is,
        ["isNot"] = Operator.IsNot,
        ["isEmpty"] = Operator.IsEmpty,
        ["contains"] = Operator.Contains,
        ["notContains"] = Operator.NotContains,
        ["greaterThan"] = Operator.GreaterThan,
        ["lessThan"] = Operator.LessThan,
        ["atLeast"] = Operator.AtLeast,
        ["atMost"] = Operator.AtMost,
        ["between"] = Operator.Between,
        ["after"] = Operator.After,
        ["notAfter"] = Operator.NotAfter,
        ["before"] = Operator.Before,
        ["notBefore"] = Operator.NotBefore,
    };

    private static readonly Dictionary<string, Measure> Measures = new(StringComparer.Ordinal)
    {
        ["count"] = Measure.Count,
        ["value"] = Measure.Value,
        ["firstTime"] = Measure.FirstTime,
        ["lastTime"] = Measure.LastTime,
    };

    public static string NameOf(Subject subject) => Subjects.First(s => s.Value == subject).Key;

    public static string NameOf(Operator op) => Operators.First(o => o.Value == op).Key;

    public static string NameOf(Measure measure) => Measures.First(m => m.Value == measure).Key;

    public static Rule Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new RuleException($"The rule is not valid JSON: {e.Message}");
        }
    }

    public static Rule Parse(JsonElement element)
    {
        var criteria = 0;
        return Read(element, "rule", 0, ref criteria);
    }

    private static Rule Read(JsonElement e, string path, int depth, ref int criteria)
    {
        if (depth > MaxDepth)
            throw new RuleException($"{path}: rules nest at most {MaxDepth} deep.");
        if (e.ValueKind != JsonValueKind.Object)
            throw new RuleException($"{path}: expected an object.");
        if (e.TryGetProperty("and", out var and))
            return new AllOf(ReadList(e, and, "and", path, depth, ref criteria));
        if (e.TryGetProperty("or", out var or))
            return new AnyOf(ReadList(e, or, "or", path, depth, ref criteria));
        if (e.TryGetProperty("not", out var not))
        {
            OnlyKey(e, "not", path);
            return new NotRule(Read(not, path + ".not", depth + 1, ref criteria));
        }
        if (++criteria > MaxCriteria)
            throw new RuleException($"A rule holds at most {MaxCriteria} criteria.");
        return ReadCriterion(e, path);
    }

    private static List<Rule> ReadList(JsonElement owner, JsonElement list, string key, string path, int depth, ref int criteria)
    {
        OnlyKey(owner, key, path);
        if (list.ValueKind != JsonValueKind.Array)
            throw new RuleException($"{path}.{key}: expected an array of rules.");
        var rules = new List<Rule>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
            rules.Add(Read(item, $"{path}.{key}[{i++}]", depth + 1, ref criteria));
        return rules;
    }

    private static void OnlyKey(JsonElement e, string key, string path)
    {
        foreach (var property in e.EnumerateObject())
        {
            if (property.Name != key)
                throw new RuleException($"{path}: '{key}' stands alone; unexpected '{property.Name}'.");
        }
    }

    private static Criterion ReadCriterion(JsonElement e, string path)
    {
        string? subjectName = null, name = null, opName = null, measureName = null;
        JsonElement? value = null, values = null, param = null;
        foreach (var property in e.EnumerateObject())
        {
            switch (property.Name)
            {
                case "subject": subjectName = Text(property.Value, path, "subject"); break;
                case "name": name = Text(property.Value, path, "name"); break;
                case "op": opName = Text(property.Value, path, "op"); break;
                case "measure": measureName = Text(property.Value, path, "measure"); break;
                case "value": value = property.Value; break;
                case "values": values = property.Value; break;
                case "param": param = property.Value; break;
                default: throw new RuleException($"{path}: unknown key '{property.Name}' (a criterion has subject, name, op, value or values, measure, param).");
            }
        }
        if (subjectName is null)
            throw new RuleException($"{path}: expected 'and', 'or', 'not' or a criterion with 'subject'.");
        if (!Subjects.TryGetValue(subjectName, out var subject))
            throw new RuleException($"{path}: unknown subject '{subjectName}'; expected one of {string.Join(", ", Subjects.Keys)}.");
        if (opName is null)
            throw new RuleException($"{path}: 'op' must be provided.");
        if (!Operators.TryGetValue(opName, out var op))
            throw new RuleException($"{path}: unknown op '{opName}'; expected one of {string.Join(", ", Operators.Keys)}.");
        var measure = Measure.Count;
        if (measureName is not null && !Measures.TryGetValue(measureName, out measure))
            throw new RuleException($"{path}: unknown measure '{measureName}'; expected one of {string.Join(", ", Measures.Keys)}.");
        if (value is not null && values is not null)
            throw new RuleException($"{path}: give 'value' or 'values', not both.");
        List<JsonElement> list = [];
        if (values is { } array)
        {
            if (array.ValueKind != JsonValueKind.Array)
                throw new RuleException($"{path}.values: expected an array.");
            list.AddRange(array.EnumerateArray().Select(v => v.Clone()));
        }
        else if (value is { } single)
        {
            list.Add(single.Clone());
        }
        ParameterMatch? parameter = null;
        if (param is { } p)
        {
            if (p.ValueKind != JsonValueKind.Object || !p.TryGetProperty("name", out var pn) || pn.ValueKind != JsonValueKind.String || !p.TryGetProperty("value", out var pv))
                throw new RuleException($"{path}.param: expected {{\"name\": \"...\", \"value\": ...}}.");
            parameter = new ParameterMatch(pn.GetString()!, pv.Clone());
        }
        return new Criterion(subject, name, op, list, measure, parameter);
    }

    private static string Text(JsonElement e, string path, string key) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new RuleException($"{path}.{key}: expected a string.");

    /// <summary>The JSON form of <paramref name="rule"/> (what <see cref="Parse(JsonElement)"/> reads back).</summary>
    public static JsonNode Write(Rule rule) => rule switch
    {
        AllOf all => new JsonObject { ["and"] = new JsonArray([.. all.Rules.Select(Write)]) },
        AnyOf any => new JsonObject { ["or"] = new JsonArray([.. any.Rules.Select(Write)]) },
        NotRule not => new JsonObject { ["not"] = Write(not.Inner) },
        Criterion c => WriteCriterion(c),
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    private static JsonObject WriteCriterion(Criterion c)
    {
        var o = new JsonObject { ["subject"] = NameOf(c.Subject) };
        if (c.Name is not null)
            o["name"] = c.Name;
        if (c.Subject is Subject.Event or Subject.State && c.Measure != Measure.Count)
            o["measure"] = NameOf(c.Measure);
        if (c.Parameter is { } p)
            o["param"] = new JsonObject { ["name"] = p.Name, ["value"] = JsonNode.Parse(p.Value.GetRawText()) };
        o["op"] = NameOf(c.Operator);
        if (c.Values.Count == 1)
            o["value"] = JsonNode.Parse(c.Values[0].GetRawText());
        else if (c.Values.Count > 1)
            o["values"] = new JsonArray([.. c.Values.Select(v => JsonNode.Parse(v.GetRawText()))]);
        return o;
    }
}
