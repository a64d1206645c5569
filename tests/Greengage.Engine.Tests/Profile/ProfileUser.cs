using System.Text;
using System.Text.Json.Nodes;
using Greengage.Engine.Actions;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Responses;
using static Greengage.Engine.Tests.TestBatches;

namespace Greengage.Engine.Tests.Profile;

/// <summary>One user driven through a <see cref="UserProcessor"/>, keeping every log row it writes so tests can replay them.</summary>
internal sealed class ProfileUser(UserActionTable? actions = null)
{
    private readonly UserActionTable _actions = actions ?? UserActionTable.Default;
    private readonly List<LogRow> _rows = [];

    public UserProcessor Processor { get; } = new("app_test", "u1", actions ?? UserActionTable.Default, new SnapshotPolicy(), new ProtocolLimits());

    public UserState State => Processor.State;

    /// <summary>Rows written so far.</summary>
    public int RowCount => _rows.Count;

    /// <summary>The kinds of the rows written so far, in order.</summary>
    public IEnumerable<string> Kinds => _rows.Select(r => r.Kind);

    /// <summary>The JSON bodies of the rows written so far, in order.</summary>
    public IEnumerable<string> Bodies => _rows.Select(r => Encoding.UTF8.GetString(r.Body));

    /// <summary>Applies one action at <paramref name="at"/> after <see cref="TestBatches.T0"/> (zero by default).</summary>
    public ActionResult Do(string action, object parameters, bool devMode = false, TimeSpan at = default)
    {
        var (results, writes) = Processor.Apply(Batch("u1", T0 + at, Item(0, action, parameters, devMode)));
        if (writes is not null)
        {
            _rows.AddRange(writes.Rows.Select(r => new LogRow(0, "app_test", "u1", r.Seq, r.Kind, r.TimeMs, r.Body)));
            Processor.Committed(writes);
        }
        return results[0];
    }

    /// <summary>The <c>exportUser</c> element's fields (asserts the user exists).</summary>
    public JsonObject Export()
    {
        var result = Do("exportUser", new { });
        Assert.Null(result.Warning);
        return result.Fields!;
    }

    /// <summary>The state rebuilt from the log alone, serialised: what a restart would load.</summary>
    public string Replayed()
    {
        var fresh = new UserProcessor("app_test", "u1", _actions, new SnapshotPolicy(), new ProtocolLimits());
        fresh.Load(new StoredUser(null, _rows), 0);
        return Encoding.UTF8.GetString(fresh.State.Serialize());
    }

    public string Serialized() => Encoding.UTF8.GetString(State.Serialize());
}
