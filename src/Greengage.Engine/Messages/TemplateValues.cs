using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Greengage.Engine.Messages;

/// <summary>What checking a message's values needs beyond the template.</summary>
/// <param name="AppActionDefinitions">The app's declared templates (nested actions may name them).</param>
/// <param name="ChainTarget">Whether a message id names a message that may be chained to (null: not checked).</param>
/// <param name="Complete">The message is (becoming) active: required arguments must be given.</param>
public sealed record TemplateCheck(JsonObject? AppActionDefinitions, Func<string, string?>? ChainTarget, bool Complete);

/// <summary>
/// Checks a message's template values (docs/messages.md): every argument a built-in template knows has a value of its
/// kind (text, whole number, number, true/false, ARGB colour int, file name or URL, action, object, list) and fits its
/// format; groups are objects; an unknown argument is refused (HTML and app-declared templates take arguments of their
/// own). Nested actions (objects with <c>__name__</c>) are checked against the template they name when it is built in.
/// An active message gives its template's required arguments.
/// </summary>
public static partial class TemplateValues
{
    /// <summary>How deep actions may nest (an action's action's action...).</summary>
    public const int MaxActionDepth = 8;

    public static void Check(TemplateDefinition template, JsonObject values, TemplateCheck check)
    {
        try
        {
            CheckAction(template, values, check, "", 0);
        }
        catch (TemplateException e)
        {
            throw new TemplateException(string.Concat(e.Message[..1].ToUpperInvariant(), e.Message[1..]));
        }
    }

    private static void CheckAction(TemplateDefinition template, JsonObject values, TemplateCheck check, string where, int depth)
    {
        if (depth > MaxActionDepth)
            throw new TemplateException($"{where}actions nest at most {MaxActionDepth} deep.");
        CheckGroup(template, values, "", check, where, depth);
        if (!check.Complete || template.Custom)
            return;
        foreach (var argument in template.Arguments.Values.Where(a => a.Required))
        {
            if (IsEmpty(Lookup(values, argument.Name) ?? argument.Default))
                throw new TemplateException($"{where}an active '{template.Name}' message needs '{argument.Name}'.");
        }
        if (template.OneRequired.Count > 0 && template.OneRequired.All(name => IsEmpty(Lookup(values, name))))
            throw new TemplateException($"{where}an active '{template.Name}' message needs {string.Join(" or ", template.OneRequired.Select(n => $"'{n}'"))}.");
    }

    private static void CheckGroup(TemplateDefinition template, JsonObject values, string prefix, TemplateCheck check, string where, int depth)
    {
        foreach (var (key, value) in values)
        {
            if (prefix.Length == 0 && key == "__name__")
                continue;
            var name = prefix + key;
            if (template.Custom)
            {
                // An app-declared template's kinds come from its SDK and may be stale: only its actions are checked.
                CheckNestedActions(value, check, where, depth);
            }
            else if (template.Arguments.TryGetValue(name, out var argument))
            {
                CheckValue(argument, value, check, where, depth);
            }
            else if (template.Arguments.Keys.Any(k => k.StartsWith(name + ".", StringComparison.Ordinal)))
            {
                if (value is not JsonObject group)
                    throw new TemplateException($"{where}'{name}' is a group of {string.Join(", ", Members(template, name))}: give an object.");
                CheckGroup(template, group, name + ".", check, where, depth);
            }
            else if (template.OpenArguments)
            {
                CheckNestedActions(value, check, where, depth);
            }
            else
            {
                var known = prefix.Length == 0 ? TopLevel(template) : Members(template, prefix[..^1]);
                throw new TemplateException(known.Count == 0
                    ? $"{where}the '{template.Name}' template takes no arguments, not '{name}'."
                    : $"{where}the '{template.Name}' template has no argument '{name}'; it has {string.Join(", ", known)}.");
            }
        }
    }

    /// <summary>An argument the template does not know (an HTML template's own): only actions inside it are checked.</summary>
    private static void CheckNestedActions(JsonNode? value, TemplateCheck check, string where, int depth)
    {
        if (value is not JsonObject o)
            return;
        if (o["__name__"] is not null)
        {
            CheckActionValue(o, check, where, depth);
            return;
        }
        foreach (var (_, child) in o)
            CheckNestedActions(child, check, where, depth);
    }

