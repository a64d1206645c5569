using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>start</c>: closes any open session, opens a new one, and answers the content for the user (spec 4.1, 5.2).</summary>
public sealed class Start(ContentDirectory? content = null) : IUserAction
{
    public string Name => "start";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var device = DeviceParameters.Read(p);
        var locale = DeviceParameters.ReadLocale(p);
        var attributes = AttributeParameters.Read(p, "userAttributes", context.Limits);
        var background = p.Flag("background");
        var includeDefaults = p.Flag("includeDefaults", whenAbsent: true);
        var debug = p.Flag("includeVariantDebugInfo");
        _ = InboxSync.DeviceIds(p);

        SessionRules.CloseOpen(context);
        var sessionId = Guid.NewGuid().ToString("N");
        context.Emit(new SessionStarted
        {
            TimeMs = context.TimeMs,
            SessionId = sessionId,
            Background = background,
            Device = device,
            Locale = locale,
            Attributes = attributes,
            Prior = PriorOf(context),
        });
        // Tests are decided on the state with this start's device, locale and attributes in it.
        var appContent = content?.For(context.Batch.AppId) ?? AppContent.Empty;
        return ActionResult.Ok(Answer(context, appContent, sessionId, includeDefaults, device?.AppVersion, debug));
    }

    /// <summary>
    /// The content answer of a <c>start</c> (with <paramref name="sessionId"/>) or refresh: decides the user's A/B
    /// tests, then their in-app messages, records what was newly decided, and writes the fields.
    /// </summary>
    internal static JsonObject Answer(UserActionContext context, AppContent content, string? sessionId, bool includeDefaults, string? appVersion, bool debug)
    {
        var subject = new TargetingSubject(context.State, context.UserId, context.DeviceId, context.NowMs);
        var experiments = DecideExperiments(context, content, subject, sessionId);
        var messages = InAppDelivery.Resolve(content, subject, experiments, context.NowMs, context.Parameters.Long("includeMessageId"));
        // A refresh for a user the server does not know records nothing (getVars creates no user).
        if (messages.Record is { } decided && context.State.Exists)
            context.Emit(decided with { TimeMs = context.TimeMs });
        var fields = StartContent(context, content, experiments, includeDefaults, appVersion, debug);
        fields["messages"] = messages.Messages;
        fields["syncNewsfeed"] = InboxSync.Needed(context.State.Inbox, InboxSync.DeviceIds(context.Parameters), context.NowMs);
        return fields;
    }

    /// <summary>Resolves the user's A/B tests (spec 6.5) and records new assignments (and, for a start, the session's tests).</summary>
    internal static ExperimentOutcome DecideExperiments(UserActionContext context, AppContent content, TargetingSubject subject, string? sessionId)
    {
        if (content.RunningTests.Count == 0 || !context.State.Exists)
            return ExperimentOutcome.None;
        var outcome = ExperimentOutcome.Resolve(content, subject, context.State.Experiments);
        if (outcome.Record(context.TimeMs, sessionId) is { } record)
            context.Emit(record);
        return outcome;
    }

    /// <summary>The user's lifetime activity so far, recorded on each new session for exports.</summary>
    internal static PriorActivity PriorOf(UserActionContext context)
    {
        var state = context.State;
        long events = 0, states = 0;
        foreach (var aggregate in state.Aggregates.Events.Values)
            events += aggregate.Count;
        foreach (var aggregate in state.Aggregates.States.Values)
            states += aggregate.Count;
        return new PriorActivity(state.Profile.TotalSessions, events, states, state.Profile.TimeSpentInApp);
    }

    /// <summary>
    /// The start element's content fields (spec 5.2), for <c>getVars</c> too: the app's variables for the user's app
    /// version (diffs against the code defaults unless <paramref name="includeDefaults"/>), what the server knows of the
    /// code (<c>varsFromCode</c>, <c>actionDefinitions</c>, <c>fileAttributes</c>), <c>varsSignature</c>, the A/B
    /// tests' <c>variants</c> (their overrides are in <c>vars</c>) and, on request, <c>variantDebugInfo</c>.
    /// <c>messages</c> is set by <see cref="Answer"/>; <c>localCaps</c> and <c>regions</c> come from the messaging settings. <c>isRegistered</c> is answered by the dispatcher once the
    /// grain answered (<see cref="ApiDispatcher"/>): the test devices live outside the user's grain.
    /// </summary>
    internal static JsonObject StartContent(UserActionContext context, AppContent content, ExperimentOutcome experiments, bool includeDefaults, string? appVersion, bool debug)
    {
        var view = content.VarsFor(appVersion, experiments.Active);
        // Built from an array so that the object is sized once (grown one field at a time, it allocated its table
        // four times). "files" is kept for the dispatcher (ApiDispatcher.Files.cs), which sets it unless the request
        // has no base URL; a null field is not written.
        var fields = new JsonObject(
        [
            new("vars", (includeDefaults ? view.FullJson : view.DiffJson).Node()),
            new("varsSignature", view.Signature(context.Batch.TokenSecret, includeDefaults, VarsSignature)),
            new("messages", null),
            new("variants", experiments.Variants().Node()),
            new("regions", content.Messages.RegionsJson.Node()),
            new("actionDefinitions", view.ActionDefinitionsJson.Node()),
            new("fileAttributes", view.FileAttributesJson.Node()),
            new("varsFromCode", view.FromCodeJson.Node()),
            new("localCaps", content.Messages.LocalCapsJson.Node()),
            new("interfaceRules", EmptyArray.Node()),
            new("interfaceEvents", EmptyArray.Node()),
            new("token", Token(context.Batch.TokenSecret, context.DeviceId ?? context.UserId)),
            new("syncNewsfeed", false),
            new("isRegistered", false),
            new("isRegisteredFromOtherApp", false),
            new("files", null),
        ]);
        if (debug)
            fields["variantDebugInfo"] = experiments.DebugInfo();
        // Android applies the channels it receives (and deletes Leanplum channels missing from the list): sent only
        // when the app has some.
        if (content.Messages.NotificationChannelsJson is { } channels)
        {
            fields["notificationChannels"] = channels.Node();
            fields["notificationChannelGroups"] = new JsonArray();
            if (content.Messages.DefaultNotificationChannel is { } defaultChannel)
                fields["defaultNotificationChannel"] = defaultChannel;
        }
        return fields;
    }

    private static readonly RawJson EmptyArray = RawJson.FromUtf8("[]"u8.ToArray());

    /// <summary>
    /// Greengage's <c>varsSignature</c> (docs/content.md): HMAC-SHA256 keyed with the app's token secret over
    /// <c>"vars\n"</c> followed by the <c>vars</c> object as compact JSON (System.Text.Json's default escaping),
    /// base64url without padding.
    /// </summary>
    internal static string VarsSignature(string secret, string varsJson)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes("vars\n" + varsJson));
        return Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Stable per app and device: a user switch does not change it.</summary>
    internal static string Token(string secret, string device)
    {
        // Once per start: the key, the data and the text are built on the stack (only the token is allocated).
        const int MaxStack = 256;
        var keyMax = Encoding.UTF8.GetMaxByteCount(secret.Length);
        var dataMax = Encoding.UTF8.GetMaxByteCount(device.Length);
        var keyBytes = keyMax <= MaxStack ? stackalloc byte[MaxStack] : new byte[keyMax];
        var dataBytes = dataMax <= MaxStack ? stackalloc byte[MaxStack] : new byte[dataMax];
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(keyBytes[..Encoding.UTF8.GetBytes(secret, keyBytes)], dataBytes[..Encoding.UTF8.GetBytes(device, dataBytes)], mac);
        Span<char> text = stackalloc char[24];
        Convert.TryToBase64Chars(mac[..18], text, out _);
        text.Replace('+', '-');
        text.Replace('/', '_');
        return new string(text);
    }
}
