using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Greengage.Engine.Content;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Messages;

/// <summary>
/// An Android notification channel of the app (spec 4.4: <c>addAndroidNotificationChannel</c>), stored as content
/// (kind <see cref="Kind"/>, keyed by id) under the names the Android SDK reads when <c>start</c> carries it
/// (LeanplumNotificationChannel: <c>id</c>, <c>name</c>, <c>importance</c>, <c>description</c>, <c>groupId</c>,
/// <c>enable_lights</c>, <c>light_color</c>, <c>enable_vibration</c>, <c>vibration_pattern</c>,
/// <c>lockscreen_visibility</c>, <c>bypass_dnd</c>, <c>show_badge</c>).
/// </summary>
public sealed record AndroidChannel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("importance")] int Importance,
    [property: JsonPropertyName("description")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Description,
    [property: JsonPropertyName("groupId")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? GroupId,
    [property: JsonPropertyName("enable_lights")] bool EnableLights,
    [property: JsonPropertyName("light_color")] int LightColor,
    [property: JsonPropertyName("enable_vibration")] bool EnableVibration,
    [property: JsonPropertyName("vibration_pattern")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<long>? VibrationPattern,
    [property: JsonPropertyName("lockscreen_visibility")] int LockscreenVisibility,
    [property: JsonPropertyName("bypass_dnd")] bool BypassDnd,
    [property: JsonPropertyName("show_badge")] bool ShowBadge,
    [property: JsonPropertyName("sound")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Sound,
    [property: JsonPropertyName("default")] bool IsDefault)
{
    public const string Kind = "android-channel";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static AndroidChannel FromJson(byte[] body) =>
        JsonSerializer.Deserialize<AndroidChannel>(body) ?? throw new JsonException("Empty channel document.");

    /// <summary>The app's channels from its content documents, by id.</summary>
    public static List<AndroidChannel> From(IEnumerable<ContentDocument> documents) =>
        [.. documents.Where(d => d.Kind == Kind).Select(d => FromJson(d.Body)).OrderBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary><c>notificationChannels</c>: the channels as the SDK reads them.</summary>
    public static JsonArray Wire(IEnumerable<AndroidChannel> channels) =>
        new([.. channels.Select(c => JsonSerializer.SerializeToNode(c))]);
}

/// <summary>
/// Adds (or updates) and deletes the app's Android notification channels: published to the snapshot, so the next
/// <c>start</c> of an Android device carries them (which creates, updates and deletes them on the device).
/// </summary>
public sealed class AndroidChannelService(ContentDirectory content)
{
    public const int MaxIdLength = 200;

    /// <summary>Stores the channel; answers whether it was new (else it replaced one with the same id).</summary>
    public Task<bool> AddAsync(string appId, AndroidChannel channel, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var existing = current.Messages.AndroidChannels;
            var created = existing.All(c => c.Id != channel.Id);
            var puts = new List<ContentDocument> { new(AndroidChannel.Kind, channel.Id, channel.ToJson(), 0) };
            // One default: a new default takes the mark from the old one.
            foreach (var other in existing.Where(c => c.IsDefault && channel.IsDefault && c.Id != channel.Id))
                puts.Add(new ContentDocument(AndroidChannel.Kind, other.Id, (other with { IsDefault = false }).ToJson(), 0));
            return new ContentChange<bool>(created, puts, []);
        }, cancellationToken);

    /// <summary>Deletes the channel; false when the app has no channel with that id.</summary>
    public Task<bool> DeleteAsync(string appId, string id, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
            current.Messages.AndroidChannels.Any(c => c.Id == id)
                ? new ContentChange<bool>(true, [], [(AndroidChannel.Kind, id)])
                : new ContentChange<bool>(false, [], []), cancellationToken);
}
