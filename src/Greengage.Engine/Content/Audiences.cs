using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Content;

/// <summary>A saved audience as stored (content kind <see cref="ContentKinds.Audience"/>, keyed by id).</summary>
/// <param name="Segment">The legacy segment string it was written as, when it was.</param>
public sealed record AudienceDocument(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("rule")] JsonNode Rule,
    [property: JsonPropertyName("segment")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Segment,
    [property: JsonPropertyName("created")] long CreatedMs,
    [property: JsonPropertyName("updated")] long UpdatedMs)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static AudienceDocument FromJson(byte[] body) =>
        JsonSerializer.Deserialize<AudienceDocument>(body) ?? throw new JsonException("Empty audience document.");

    public AudienceDefinition ToDefinition() => new(Id.ToString(System.Globalization.CultureInfo.InvariantCulture), Name, RuleJson.Parse(Rule.ToJsonString()));
}
