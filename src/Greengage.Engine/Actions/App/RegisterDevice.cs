using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// <c>registerDevice</c> (spec 4.2; development key): registers the device as a test device of the app for the
/// dashboard account <c>email</c>. Android and iOS call it in development mode when <c>start</c> answered
/// <c>isRegistered:false</c>. Answers <c>registered</c>: true when newly registered, false when it already was.
/// </summary>
public sealed class RegisterDevice(TestDeviceService testDevices, ProtocolLimits limits) : IAppAction
{
    public const string ActionName = "registerDevice";

    public const string EmailParameter = "email";

    /// <summary>The longest address a mail path carries (RFC 5321: 254 characters).</summary>
    public const int MaxEmailLength = 254;

    /// <summary>The longest local part, before the <c>@</c> (RFC 5321).</summary>
    private const int MaxLocalPartLength = 64;

    public string Name => ActionName;

    public async ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var deviceId = parameters.RequiredString(WireNames.DeviceId);
        if (deviceId.Length > limits.MaxIdLength)
            return ActionResult.Fail(400, $"'deviceId' must be at most {limits.MaxIdLength} characters long.");
        var email = parameters.RequiredString(EmailParameter).Trim();
        if (email.Length > MaxEmailLength)
            return ActionResult.Fail(400, $"'email' must be at most {MaxEmailLength} characters long.");
        if (!IsPlausibleEmail(email))
            return ActionResult.Fail(400, "'email' must be an email address, such as dev@example.com.");

        var registered = await testDevices.RegisterAsync(app.AppId, deviceId, email, cancellationToken);
        return ActionResult.Ok(new JsonObject { ["registered"] = registered });
    }

    /// <summary>
    /// One <c>@</c> between a local part of 1 to 64 characters and a dotted domain; no spaces, control characters or
    /// the punctuation of display names and quoted parts. Plausible, not proven: the address is only shown.
    /// </summary>
    internal static bool IsPlausibleEmail(string email)
    {
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at is <= 0 or > MaxLocalPartLength || at != email.LastIndexOf('@'))
            return false;
        var domain = email[(at + 1)..];
        if (domain.Length < 3 || domain[0] == '.' || domain[^1] == '.' || !domain.Contains('.', StringComparison.Ordinal)
            || domain.Contains("..", StringComparison.Ordinal))
            return false;
        foreach (var c in email)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or '[' or ']' or ',' or ';' or ':' or '\\' or '"')
                return false;
        }
        return true;
    }
}
