using System.Text.Json.Serialization;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users;

/// <summary>A user's whole state: the fold of their activity log, made of independent components.</summary>
public sealed class UserState
{
    [JsonPropertyName("profile")] public ProfileComponent Profile { get; set; } = new();
    [JsonPropertyName("aggregates")] public AggregatesComponent Aggregates { get; set; } = new();
    [JsonPropertyName("devices")] public DevicesComponent Devices { get; set; } = new();
    [JsonPropertyName("sessions")] public SessionsComponent Sessions { get; set; } = new();
    [JsonPropertyName("retries")] public RetriesComponent Retries { get; set; } = new();
    [JsonPropertyName("states")] public StatesComponent States { get; set; } = new();
    [JsonPropertyName("source")] public TrafficSourceComponent Source { get; set; } = new();
    [JsonPropertyName("block")] public BlockComponent Block { get; set; } = new();
    [JsonPropertyName("identity")] public IdentityComponent Identity { get; set; } = new();
    [JsonPropertyName("paramCounts")] public ParamCountsComponent ParamCounts { get; set; } = new();
    [JsonPropertyName("experiments")] public ExperimentsComponent Experiments { get; set; } = new();
    [JsonPropertyName("messages")] public MessagesComponent Messages { get; set; } = new();
    [JsonPropertyName("inbox")] public InboxComponent Inbox { get; set; } = new();

    /// <summary>True once any record has been applied: the user exists.</summary>
    [JsonIgnore] public bool Exists => Profile.CreatedMs is not null;

    public void Apply(UserRecord record)
    {
        switch (record)
        {
            case UserDeleted or UserMoved:
                ResetForDeletion();
                break;
            case UserMerged merged:
                MergeFrom(merged.State);
                break;
        }
        Profile.Apply(record);
        Aggregates.Apply(record);
        Devices.Apply(record);
        Sessions.Apply(record);
        Retries.Apply(record);
        States.Apply(record);
        Source.Apply(record);
        Block.Apply(record);
        Identity.Apply(record);
        ParamCounts.Apply(record);
        Experiments.Apply(record);
        Messages.Apply(record);
        Inbox.Apply(record);
    }

    /// <summary>Absorbs another user's state (login): each component by its own rule.</summary>
    public void MergeFrom(UserState source)
    {
        Profile.MergeFrom(source.Profile);
        Aggregates.MergeFrom(source.Aggregates);
        Devices.MergeFrom(source.Devices);
        Sessions.MergeFrom(source.Sessions);
        Retries.MergeFrom(source.Retries);
        States.MergeFrom(source.States);
        Source.MergeFrom(source.Source);
        Block.MergeFrom(source.Block);
        Identity.MergeFrom(source.Identity);
        ParamCounts.MergeFrom(source.ParamCounts);
        Experiments.MergeFrom(source.Experiments);
        Messages.MergeFrom(source.Messages);
        Inbox.MergeFrom(source.Inbox);
    }

    /// <summary>
    /// <c>deleteUser</c>, and the source of a login or register (its state went to the target): every component starts
    /// over except <see cref="Retries"/> (a retried batch must not bring the user back), <see cref="Block"/> (erasure
    /// does not lift a block) and <see cref="Identity"/>. A new component belongs here too.
    /// </summary>
    private void ResetForDeletion()
    {
        Profile = new();
        Aggregates = new();
        Devices = new();
        Sessions = new();
        States = new();
        Source = new();
        ParamCounts = new();
        Experiments = new();
        Messages = new();
        Inbox = new();
    }

    public byte[] Serialize() => UserJson.Serialize(this);

    public static UserState Deserialize(ReadOnlySpan<byte> json) => UserJson.DeserializeState(json);
}
