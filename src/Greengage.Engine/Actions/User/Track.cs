using System.Text.Json;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary><c>track</c>: one occurrence of an event (spec 4.1). Full dispositions and currencies come with the tracking issue.</summary>
public sealed class Track : IUserAction
{
    public string Name => "track";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var messageId = p.String("messageId");
        var name = p.String("event") ?? (messageId is null ? null : $".m{messageId} View");
        if (name is null)
            return ActionResult.Fail(400, "'event' must be provided");
        if (name.Length > context.Limits.MaxNameLength)
            return ActionResult.Fail(400, $"Event names must be at most {context.Limits.MaxNameLength} characters long.");
        var value = p.Double("value") ?? 0;
        var info = p.String("info");
        var parameters = ReadParams(p, context.Limits.MaxParamsPerEvent);
        // Both are read before the session test so that a malformed value is refused, not skipped by short-circuiting.
        var allowOffline = p.Flag("allowOffline");
        var disposition = p.String("disposition");
        var offline = context.State.Sessions.Open is null || allowOffline || disposition == "passive";

        context.Emit(new EventTracked
        {
            TimeMs = context.TimeMs,
            Name = name,
            Value = value,
            Info = info,
            Params = parameters,
            MessageId = messageId,
            SessionId = context.State.Sessions.Open?.Id,
            IsOffline = offline,
        });
        return offline ? ActionResult.Ok().With("isOffline", true) : ActionResult.Ok();
    }

    /// <summary>Flat parameters: string or number values, at most <paramref name="max"/>.</summary>
    internal static Dictionary<string, JsonElement>? ReadParams(ParameterSet p, int max)
    {
        if (p.Object("params") is not { } obj)
            return null;
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var param in obj.EnumerateObject())
        {
            if (param.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                throw new InvalidParameterException($"Invalid value for 'params.{param.Name}': expected text or a number");
            result[param.Name] = param.Value.Clone();
        }
        if (result.Count > max)
            throw new InvalidParameterException($"'params' may hold at most {max} parameters.");
        return result.Count == 0 ? null : result;
    }
}
