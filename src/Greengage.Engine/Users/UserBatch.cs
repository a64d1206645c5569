using Greengage.Protocol.Values;

namespace Greengage.Engine.Users;

/// <summary>One action for a user, as the grain receives it.</summary>
/// <param name="Index">Position in the request, for the response.</param>
public sealed record UserBatchItem(int Index, string Action, ParameterSet Parameters, bool DevMode);

/// <summary>A run of consecutive items of one request for the same user: one grain call, one commit.</summary>
/// <param name="TokenSecret">The app's secret for the per-device <c>token</c>.</param>
/// <param name="EnvelopeTimeSeconds">The envelope's <c>time</c> (send time on the client), for skew correction.</param>
public sealed record UserBatch(
    string AppId,
    string UserId,
    string TokenSecret,
    DateTimeOffset Arrival,
    double? EnvelopeTimeSeconds,
    IReadOnlyList<UserBatchItem> Items);
