using Greengage.Engine.Apps;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>Actions that SDKs declare but no longer use (old UI editor, spec 4.8): the plain success envelope.</summary>
public sealed class LegacyNoOp(string name) : IAppAction
{
    public string Name => name;

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ActionResult.Ok());
}
