using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary><c>deleteVars</c> (spec 4.3, development key): removes variables by name; answers <c>variablesRemoved</c>.</summary>
public sealed class DeleteVars(VariablesService variables, ProtocolLimits limits) : IAppAction
{
    public string Name => "deleteVars";

    public async ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var array = parameters.Array("vars") ?? throw new InvalidParameterException("'vars' must be provided");
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } name || name.Length > limits.MaxNameLength)
                throw new InvalidParameterException($"Invalid value for 'vars': expected an array of variable names of 1 to {limits.MaxNameLength} characters");
            names.Add(name);
        }
        var removed = await variables.DeleteAsync(app.AppId, names, cancellationToken);
        return ActionResult.Ok(new JsonObject { ["variablesRemoved"] = new JsonArray(removed.Select(n => (JsonNode?)n).ToArray()) });
    }
}
