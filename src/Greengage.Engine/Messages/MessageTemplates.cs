using System.Text.Json.Nodes;

namespace Greengage.Engine.Messages;

/// <summary>
/// The kinds of template arguments, as the SDKs name them in <c>actionDefinitions</c>' <c>kinds</c> (Android's
/// <c>ActionArgs.with</c>/<c>withColor</c>/<c>withFile</c>/<c>withAction</c>; iOS's <c>LPActionArg</c>).
/// </summary>
public static class ArgumentKinds
{
    public const string String = "string";
    public const string Integer = "integer";
    public const string Float = "float";
    public const string Bool = "bool";

    /// <summary>An ARGB colour as a 32-bit integer (signed, as Android's <c>Color</c> ints, or unsigned).</summary>
    public const string Color = "color";

    /// <summary>A file name (uploaded with <c>uploadFile</c>) or a URL; null for none.</summary>
    public const string File = "file";

    /// <summary>An action the message runs: null (none) or an object naming its template in <c>__name__</c>.</summary>
    public const string Action = "action";

    /// <summary>A free-form object (a dictionary the app reads, such as an inbox message's <c>Data</c>).</summary>
    public const string Group = "group";

    public const string List = "list";
}

/// <summary>
/// One argument of a template: its dotted name (<c>Title.Color</c> is <c>Color</c> in the group <c>Title</c>), its
/// kind, the default the server sends when the message does not set it (null: none; the SDK's own default applies),
/// whether an active message must give it, and a constraint on its text.
/// </summary>
public sealed record TemplateArgument(string Name, string Kind, JsonNode? Default = null, bool Required = false, ArgumentFormat Format = ArgumentFormat.Any, IReadOnlyList<string>? OneOf = null);

/// <summary>What an argument's text must look like, beyond its kind.</summary>
public enum ArgumentFormat
{
    Any,

    /// <summary>An absolute http or https URL (placeholders allowed).</summary>
    HttpUrl,

    /// <summary>An e-mail address (placeholders allowed).</summary>
    Email,

    /// <summary>A size as the HTML template reads it: a whole number followed by <c>px</c> or <c>%</c>.</summary>
    Size,

    /// <summary>Digits only (iOS reads a badge count from text).</summary>
    Digits,

    /// <summary>The id of another message of the app (Chain to Existing Message).</summary>
    MessageId,

    /// <summary>An object whose values are all text (webhook headers).</summary>
    TextMap,
}

/// <summary>
/// A message template: its name (the <c>action</c> the SDKs dispatch on), the channels it serves, its arguments'
/// defaults (groups as nested objects) and kinds (by dotted argument name, in the SDKs' kind names:
/// <see cref="ArgumentKinds"/>). A built-in template knows every argument (<see cref="Arguments"/>) unless it is
/// <see cref="OpenArguments"/>: an HTML template file reads arguments of its own.
/// </summary>
public sealed record TemplateDefinition(string Name, IReadOnlyList<string> Channels, JsonObject Defaults, IReadOnlyDictionary<string, string> Kinds, bool Custom = false)
{
    /// <summary>Every argument by dotted name (for a custom template: those it declared).</summary>
    public IReadOnlyDictionary<string, TemplateArgument> Arguments { get; init; } = new Dictionary<string, TemplateArgument>(StringComparer.Ordinal);

    /// <summary>Arguments beyond <see cref="Arguments"/> are accepted (HTML templates; custom templates).</summary>
    public bool OpenArguments { get; init; }

    /// <summary>An active message gives at least one of these (an e-mail's bodies); empty: no such rule.</summary>
    public IReadOnlyList<string> OneRequired { get; init; } = [];
}

