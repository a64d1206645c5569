using System.Text.Json.Nodes;

namespace Greengage.Engine.Messages;

/// <summary>
/// A message template: its name (the <c>action</c> the SDKs dispatch on), the channels it serves, its arguments'
/// defaults (groups as nested objects) and kinds (by dotted argument name: <c>text</c>, <c>number</c>, <c>bool</c>,
/// <c>color</c>, <c>file</c>, <c>action</c>, <c>group</c>, ...).
/// </summary>
public sealed record TemplateDefinition(string Name, IReadOnlyList<string> Channels, JsonObject Defaults, IReadOnlyDictionary<string, string> Kinds, bool Custom = false);

/// <summary>
/// The templates Greengage knows: Leanplum's built-in in-app templates (the arguments its SDKs' templates read), the
/// server channels' own (<c>__Push Notification</c>, <c>__Newsfeed Message</c>, <c>Webhook</c>, <c>Email</c>), and the
/// app's custom templates, declared through <c>setVars</c>' <c>actionDefinitions</c>.
/// </summary>
public static class MessageTemplates
{
    public const string PushNotification = "__Push Notification";
    public const string NewsfeedMessage = "__Newsfeed Message";
    public const string HeldBack = "__held_back";
    public const string Webhook = "Webhook";
    public const string Email = "Email";

    private static readonly string[] InApp = [MessageChannels.InApp];

    private static readonly Dictionary<string, TemplateDefinition> BuiltIn = new TemplateDefinition[]
    {
        new("Alert", InApp, new JsonObject { ["Title"] = "", ["Message"] = "Alert message goes here.", ["Dismiss text"] = "OK", ["Dismiss action"] = null },
            Kinds(("Title", "text"), ("Message", "text"), ("Dismiss text", "text"), ("Dismiss action", "action"))),
        new("Confirm", InApp, new JsonObject { ["Title"] = "", ["Message"] = "Confirmation message goes here.", ["Accept text"] = "Accept", ["Cancel text"] = "Cancel", ["Accept action"] = null, ["Cancel action"] = null },
            Kinds(("Title", "text"), ("Message", "text"), ("Accept text", "text"), ("Cancel text", "text"), ("Accept action", "action"), ("Cancel action", "action"))),
        new("Open URL", InApp, new JsonObject { ["URL"] = "http://www.example.com" }, Kinds(("URL", "text"))),
        new("Register For Push", InApp, [], Kinds()),
        new("Chain to Existing Message", InApp, new JsonObject { ["Chained message"] = "" }, Kinds(("Chained message", "text"))),
        new(PushNotification, [MessageChannels.Push], new JsonObject { ["Message"] = "", ["Open action"] = null }, Kinds(("Message", "text"), ("Open action", "action"))),
        new(NewsfeedMessage, [MessageChannels.Inbox], new JsonObject { ["Title"] = "", ["Subtitle"] = "", ["Image"] = "", ["Data"] = new JsonObject(), ["Open action"] = null },
            Kinds(("Title", "text"), ("Subtitle", "text"), ("Image", "text"), ("Data", "group"), ("Open action", "action"))),
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<TemplateDefinition> All => BuiltIn.Values;

    /// <summary>The template named <paramref name="name"/>: built in, else declared by the app (null: unknown).</summary>
    public static TemplateDefinition? Find(string name, JsonObject? appActionDefinitions)
    {
        if (BuiltIn.TryGetValue(name, out var builtIn))
            return builtIn;
        if (appActionDefinitions?[name] is JsonObject declared)
        {
            var defaults = declared["values"] as JsonObject ?? [];
            var kinds = (declared["kinds"] as JsonObject ?? []).ToDictionary(k => k.Key, k => k.Value?.ToString().ToLowerInvariant() ?? "", StringComparer.Ordinal);
            return new TemplateDefinition(name, InApp, (JsonObject)defaults.DeepClone(), kinds, Custom: true);
        }
        return null;
    }

    /// <summary>The template's channel-default template name, for channels that have one template.</summary>
    public static string? DefaultFor(string channel) => channel switch
    {
        MessageChannels.Push => PushNotification,
        MessageChannels.Inbox => NewsfeedMessage,
        _ => null,
    };

    /// <summary>
    /// The <c>vars</c> the SDK gets: the template's defaults with the message's values over them (groups merged), and
    /// <c>__name__</c> naming the template.
    /// </summary>
    public static JsonObject Vars(TemplateDefinition? template, JsonObject values)
    {
        var vars = template is null ? [] : (JsonObject)template.Defaults.DeepClone();
        Merge(vars, values);
        vars["__name__"] = template?.Name;
        return vars;
    }

    private static void Merge(JsonObject into, JsonObject values)
    {
        foreach (var (name, value) in values)
        {
            if (value is JsonObject group && into[name] is JsonObject existing && group["__name__"] is null)
                Merge(existing, group);
            else
                into[name] = value?.DeepClone();
        }
    }

    private static Dictionary<string, string> Kinds(params (string Name, string Kind)[] kinds) =>
        kinds.ToDictionary(k => k.Name, k => k.Kind, StringComparer.Ordinal);
}
