using System.Text.Json.Serialization;

namespace Greengage.Engine.Users.Records;

/// <summary>
/// Login or register (<c>newUserId</c> from an anonymous user, spec 6.3), in the target's log: the anonymous user's
/// whole state, absorbed by each component's merge rule. Written in the same transaction as the source's
/// <see cref="UserMoved"/>, so a move happens once or not at all.
/// </summary>
public sealed record UserMerged : UserRecord
{
    public const string Kind = "user.merged";
    [JsonIgnore] public override string KindName => Kind;

    /// <summary>The anonymous user id that moved here.</summary>
    [JsonPropertyName("from")] public required string FromUserId { get; init; }

    /// <summary>True for a login (this user existed), false for a register (a rename).</summary>
    [JsonPropertyName("login")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool Login { get; init; }

    /// <summary>The source's state as it was when it moved.</summary>
    [JsonPropertyName("state")] public required UserState State { get; init; }
}

/// <summary>
/// The source side of a login or register, in the anonymous user's log: its state went to <see cref="ToUserId"/>, and
/// every later request for this id is answered by that user (the alias; ARCHITECTURE decision 3). The records before
/// it stay, under the id they were written with.
/// </summary>
public sealed record UserMoved : UserRecord
{
    public const string Kind = "user.moved";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("to")] public required string ToUserId { get; init; }
}

/// <summary>
/// A user switch (<c>newUserId</c> from a known user): this user's session ended at the switch and the device went on
/// as <see cref="ToUserId"/>. The user itself stays.
/// </summary>
public sealed record UserSwitched : UserRecord
{
    public const string Kind = "user.switch";
    [JsonIgnore] public override string KindName => Kind;

    [JsonPropertyName("to")] public required string ToUserId { get; init; }
}
