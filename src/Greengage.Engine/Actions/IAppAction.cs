using Greengage.Engine.Apps;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions;

/// <summary>The handler of one action that works on the app, not on a user.</summary>
public interface IAppAction
{
    string Name { get; }

    ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken);
}
