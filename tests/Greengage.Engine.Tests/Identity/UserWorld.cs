using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Identity;

/// <summary>
/// Several users of one app, each a <see cref="UserProcessor"/>, driven the way the grains and the gateway drive them:
/// a run goes to its user; a forward sends the rest on; a handover is absorbed by the target and both write sets
/// "commit" together. Every committed row is kept per user, so tests can replay each user from its log alone.
/// </summary>
internal sealed class UserWorld
{
    private readonly Dictionary<string, UserProcessor> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<LogRow>> _rows = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _deadlines = new(StringComparer.Ordinal);
    private readonly ProfileOptions _profile;
    private readonly IUserAction[] _actions;

    /// <param name="actions">Handlers in place of (or besides) the default ones, for every user of this world.</param>
    public UserWorld(ProfileOptions? profile = null, IEnumerable<IUserAction>? actions = null)
    {
        _profile = profile ?? new ProfileOptions();
        _actions = [.. actions ?? []];
    }

    public UserProcessor this[string userId] => User(userId);

    /// <summary>User ids that have committed anything, in no particular order.</summary>
    public IEnumerable<string> Known => _rows.Keys;

    /// <summary>Runs <paramref name="items"/> as <paramref name="userId"/> at <paramref name="at"/> after T0; one result per item.</summary>
    public ActionResult[] Send(string userId, TimeSpan at, params UserBatchItem[] items)
    {
        var batch = Batch(userId, T0 + at, items);
        var results = new List<ActionResult>();
        for (var moves = 0; moves < 8; moves++)
        {
            var user = User(batch.UserId);
            var outcome = user.Apply(batch);
            if (outcome.Writes is { } writes)
                Commit(user, writes);
            if (outcome.Handover is { } handover)
            {
                var target = User(handover.ToUserId);
                var joined = target.Absorb(handover, batch.Arrival);
                Commit(target, joined);
                Commit(user, joined.Along!);
            }
            results.AddRange(outcome.Results);
            if (outcome.Forward is not { } forward)
                return [.. results];
            batch = batch with { UserId = forward.UserId, Items = forward.Items };
        }
        throw new InvalidOperationException("Move loop.");
    }

    /// <summary>One item with a device: the common case of the SDKs.</summary>
    public ActionResult Do(string userId, string action, object parameters, TimeSpan at = default) =>
        Send(userId, at, Item(0, action, parameters))[0];

    /// <summary>The <c>exportUser</c> fields of <paramref name="userId"/> (after aliases), or null when missing.</summary>
    public JsonObject? Export(string userId, TimeSpan at = default)
    {
        var result = Do(userId, "exportUser", new { }, at);
        return result.Warning is null ? result.Fields : null;
    }

    /// <summary>The session deadline stored for <paramref name="userId"/> (0: none), as the store would keep it.</summary>
    public long StoredDeadline(string userId) => _deadlines.GetValueOrDefault(userId);

    public IReadOnlyList<string> Kinds(string userId) => _rows.TryGetValue(userId, out var rows) ? rows.Select(r => r.Kind).ToList() : [];

    public IEnumerable<string> Bodies(string userId) => _rows.TryGetValue(userId, out var rows) ? rows.Select(r => Encoding.UTF8.GetString(r.Body)) : [];

    /// <summary>The state of <paramref name="userId"/> rebuilt from its own log rows, serialised.</summary>
    public string Replayed(string userId)
    {
        var fresh = NewProcessor(userId);
        fresh.Load(new StoredUser(null, _rows.GetValueOrDefault(userId) ?? []), 0);
        return Encoding.UTF8.GetString(fresh.State.Serialize());
    }

    public string Serialized(string userId) => Encoding.UTF8.GetString(User(userId).State.Serialize());

    private void Commit(UserProcessor user, UserWriteSet writes)
    {
        Assert.Equal(user.UserId, writes.UserId);
        if (!_rows.TryGetValue(user.UserId, out var rows))
            _rows[user.UserId] = rows = [];
        rows.AddRange(writes.Rows.Select(r => new LogRow(0, "app_test", user.UserId, r.Seq, r.Kind, r.TimeMs, r.Body)));
        if (writes.SessionDeadlineMs is { } deadline)
            _deadlines[user.UserId] = Math.Max(0, deadline);
        user.Committed(writes);
    }

    private UserProcessor User(string userId)
    {
        if (!_users.TryGetValue(userId, out var user))
            _users[userId] = user = NewProcessor(userId);
        return user;
    }

    private UserProcessor NewProcessor(string userId) =>
        new("app_test", userId, UserActionTable.Default.With([new Actions.User.SetUserAttributes(_profile)]).With(_actions), new SnapshotPolicy(),
            new ProtocolLimits(), new SessionTimeouts(), _profile);
}
