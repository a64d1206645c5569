namespace Greengage.Engine.Users;

/// <summary>When a user's snapshot is written: every <see cref="EveryRecords"/> records or <see cref="EveryInterval"/>, and on deactivation.</summary>
public sealed class SnapshotPolicy
{
    public int EveryRecords { get; set; } = 200;

    public TimeSpan EveryInterval { get; set; } = TimeSpan.FromMinutes(5);
}
