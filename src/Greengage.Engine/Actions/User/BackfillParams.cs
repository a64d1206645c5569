using System.Text.Json;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// The parameter backfill's visit (not an API action: the catalogue does not list it). Its <c>counts</c> parameter holds,
/// per tuple key, the occurrences the live count missed, <c>{"n":count,"f":first,"l":last}</c>; the user records them
/// unless they are what it already holds. A user that does not exist (deleted since the job read it) records nothing.
/// </summary>
public sealed class BackfillParams : IUserAction
{
    public const string ActionName = "__backfillParams";

    public string Name => ActionName;

    public ActionResult Handle(UserActionContext context)
    {
        if (!context.State.Exists || context.State.Identity.MovedTo is not null)
            return ActionResult.Ok();
        var counts = new Dictionary<string, BackfilledCount>(StringComparer.Ordinal);
        foreach (var property in context.Parameters.Object("counts")?.EnumerateObject() ?? default)
        {
            var value = property.Value;
            var found = new BackfilledCount(value.GetProperty("n").GetInt64(), value.GetProperty("f").GetInt64(), value.GetProperty("l").GetInt64());
            var held = context.State.ParamCounts.Earlier.GetValueOrDefault(property.Name);
            var same = held is null ? found.Count == 0 : held.Count == found.Count && held.FirstTimeMs == found.FirstTimeMs && held.LastTimeMs == found.LastTimeMs;
            if (!same)
                counts[property.Name] = found;
        }
        if (counts.Count == 0)
            return ActionResult.Ok();
        context.Emit(new ParamCountsBackfilled { TimeMs = context.NowMs, Counts = counts });
        return ActionResult.Ok(new System.Text.Json.Nodes.JsonObject { ["changed"] = counts.Count });
    }

    /// <summary>The item's parameters for <paramref name="counts"/>.</summary>
    public static ParameterSet Parameters(IReadOnlyDictionary<string, BackfilledCount> counts)
    {
        var json = JsonSerializer.SerializeToElement(counts.ToDictionary(c => c.Key, c => new Dictionary<string, long> { ["n"] = c.Value.Count, ["f"] = c.Value.FirstTimeMs, ["l"] = c.Value.LastTimeMs }));
        return new ParameterSet(new Dictionary<string, JsonElement> { ["counts"] = json });
    }
}