/// <summary>
/// The templates Greengage knows: Leanplum's built-in in-app templates (the arguments its SDKs' templates read), the
/// server channels' own (<c>__Push Notification</c>, <c>__Newsfeed Message</c>, <c>Webhook</c>, <c>Email</c>), and the
/// app's custom templates, declared through <c>setVars</c>' <c>actionDefinitions</c>.
/// </summary>
/// <remarks>
/// Names, kinds and defaults of the in-app templates are facts read from the SDKs' sources (no code taken):
/// Leanplum/Leanplum-Android-SDK <c>AndroidSDKCore/src/main/java/com/leanplum/messagetemplates/MessageTemplateConstants.java</c>,
/// <c>.../options/BaseMessageOptions.java</c>, <c>CenterPopupOptions.java</c>, <c>InterstitialOptions.java</c>,
/// <c>WebInterstitialOptions.java</c>, <c>RichHtmlOptions.java</c>, <c>PushPrePermissionOptions.java</c>,
/// <c>.../actions/AlertMessage.java</c>, <c>ConfirmMessage.java</c>, <c>RichHtmlMessage.java</c>, <c>PushPrePermission.java</c>;
/// Leanplum/Leanplum-iOS-SDK <c>LeanplumSDK/LeanplumSDK/Classes/MessageTemplates/LPMessageTemplateConstants.h</c>,
/// <c>LPCenterPopupMessageTemplate.m</c>, <c>LPInterstitialMessageTemplate.m</c>, <c>LPWebInterstitialMessageTemplate.m</c>,
/// <c>LPRichInterstitialMessageTemplate.m</c>, <c>LPPushAskToAskMessageTemplate.m</c>, <c>LPConfirmMessageTemplate.m</c>,
/// <c>LPAppRatingMessageTemplate.m</c>. A default is sent only where both SDKs agree; where they differ (a title's
/// default is the app's name; iOS and Android pick other button colours) the argument has no server default and each
/// SDK applies its own. Local push arguments: iOS <c>Classes/Notifications/Local/LPLocalNotificationsManager.m</c>
/// (<c>Message</c>, <c>Open action</c>, <c>Advanced options.Data</c>, <c>Advanced options.Mute inside app</c>,
/// <c>iOS options.Sound/Badge/Category/Preload content</c>; Android's local push reads <c>Android options.Collapse key</c>
/// and <c>Delay while idle</c>). Inbox: Android <c>com/leanplum/LeanplumInboxMessage.java</c>. <c>Chained message</c>:
/// the SDKs' action contexts and the JS SDK's <c>onAction</c>. Push <c>Title</c>, <c>Image URL</c> and
/// <c>Android options.Notification channel</c> (what the FCM payload's <c>title</c>, <c>lp_imageUrl</c> and
/// <c>lp_channel</c> carry, spec 6.10), and the webhook and e-mail arguments, are Greengage's names (docs/messages.md).
/// </remarks>
public static class MessageTemplates
{
    public const string PushNotification = "__Push Notification";
    public const string NewsfeedMessage = "__Newsfeed Message";
    public const string HeldBack = "__held_back";
    public const string Webhook = "Webhook";
    public const string Email = "Email";
    public const string ChainToExisting = "Chain to Existing Message";
    public const string ChainedMessage = "Chained message";

    /// <summary>Android's <c>Color.BLACK</c> and <c>Color.WHITE</c> as ARGB ints.</summary>
    public const int Black = unchecked((int)0xFF000000), White = -1;

    private static readonly string[] InApp = [MessageChannels.InApp];

    private static TemplateArgument S(string name, string? value = null, bool required = false, ArgumentFormat format = ArgumentFormat.Any, IReadOnlyList<string>? oneOf = null) =>
        new(name, ArgumentKinds.String, value is null ? null : JsonValue.Create(value), required, format, oneOf);

    private static TemplateArgument I(string name, int? value = null) => new(name, ArgumentKinds.Integer, value is null ? null : JsonValue.Create(value.Value));

    private static TemplateArgument B(string name, bool value) => new(name, ArgumentKinds.Bool, JsonValue.Create(value));

    private static TemplateArgument C(string name, int? value = null) => new(name, ArgumentKinds.Color, value is null ? null : JsonValue.Create(value.Value));

    private static TemplateArgument F(string name, bool required = false) => new(name, ArgumentKinds.File, null, required);

    private static TemplateArgument A(string name) => new(name, ArgumentKinds.Action);

    private static TemplateArgument G(string name, ArgumentFormat format = ArgumentFormat.Any) => new(name, ArgumentKinds.Group, null, false, format);

    /// <summary>Center Popup, Interstitial and Push Ask to Ask share these (Android's BaseMessageOptions).</summary>
    private static TemplateArgument[] Popup(string message) =>
    [
        S("Title.Text"), C("Title.Color", Black),
        S("Message.Text", message), C("Message.Color", Black),
        F("Background image"), C("Background color"),
        S("Accept button.Text", "OK"), C("Accept button.Background color"), C("Accept button.Text color"),
    ];

