using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Greengage.Engine.Messages;

/// <summary>What a message's text may name: the user, their attributes, and the <c>values</c> of a send.</summary>
public sealed record PersonalizationContext(
    string UserId,
    string? DeviceId,
    IReadOnlyDictionary<string, JsonElement>? Attributes,
    JsonObject? SendValues,
    IReadOnlyDictionary<string, JsonElement>? Parameters = null);

/// <summary>
/// Personalisation of message text, in the forms Leanplum's dashboard wrote (docs/messages.md):
/// <c>{{userAttribute['Name']}}</c> (or <c>["Name"]</c>), <c>{{userId}}</c>, <c>{{deviceId}}</c>, a send's
/// <c>values</c> as <c>{{Value "key"}}</c>, <c>{{"key"}}</c> or <c>{{value['key']}}</c>, the triggering event's
/// <c>{{parameter['name']}}</c>, each with an optional fallback: <c>| default('text')</c> (or <c>default("text")</c>,
/// <c>default: 'text'</c>). A missing value without a fallback is empty. Expressions are checked when a message is
/// saved (<see cref="Check"/>), so what is stored always renders.
/// </summary>
public static partial class Personalization
{
    [GeneratedRegex("""\{\{\s*(?<expr>.*?)\s*(?:\|\s*default\s*(?:\(\s*(?<q>['"])(?<fallback>.*?)\k<q>\s*\)|:\s*(?<q2>['"])(?<fallback2>.*?)\k<q2>))?\s*\}\}""", RegexOptions.Singleline)]
    private static partial Regex Placeholder();

    [GeneratedRegex("""^(?:(?<kind>userAttribute|value|parameter)\s*\[\s*(?<q>['"])(?<name>.*?)\k<q>\s*\]|(?:Value\s+)?"(?<value>[^"]*)"|(?<plain>userId|deviceId))$""")]
    private static partial Regex Expression();

    /// <summary>Whether a text (or any text in a tree) has placeholders.</summary>
    public static bool IsPersonalized(JsonNode? node) => node switch
    {
        JsonObject o => o.Any(p => IsPersonalized(p.Value)),
        JsonArray a => a.Any(IsPersonalized),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>().Contains("{{", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Refuses a tree with a placeholder that is not one of the forms above, naming it.</summary>
    public static void Check(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                    Check(child);
                break;
            case JsonArray a:
                foreach (var child in a)
                    Check(child);
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                foreach (Match m in Placeholder().Matches(text))
                {
                    if (!Expression().IsMatch(m.Groups["expr"].Value))
                        throw new PersonalizationException($"'{m.Value}' is not a personalisation Greengage knows: use userAttribute['name'], userId, deviceId, Value \"key\", value['key'] or parameter['name'], optionally with | default('text').");
                }
                var open = text.Split("{{").Length - 1;
                if (open != Placeholder().Count(text))
                    throw new PersonalizationException($"'{text}' has a '{{{{' without its '}}}}'.");
                break;
        }
    }

    /// <summary>A copy of the tree with every placeholder replaced for <paramref name="context"/>.</summary>
    /// <summary>The tree with its placeholders filled in: a new tree, or <paramref name="node"/> itself when it has none.</summary>
    public static JsonNode? Render(JsonNode? node, PersonalizationContext context) =>
        IsPersonalized(node) ? RenderTree(node, context) : node;

    private static JsonNode? RenderTree(JsonNode? node, PersonalizationContext context) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, RenderTree(p.Value, context)))),
        JsonArray a => new JsonArray([.. a.Select(child => RenderTree(child, context))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(RenderText(v.GetValue<string>(), context)),
        _ => node?.DeepClone(),
    };

    public static string RenderText(string text, PersonalizationContext context)
    {
        if (!text.Contains("{{", StringComparison.Ordinal))
            return text;
        return Placeholder().Replace(text, m =>
        {
            var fallback = m.Groups["fallback"].Success ? m.Groups["fallback"].Value : m.Groups["fallback2"].Success ? m.Groups["fallback2"].Value : "";
            var e = Expression().Match(m.Groups["expr"].Value);
            if (!e.Success)
                return m.Value;
            var value = e.Groups["plain"].Success
                ? (e.Groups["plain"].Value == "userId" ? context.UserId : context.DeviceId)
                : e.Groups["value"].Success
                    ? Text(context.SendValues?[e.Groups["value"].Value])
                    : e.Groups["kind"].Value switch
                    {
                        "userAttribute" => Text(context.Attributes, e.Groups["name"].Value),
                        "parameter" => Text(context.Parameters, e.Groups["name"].Value),
                        _ => Text(context.SendValues?[e.Groups["name"].Value]),
                    };
            return string.IsNullOrEmpty(value) ? fallback : value;
        });
    }

    private static string? Text(IReadOnlyDictionary<string, JsonElement>? values, string name) =>
        values is not null && values.TryGetValue(name, out var value) ? Text(value) : null;

    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static string? Text(JsonNode? value) => value switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValueKind() == JsonValueKind.True ? "true" : "false",
        _ => value.ToJsonString(),
    };
}

/// <summary>A placeholder in message text that Greengage does not know.</summary>
public sealed class PersonalizationException(string message) : Exception(message);
