using Greengage.Engine.Actions.User;
using Greengage.Engine.Users;
using Greengage.Engine.Users.Components;

namespace Greengage.Engine.Targeting;

/// <summary>
/// The user a rule is evaluated for: their state as the grain holds it (or as a counting job folded it), the device
/// of the request (device criteria read it; without one, the device seen last), and the time of evaluation (relative
/// dates count back from it). Audience memberships are remembered for the subject's lifetime, so an audience named
/// by several rules is evaluated once.
/// </summary>
public sealed class TargetingSubject
{
    private DeviceEntry? _device;
    private bool _deviceResolved;
    private int? _bucket;
    private sbyte[]? _memberships;

    public TargetingSubject(UserState state, string userId, string? deviceId, long nowMs)
    {
        State = state;
        UserId = userId;
        DeviceId = deviceId;
        NowMs = nowMs;
    }

    public UserState State { get; }

    public string UserId { get; }

    public string? DeviceId { get; }

    public long NowMs { get; }

    /// <summary>The request's device, else the one seen last; null for a user with no device.</summary>
    public DeviceEntry? Device
    {
        get
        {
            if (_deviceResolved)
                return _device;
            _deviceResolved = true;
            var devices = State.Devices.Devices;
            if (DeviceId is not null && devices.TryGetValue(DeviceId, out var own))
                return _device = own;
            foreach (var entry in devices.Values)
            {
                if (_device is null || entry.LastSeenMs > _device.LastSeenMs)
                    _device = entry;
            }
            return _device;
        }
    }

    public int Bucket => _bucket ??= UserBucket.Of(UserId);

    /// <summary>Whether the user is in audience number <paramref name="index"/> of <paramref name="audiences"/>.</summary>
    internal bool InAudience(AudienceSet audiences, int index)
    {
        _memberships ??= new sbyte[audiences.Count];
        if (_memberships.Length != audiences.Count)
            _memberships = new sbyte[audiences.Count];
        var known = _memberships[index];
        if (known != 0)
            return known > 0;
        var member = audiences[index].Predicate(this);
        _memberships[index] = member ? (sbyte)1 : (sbyte)-1;
        return member;
    }
}
