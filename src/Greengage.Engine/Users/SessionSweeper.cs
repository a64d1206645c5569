using Greengage.Engine.Actions.User;
using Greengage.Engine.Storage;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Users;

/// <summary>
/// Closes sessions that timed out while their users stayed silent, so that exports see them (ARCHITECTURE decision 5):
/// pages through the stored session deadlines and calls only the users that are due, never the whole population.
/// </summary>
public sealed class SessionSweeper(IUserStore store, IUserGateway users)
{
    /// <summary>Users visited per page.</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>Visits every user whose stored deadline is at or before <paramref name="now"/>; returns how many.</summary>
    public async Task<int> SweepAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var visited = new HashSet<(string, string)>();
        var nowMs = now.ToUnixTimeMilliseconds();
        while (true)
        {
            var due = await store.DueSessionsAsync(nowMs, PageSize, cancellationToken);
            var fresh = 0;
            foreach (var user in due)
            {
                // A user whose deadline did not move (its visit failed) is not visited twice in one sweep.
                if (!visited.Add((user.AppId, user.UserId)))
                    continue;
                fresh++;
                await users.ApplyAsync(new UserBatch(user.AppId, user.UserId, "", now, null,
                    [new UserBatchItem(0, SweepSession.ActionName, ParameterSet.Empty, false)]), cancellationToken);
            }
            // Each visit moves its user's deadline (cleared, or re-armed later), so the next page holds new users.
            if (due.Count < PageSize || fresh == 0)
                return visited.Count;
        }
    }
}