    private static readonly Dictionary<string, TemplateDefinition> BuiltIn = new[]
    {
        Define("Alert", InApp, false, S("Title"), S("Message", "Alert message goes here."), S("Dismiss text", "OK"), A("Dismiss action")),
        Define("Confirm", InApp, false, S("Title"), S("Message", "Confirmation message goes here."), S("Accept text", "Yes"), S("Cancel text", "No"),
            A("Accept action"), A("Cancel action")),
        // Background and accept-button colours differ between the SDKs (white/light grey, blue tones): no server default.
        Define("Center Popup", InApp, false, [.. Popup("Popup message goes here."), A("Accept action"), I("Layout.Width", 300), I("Layout.Height", 250)]),
        Define("Interstitial", InApp, false, [.. Popup("Interstitial message goes here."), A("Accept action")]),
        Define("Push Ask to Ask", InApp, false,
        [
            .. Popup("Tap OK to receive important notifications from our app."), A("Cancel action"),
            S("Cancel button.Text", "Maybe Later"), C("Cancel button.Background color"), C("Cancel button.Text color"),
            I("Layout.Width", 300), I("Layout.Height", 250),
        ]),
        Define("Web Interstitial", InApp, false, S("URL", "http://www.example.com", required: true), S("Close URL", "http://leanplum/close"), B("Has dismiss button", true)),
        Define("HTML", InApp, true,
            F("__file__Template", required: true),
            S("Close URL", "http://leanplum/close"), S("Open URL", "http://leanplum/loadFinished"), S("Track URL", "http://leanplum/track"),
            S("Action URL", "http://leanplum/runAction"), S("Track Action URL", "http://leanplum/runTrackedAction"),
            S("HTML Align", "Top", oneOf: ["Top", "Bottom"]), I("HTML Height", 0),
            S("HTML Width", format: ArgumentFormat.Size), S("HTML Y Offset", format: ArgumentFormat.Size),
            B("Tap Outside to Close", false), B("Has dismiss button", false), A("Dismiss action")),
        Define("Open URL", InApp, false, S("URL", "http://www.example.com", required: true)),
        Define("Register For Push", InApp, false),
        Define("Request App Rating", InApp, false),
        Define(ChainToExisting, InApp, false, S(ChainedMessage, required: true, format: ArgumentFormat.MessageId)),
        Define(PushNotification, [MessageChannels.Push], false,
            S("Message", ""), S("Title"), S("Image URL"), A("Open action"),
            G("Advanced options.Data"), B("Advanced options.Mute inside app", false),
            S("Android options.Collapse key"), B("Android options.Delay while idle", false), S("Android options.Notification channel"),
            S("iOS options.Sound"), S("iOS options.Badge", format: ArgumentFormat.Digits), S("iOS options.Category"), B("iOS options.Preload content", false)),
        Define(NewsfeedMessage, [MessageChannels.Inbox], false,
            S("Title", ""), S("Subtitle", ""), S("Image", ""), new TemplateArgument("Data", ArgumentKinds.Group, new JsonObject()), new TemplateArgument("Open action", ArgumentKinds.Action, Default: null)),
        Define(Webhook, [MessageChannels.Webhook], false,
            S("URL", required: true, format: ArgumentFormat.HttpUrl), S("Method", "POST", oneOf: ["GET", "POST", "PUT", "PATCH", "DELETE"]),
            G("Headers", ArgumentFormat.TextMap), S("Body", "")),
        Define(Email, [MessageChannels.Email], false,
            S("Subject", required: true), S("From name"), S("From address", format: ArgumentFormat.Email), S("Reply-to address", format: ArgumentFormat.Email),
            S("HTML body"), S("Text body")) with { OneRequired = ["HTML body", "Text body"] },
    }.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<TemplateDefinition> All => BuiltIn.Values;

    /// <summary>The built-in template named <paramref name="name"/>, or null.</summary>
    public static TemplateDefinition? BuiltInNamed(string name) => BuiltIn.GetValueOrDefault(name);

    /// <summary>The template named <paramref name="name"/>: built in, else declared by the app (null: unknown).</summary>
    public static TemplateDefinition? Find(string name, JsonObject? appActionDefinitions)
    {
        if (BuiltIn.TryGetValue(name, out var builtIn))
            return builtIn;
        if (appActionDefinitions?[name] is JsonObject declared)
        {
            var defaults = declared["values"] as JsonObject ?? [];
            var kinds = (declared["kinds"] as JsonObject ?? []).ToDictionary(k => k.Key, k => k.Value?.ToString().ToLowerInvariant() ?? "", StringComparer.Ordinal);
            return new TemplateDefinition(name, InApp, (JsonObject)defaults.DeepClone(), kinds, Custom: true)
            {
                Arguments = kinds.ToDictionary(k => k.Key, k => new TemplateArgument(k.Key, k.Value), StringComparer.Ordinal),
                OpenArguments = true,
            };
        }
        return null;
    }

    /// <summary>The template of a channel that has one template (push, inbox, webhook, e-mail); null for in-app.</summary>
    public static string? DefaultFor(string channel) => channel switch
    {
        MessageChannels.Push => PushNotification,
        MessageChannels.Inbox => NewsfeedMessage,
        MessageChannels.Webhook => Webhook,
        MessageChannels.Email => Email,
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

    /// <summary>A template from its arguments: defaults nested by group, kinds by dotted name.</summary>
    private static TemplateDefinition Define(string name, string[] channels, bool open, params TemplateArgument[] arguments)
    {
        var defaults = new JsonObject();
        foreach (var argument in arguments.Where(a => a.Default is not null))
        {
            var parts = argument.Name.Split('.');
            var group = defaults;
            foreach (var part in parts[..^1])
            {
                if (group[part] is not JsonObject inner)
                    group[part] = inner = [];
                group = inner;
            }
            group[parts[^1]] = argument.Default!.DeepClone();
        }
        return new TemplateDefinition(name, channels, defaults, arguments.ToDictionary(a => a.Name, a => a.Kind, StringComparer.Ordinal))
        {
            Arguments = arguments.ToDictionary(a => a.Name, StringComparer.Ordinal),
            OpenArguments = open,
        };
    }
}
