using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary><c>setUserAttributes</c>: sets attributes; <c>null</c> clears one (the rest of 4.2 comes with the tracking issue).</summary>
public sealed class SetUserAttributes : IUserAction
{
    public string Name => "setUserAttributes";

    public ActionResult Handle(UserActionContext context)
    {
        var values = AttributeParameters.Read(context.Parameters, "userAttributes", context.Limits);
        if (values is not null)
            context.Emit(new AttributesSet { TimeMs = context.TimeMs, Values = values });
        return ActionResult.Ok();
    }
}
