using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// Where the user went (spec 6.3, ARCHITECTURE decision 3): once an anonymous user logged in or registered, its state
/// lives on under <see cref="MovedTo"/> and every later request for this id is answered there. Merge rule: none (a
/// source that moved is never merged again; it forwards).
/// </summary>
public sealed class IdentityComponent : IUserComponent<IdentityComponent>
{
    [JsonPropertyName("movedTo")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MovedTo { get; set; }

    public void Apply(UserRecord record)
    {
        if (record is UserMoved moved)
            MovedTo = moved.ToUserId;
    }

    public void MergeFrom(IdentityComponent source)
    {
    }
}
