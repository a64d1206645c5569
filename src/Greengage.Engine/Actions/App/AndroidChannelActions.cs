using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Apps;
using Greengage.Engine.Content;
using Greengage.Engine.Messages;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.App;

/// <summary>
/// <c>addAndroidNotificationChannel</c> (spec 4.4; development key): adds or updates a channel. <c>id</c>, <c>name</c>
/// and <c>importance</c> (0-5, default 3) are required; <c>description</c>, <c>groupId</c>, <c>enableLights</c>,
/// <c>lightColor</c>, <c>enableVibration</c>, <c>vibrationPattern</c> (array of milliseconds),
/// <c>lockscreenVisibility</c> (-1 secret, 0 private, 1 public), <c>bypassDnd</c>, <c>showBadge</c>, <c>sound</c>,
/// <c>default</c> are optional. Answers <c>channelCreated</c>, <c>channelId</c>, <c>channelUpdated</c>, <c>name</c>,
/// <c>importance</c>.
/// </summary>
public sealed class AddAndroidNotificationChannel(AndroidChannelService channels) : IAppAction
{
    public string Name => "addAndroidNotificationChannel";

    public async ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet p, CancellationToken cancellationToken)
    {
        var id = p.RequiredString("id");
        var name = p.RequiredString("name");
        if (id.Length > AndroidChannelService.MaxIdLength || name.Length > AndroidChannelService.MaxIdLength)
            return ActionResult.Fail(400, $"'id' and 'name' are at most {AndroidChannelService.MaxIdLength} characters.");
        var importance = p.Long("importance") ?? 3;
        if (importance is < 0 or > 5)
            return ActionResult.Fail(400, "'importance' is 0 to 5 (3: default).");
        var visibility = p.Long("lockscreenVisibility") ?? 1;
        if (visibility is < -1 or > 1)
            return ActionResult.Fail(400, "'lockscreenVisibility' is -1 (secret), 0 (private) or 1 (public).");
        var lightColor = p.Long("lightColor") ?? 0;
        if (lightColor is < int.MinValue or > uint.MaxValue)
            return ActionResult.Fail(400, "'lightColor' is an ARGB colour as a 32-bit integer.");
        List<long>? pattern = null;
        if (p.Array("vibrationPattern") is { } array)
        {
            pattern = [];
            foreach (var element in array.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var ms) || ms < 0 || pattern.Count >= 100)
                    return ActionResult.Fail(400, "'vibrationPattern' is an array of at most 100 durations in milliseconds.");
                pattern.Add(ms);
            }
        }
        var channel = new AndroidChannel(id, name, (int)importance, p.String("description"), p.String("groupId"), p.Flag("enableLights"),
            unchecked((int)lightColor), p.Flag("enableVibration"), pattern, (int)visibility, p.Flag("bypassDnd"), p.Flag("showBadge"), p.String("sound"), p.Flag("default"));
        var created = await channels.AddAsync(app.AppId, channel, cancellationToken);
        return ActionResult.Ok(new JsonObject
        {
            ["channelCreated"] = created,
            ["channelId"] = id,
            ["channelUpdated"] = !created,
            ["name"] = name,
            ["importance"] = importance,
        });
    }
}

/// <summary><c>getAndroidNotificationChannels</c> (spec 4.4; production key): <c>notificationChannels</c>, as <c>start</c> carries them.</summary>
public sealed class GetAndroidNotificationChannels(ContentDirectory content) : IAppAction
{
    public string Name => "getAndroidNotificationChannels";

    public ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken) =>
        ValueTask.FromResult(ActionResult.Ok(new JsonObject { ["notificationChannels"] = AndroidChannel.Wire(content.For(app.AppId).Messages.AndroidChannels) }));
}

/// <summary><c>deleteAndroidNotificationChannel</c> (spec 4.4; development key): <c>channelId</c>; answers <c>channelDeleted</c>, <c>channelId</c>.</summary>
public sealed class DeleteAndroidNotificationChannel(AndroidChannelService channels) : IAppAction
{
    public string Name => "deleteAndroidNotificationChannel";

    public async ValueTask<ActionResult> HandleAsync(AppEntry app, ParameterSet parameters, CancellationToken cancellationToken)
    {
        var id = parameters.RequiredString("channelId");
        var deleted = await channels.DeleteAsync(app.AppId, id, cancellationToken);
        return ActionResult.Ok(new JsonObject { ["channelDeleted"] = deleted, ["channelId"] = id });
    }
}
