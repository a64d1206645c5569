using System.Runtime.CompilerServices;
using Greengage.Engine.Storage;
using Greengage.Engine.Users;

namespace Greengage.Engine.Jobs;

/// <summary>
/// Every user of an app as stored, folded from snapshot and log tail, a page at a time (ARCHITECTURE decision 5: jobs
/// never activate the whole population). Users that moved away (aliases) or were deleted are left out.
/// </summary>
public static class UserScan
{
    public const int PageSize = 500;

    public static async IAsyncEnumerable<(string UserId, UserState State)> ScanAsync(
        IUserStore store, string appId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = await store.ScanUsersAsync(appId, after, PageSize, cancellationToken);
            foreach (var user in page)
            {
                var state = Fold(user.Stored);
                if (state.Exists && state.Identity.MovedTo is null)
                    yield return (user.UserId, state);
            }
            if (page.Count < PageSize)
                yield break;
            after = page[^1].UserId;
        }
    }

    public static UserState Fold(StoredUser stored)
    {
        var state = stored.Snapshot is { } snapshot ? UserState.Deserialize(snapshot.State) : new UserState();
        foreach (var row in stored.Tail)
            state.Apply(UserJson.Deserialize(row.Body));
        return state;
    }
}
