using Greengage.Engine.Users.Records;
using Greengage.Protocol.Actions;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Users;

/// <summary>One action for a user, as the grain receives it.</summary>
/// <param name="Index">Position in the request, for the response.</param>
/// <param name="Switched">
/// Set on the item that carried a user switch (<c>newUserId</c> from a known user) when it reaches the new user: the
/// session the device had open under the old id, which goes on as a new session of this user.
/// </param>
/// <param name="Key">The class of the item's client key (<see cref="KeyClasses.None"/> for the server's own work).</param>
public sealed record UserBatchItem(int Index, string Action, ParameterSet Parameters, bool DevMode, SwitchedSession? Switched = null, KeyClasses Key = KeyClasses.None);

/// <summary>The device's session at a user switch: the new user's session starts with it.</summary>
public sealed record SwitchedSession(DeviceInfo? Device, bool Background);

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