    private static void CheckValue(TemplateArgument argument, JsonNode? value, TemplateCheck check, string where, int depth)
    {
        var name = argument.Name;
        switch (argument.Kind)
        {
            case ArgumentKinds.String:
                var text = Text(value) ?? throw new TemplateException($"{where}'{name}' is text: give a string.");
                CheckText(argument, text, check, where);
                break;
            case ArgumentKinds.Integer:
                if (!IsNumber(value, out var n) || n != Math.Floor(n))
                    throw new TemplateException($"{where}'{name}' is a whole number.");
                break;
            case ArgumentKinds.Float:
                if (!IsNumber(value, out _))
                    throw new TemplateException($"{where}'{name}' is a number.");
                break;
            case ArgumentKinds.Bool:
                if (value?.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
                    throw new TemplateException($"{where}'{name}' is true or false.");
                break;
            case ArgumentKinds.Color:
                if (!IsNumber(value, out var color) || color != Math.Floor(color) || color < int.MinValue || color > uint.MaxValue)
                    throw new TemplateException($"{where}'{name}' is a colour: give it as an ARGB integer (for example {MessageTemplates.Black} for opaque black, -1 for white).");
                break;
            case ArgumentKinds.File:
                if (value is not null && Text(value) is null)
                    throw new TemplateException($"{where}'{name}' is a file: give its name (as uploaded) or a URL, or null for none.");
                break;
            case ArgumentKinds.Action:
                if (value is null)
                    break;
                if (value is not JsonObject action)
                    throw new TemplateException($"{where}'{name}' is an action: give an object naming its template in '__name__', or null for none.");
                CheckActionValue(action, check, $"{where}'{name}' ", depth);
                break;
            case ArgumentKinds.Group:
                if (value is not JsonObject map)
                    throw new TemplateException($"{where}'{name}' is an object.");
                if (argument.Format == ArgumentFormat.TextMap && map.FirstOrDefault(p => Text(p.Value) is null) is { Key: { } bad })
                    throw new TemplateException($"{where}'{name}': the value of '{bad}' is text.");
                break;
            case ArgumentKinds.List:
                if (value is not JsonArray)
                    throw new TemplateException($"{where}'{name}' is a list.");
                break;
        }
    }

    private static void CheckActionValue(JsonObject action, TemplateCheck check, string where, int depth)
    {
        if (Text(action["__name__"]) is not { Length: > 0 } actionName)
            throw new TemplateException($"{where}names its template in '__name__' (text).");
        var nested = MessageTemplates.BuiltInNamed(actionName);
        if (nested is not null && !nested.Channels.Contains(MessageChannels.InApp))
            throw new TemplateException($"{where}runs '{actionName}', which is not an action a message can run.");
        // An action the app declared, or defines in code without having synced it yet: only its own actions are checked.
        var template = nested ?? MessageTemplates.Find(actionName, check.AppActionDefinitions) ?? new TemplateDefinition(actionName, [MessageChannels.InApp], [], new Dictionary<string, string>(), Custom: true) { OpenArguments = true };
        CheckAction(template, action, check, $"{where}({actionName}): ", depth + 1);
    }

    private static void CheckText(TemplateArgument argument, string text, TemplateCheck check, string where)
    {
        var name = argument.Name;
        if (argument.OneOf is { } allowed && !allowed.Contains(text, StringComparer.Ordinal))
            throw new TemplateException($"{where}'{name}' is one of {string.Join(", ", allowed)}, not '{text}'.");
        // Placeholders render per user; check the text around them.
        var plain = Placeholders().Replace(text, "x");
        switch (argument.Format)
        {
            case ArgumentFormat.HttpUrl when text.Length > 0:
                if (!Uri.TryCreate(plain, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    throw new TemplateException($"{where}'{name}' is an absolute http or https URL, not '{text}'.");
                break;
            case ArgumentFormat.Email when text.Length > 0:
                if (plain.Count(c => c == '@') != 1 || plain.StartsWith('@') || plain.EndsWith('@') || plain.Any(char.IsWhiteSpace))
                    throw new TemplateException($"{where}'{name}' is an e-mail address, not '{text}'.");
                break;
            case ArgumentFormat.Size when text.Length > 0:
                if (!SizeText().IsMatch(text))
                    throw new TemplateException($"{where}'{name}' is a whole number followed by px or %, not '{text}'.");
                break;
            case ArgumentFormat.Digits when text.Length > 0:
                if (!text.All(char.IsAsciiDigit))
                    throw new TemplateException($"{where}'{name}' is a whole number (as text), not '{text}'.");
                break;
            case ArgumentFormat.MessageId when text.Length > 0:
                if (!text.All(char.IsAsciiDigit) || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    throw new TemplateException($"{where}'{name}' is a message id, not '{text}'.");
                if (check.ChainTarget?.Invoke(text) is { } problem)
                    throw new TemplateException($"{where}'{name}': {problem}");
                break;
        }
    }

    /// <summary>Every message id a tree of values chains to (<c>Chained message</c> of a Chain to Existing Message action).</summary>
    public static IEnumerable<string> ChainTargets(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            if (Text(o["__name__"]) == MessageTemplates.ChainToExisting && Text(o[MessageTemplates.ChainedMessage]) is { } target)
                yield return target;
            foreach (var (_, child) in o)
            {
                foreach (var nested in ChainTargets(child))
                    yield return nested;
            }
        }
    }

    private static List<string> TopLevel(TemplateDefinition template) =>
        [.. template.Arguments.Keys.Select(k => k.Split('.')[0]).Distinct(StringComparer.Ordinal).Select(k => $"'{k}'")];

    private static List<string> Members(TemplateDefinition template, string group) =>
        [.. template.Arguments.Keys.Where(k => k.StartsWith(group + ".", StringComparison.Ordinal)).Select(k => k[(group.Length + 1)..].Split('.')[0]).Distinct(StringComparer.Ordinal).Select(k => $"'{k}'")];

    private static JsonNode? Lookup(JsonObject values, string dotted)
    {
        JsonNode? node = values;
        foreach (var part in dotted.Split('.'))
            node = node is JsonObject o ? o[part] : null;
        return node;
    }

    private static bool IsEmpty(JsonNode? value) => value is null || (Text(value) is { } text && text.Trim().Length == 0);

    private static string? Text(JsonNode? value) =>
        value is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool IsNumber(JsonNode? value, out double number)
    {
        number = 0;
        return value is JsonValue v && v.GetValueKind() == JsonValueKind.Number
            && double.TryParse(v.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number);
    }

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex Placeholders();

    [GeneratedRegex(@"^\d{1,6}(px|%)$")]
    private static partial Regex SizeText();
}

/// <summary>A template value that does not fit its template.</summary>
public sealed class TemplateException(string message) : Exception(message);
