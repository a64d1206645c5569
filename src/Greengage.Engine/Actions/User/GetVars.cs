using System.Text.Json.Nodes;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>getVars</c> (spec 4.3; the SDKs' <c>forceContentUpdate</c>): the same content as <c>start</c>, with no session
/// change and nothing recorded. Content (variables, A/B tests, messages) arrives with the content issue; until then it
/// is the empty content every SDK accepts.
/// </summary>
public sealed class GetVars : IUserAction
{
    public const string ActionName = "getVars";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        _ = p.Flag("includeDefaults", whenAbsent: true);
        var debug = p.Flag("includeVariantDebugInfo");
        _ = p.Array("newsfeedMessages");
        var content = Start.StartContent(context);
        if (debug)
            content["variantDebugInfo"] = new JsonObject { ["abTests"] = new JsonArray() };
        return ActionResult.Ok(content);
    }
}
