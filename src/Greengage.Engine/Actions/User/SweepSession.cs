using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// The idle-session sweep's visit (not an API action: the catalogue does not list it, so no request reaches it). The
/// generic rule that runs before every action closes the session if it timed out; this handler adds nothing.
/// </summary>
public sealed class SweepSession : IUserAction
{
    public const string ActionName = "__sweepSession";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context) => ActionResult.Ok();
}
