using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary><c>getMigrateState</c>: keeps new SDKs in plain Leanplum mode (spec 4.8).</summary>
public sealed class GetMigrateState : IAppAction
{
    /// <summary>A fixed state hash: SDKs re-fetch the state only when it changes.</summary>
    public const string StateHash = "greengage-lp-v1";

    public string Name => "getMigrateState";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ActionResult.Ok(new JsonObject
        {
            ["sdk"] = "lp",
            ["state"] = "NONE",
            ["sha256"] = StateHash,
            ["api"] = new JsonObject { ["profile"] = "lp", ["events"] = "lp" },
        }));
}
