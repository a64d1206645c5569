using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// <c>setVars</c> (spec 4.3, development key): the app declares its variables' code defaults (<c>vars</c>, nested
/// groups and lists allowed), their <c>kinds</c>, <c>actionDefinitions</c> and <c>fileAttributes</c>, for its app
/// version (<c>appVersion</c>; a declaration without one counts for every version that has none of its own).
/// </summary>
public sealed class SetVars(VariablesService variables, ProtocolLimits limits) : IAppAction
{
    public string Name => "setVars";

    public async ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var vars = parameters.Object("vars") ?? throw new InvalidParameterException("'vars' must be provided");
        var kinds = parameters.Object("kinds");
        var actionDefinitions = parameters.Object("actionDefinitions");
        var fileAttributes = parameters.Object("fileAttributes");
        var appVersion = parameters.String("appVersion") ?? "";
        if (appVersion.Length > limits.MaxNameLength)
            throw new InvalidParameterException($"'appVersion' must be at most {limits.MaxNameLength} characters long.");
        foreach (var kind in kinds?.EnumerateObject() ?? default)
        {
            if (kind.Value.ValueKind != JsonValueKind.String || !VariablesService.Kinds.Contains(kind.Value.GetString()!))
                throw new InvalidParameterException($"Invalid kind for '{kind.Name}': expected one of {string.Join(", ", VariablesService.Kinds.Order(StringComparer.Ordinal))}");
        }
        var size = vars.GetRawText().Length + (kinds?.GetRawText().Length ?? 0) + (actionDefinitions?.GetRawText().Length ?? 0);
        if (size > limits.MaxVariablesBytes)
            throw new InvalidParameterException($"The variables declared must total at most {limits.MaxVariablesBytes} bytes.");

        await variables.DeclareAsync(app.AppId, new CodeDefaults(
            appVersion,
            ToObject(vars),
            ToObject(kinds),
            ToObject(actionDefinitions),
            ToObject(fileAttributes),
            0), cancellationToken);
        return ActionResult.Ok();
    }

    private static JsonObject ToObject(JsonElement? element) =>
        element is { } e ? JsonObject.Create(e) ?? [] : [];
}
