using System.Text.Json;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>
/// <c>setTrafficSourceInfo</c> (spec 4.2): the install's attribution, a <c>trafficSource</c> object (iOS) or its JSON text
/// (Android). It replaces the previous attribution whole; exports show it as <c>sourcePublisherId</c>, <c>sourcePublisher</c>, ...
/// </summary>
public sealed class SetTrafficSourceInfo : IUserAction
{
    public const string Parameter = "trafficSource";

    private static readonly string[] Fields =
        ["publisherId", "publisherName", "publisherSubPublisher", "publisherSubSite", "publisherSubCampaign", "publisherSubAdGroup", "publisherSubAd"];

    public string Name => "setTrafficSourceInfo";

    public ActionResult Handle(UserActionContext context)
    {
        var p = context.Parameters;
        var obj = p.Object(Parameter) ?? throw new InvalidParameterException($"'{Parameter}' must be provided");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in obj.EnumerateObject())
        {
            if (!Fields.Contains(field.Name) || Lenient.IsAbsent(field.Value))
                continue;
            values[field.Name] = Lenient.ToText(field.Value)
                ?? throw new InvalidParameterException($"Invalid value for '{Parameter}.{field.Name}': expected text");
        }
        if (values.Count == 0)
            throw new InvalidParameterException($"'{Parameter}' must hold at least one of {string.Join(", ", Fields)}.");

        context.Emit(new TrafficSourceSet
        {
            TimeMs = context.TimeMs,
            Source = new TrafficSource
            {
                PublisherId = values.GetValueOrDefault("publisherId"),
                PublisherName = values.GetValueOrDefault("publisherName"),
                PublisherSubPublisher = values.GetValueOrDefault("publisherSubPublisher"),
                PublisherSubSite = values.GetValueOrDefault("publisherSubSite"),
                PublisherSubCampaign = values.GetValueOrDefault("publisherSubCampaign"),
                PublisherSubAdGroup = values.GetValueOrDefault("publisherSubAdGroup"),
                PublisherSubAd = values.GetValueOrDefault("publisherSubAd"),
            },
        });
        return ActionResult.Ok();
    }
}
