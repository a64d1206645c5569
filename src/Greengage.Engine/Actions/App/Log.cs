using Greengage.Engine.Apps;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary><c>log</c>: SDK diagnostics (<c>sdkLog</c>, <c>sdkCount</c>, <c>sdkStartLatency</c>). Validated and acknowledged.</summary>
public sealed class Log : IAppAction
{
    public string Name => "log";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var type = parameters.String("type");
        if (type == "sdkCount")
            _ = parameters.Long("count");
        _ = parameters.String("message");
        return ValueTask.FromResult(ActionResult.Ok());
    }
}
