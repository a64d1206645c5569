using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// Whether data collection is stopped for the user (<c>block</c> / <c>unblock</c>). While blocked, every write answers
/// HTTP 451 and records nothing (<see cref="UserAccess"/>). A block outlives <c>deleteUser</c>: erasing what is known
/// does not lift an objection to being tracked. Merge rule: blocked when either user is.
/// </summary>
public sealed class BlockComponent : IUserComponent<BlockComponent>
{
    [JsonPropertyName("blocked")] public bool Blocked { get; set; }

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case UserBlocked:
                Blocked = true;
                break;
            case UserUnblocked:
                Blocked = false;
                break;
        }
    }

    public void MergeFrom(BlockComponent source) => Blocked |= source.Blocked;
}
