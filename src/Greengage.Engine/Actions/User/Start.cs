using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>start</c>: closes any open session, opens a new one, and answers the content for the user (spec 4.1, 5.2).</summary>
public sealed class Start : IUserAction
{
    public string Name => "start";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var device = DeviceParameters.Read(p);
        var locale = DeviceParameters.ReadLocale(p);
        var attributes = AttributeParameters.Read(p, "userAttributes", context.Limits);
        var background = p.Flag("background");

        SessionRules.CloseOpen(context);
        context.Emit(new SessionStarted
        {
            TimeMs = context.TimeMs,
            SessionId = Guid.NewGuid().ToString("N"),
            Background = background,
            Device = device,
            Locale = locale,
            Attributes = attributes,
            Prior = PriorOf(context),
        });
        return ActionResult.Ok(StartContent(context));
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
    /// The start element's content fields (spec 5.2's minimal element). Content arrives with the content issue.
    /// <c>isRegistered</c> is answered by the dispatcher once the grain answered (<see cref="ApiDispatcher"/>): the test
    /// devices live outside the user's grain.
    /// </summary>
    internal static JsonObject StartContent(UserActionContext context) => new()
    {
        ["vars"] = new JsonObject(),
        ["messages"] = new JsonObject(),
        ["variants"] = new JsonArray(),
        ["regions"] = new JsonObject(),
        ["actionDefinitions"] = new JsonObject(),
        ["fileAttributes"] = new JsonObject(),
        ["varsFromCode"] = new JsonObject(),
        ["localCaps"] = new JsonArray(),
        ["interfaceRules"] = new JsonArray(),
        ["interfaceEvents"] = new JsonArray(),
        ["token"] = Token(context.Batch.TokenSecret, context.DeviceId ?? context.UserId),
        ["syncNewsfeed"] = false,
        ["isRegistered"] = false,
        ["isRegisteredFromOtherApp"] = false,
    };

    /// <summary>Stable per app and device: a user switch does not change it.</summary>
    internal static string Token(string secret, string device)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(device));
        return Convert.ToBase64String(mac.AsSpan(0, 18)).Replace('+', '-').Replace('/', '_');
    }
}
