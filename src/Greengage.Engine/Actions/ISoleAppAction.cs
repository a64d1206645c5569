using Greengage.Engine.Apps;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions;

/// <summary>
/// An app action that must be the only item of its request, because it uses the request itself: <c>uploadFile</c>
/// reads its file parts, <c>downloadFile</c> answers bytes instead of the envelope (spec 1.7). The dispatcher calls
/// <see cref="HandleAloneAsync"/> when the action is alone; in a batch with others, <see cref="IAppAction.HandleAsync"/>
/// answers (see <see cref="NotAlone"/>).
/// </summary>
public interface ISoleAppAction : IAppAction
{
    ValueTask<ActionResult> HandleAloneAsync(AppEntry app, ParameterSet parameters, ApiRequest request, CancellationToken cancellationToken);

    /// <summary>The answer of such an action batched with others: 400, nothing done.</summary>
    public static ActionResult NotAlone(string action) =>
        ActionResult.Fail(400, $"{action} must be the only action of its request.");
}
