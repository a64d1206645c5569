using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Content;

/// <summary>The life of an A/B test: drafted, running (assigning and applying), stopped (paused: nobody gets its
/// effects, assignments are kept), finished (over; a chosen winner's values became live values).</summary>
public static class AbTestStates
{
    public const string Draft = "draft";
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Finished = "finished";
}

/// <summary>
/// One variant of a test: its share of entrants, the variables it overrides (dotted name to value), and the messages
/// it changes (message id to template values laid over the message's own).
/// </summary>
public sealed record AbVariant(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("percent")] double Percent,
    [property: JsonPropertyName("vars")] JsonObject Vars)
{
    [JsonPropertyName("messages")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonObject? Messages { get; init; }
}

/// <summary>An A/B test as stored (content kind <see cref="ContentKinds.AbTest"/>, keyed by id).</summary>
/// <param name="AudienceId">Who may enter: members of this audience (null: everyone, unless <paramref name="Rule"/>).</param>
/// <param name="Rule">Inline targeting, in the rule JSON form, instead of a saved audience.</param>
/// <param name="Sticky">Users stay in the test once entered, even when they stop matching (Leanplum's default).</param>
/// <param name="PublishedMs">When the test first started: of two tests on one variable, the earlier published wins.</param>
public sealed record AbTestDocument(
    [property: JsonPropertyName("id")] long Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("audience")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? AudienceId,
    [property: JsonPropertyName("rule")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonNode? Rule,
    [property: JsonPropertyName("sticky")] bool Sticky,
    [property: JsonPropertyName("variants")] IReadOnlyList<AbVariant> Variants,
    [property: JsonPropertyName("created")] long CreatedMs,
    [property: JsonPropertyName("updated")] long UpdatedMs,
    [property: JsonPropertyName("published")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? PublishedMs,
    [property: JsonPropertyName("finished")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? FinishedMs,
    [property: JsonPropertyName("chosenVariant")][property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? ChosenVariant)
{
    public const int MaxVariants = 16;

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);

    public static AbTestDocument FromJson(byte[] body) =>
        JsonSerializer.Deserialize<AbTestDocument>(body) ?? throw new JsonException("Empty A/B test document.");
}

/// <summary>
/// A running test as the snapshot holds it: the targeting compiled, the variants with their cumulative bounds in
/// hundredths of a percent, and each variant's overrides as one tree.
/// </summary>
public sealed class RunningTest
{
    private readonly int[] _upperBounds;

    internal RunningTest(AbTestDocument document, Func<TargetingSubject, bool>? targeting)
    {
        Document = document;
        IdText = document.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Targeting = targeting;
        _upperBounds = new int[document.Variants.Count];
        double cumulative = 0;
        for (var i = 0; i < document.Variants.Count; i++)
        {
            cumulative += document.Variants[i].Percent;
            _upperBounds[i] = (int)Math.Round(cumulative * 100);
        }
        _upperBounds[^1] = 10_000;
        Overrides = document.Variants.ToDictionary(
            v => v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            v => (IReadOnlyDictionary<string, JsonNode?>)v.Vars.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
        MessageOverrides = document.Variants.Where(v => v.Messages is { Count: > 0 }).ToDictionary(
            v => v.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            v => (IReadOnlyDictionary<long, JsonObject>)v.Messages!
                .Where(m => long.TryParse(m.Key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _) && m.Value is JsonObject)
                .ToDictionary(m => long.Parse(m.Key, System.Globalization.CultureInfo.InvariantCulture), m => (JsonObject)m.Value!),
            StringComparer.Ordinal);
    }

    /// <summary>The messages each variant changes (message id to values over the message's own), by variant id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<long, JsonObject>> MessageOverrides { get; }

    public AbTestDocument Document { get; }

    public string IdText { get; }

    /// <summary>Null: every user may enter.</summary>
    public Func<TargetingSubject, bool>? Targeting { get; }

    /// <summary>Each variant's variable overrides (dotted name to value), by variant id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, JsonNode?>> Overrides { get; }

    /// <summary>
    /// The variant for a new entrant (spec 6.5's suggestion): the user's point in 0-9999, from SHA-256 of the test id
    /// and the user id, falls into one variant's share of the cumulative percentages.
    /// </summary>
    public string VariantFor(string userId)
    {
        var point = Point(IdText, userId);
        for (var i = 0; i < _upperBounds.Length; i++)
        {
            if (point < _upperBounds[i])
                return Document.Variants[i].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return Document.Variants[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A user's stable point in 0-9999 for a test.</summary>
    public static int Point(string testId, string userId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(testId + "\n" + userId), hash);
        return (int)(BinaryPrimitives.ReadUInt64BigEndian(hash) % 10_000);
    }
}

/// <summary>A test the user is in, and their variant.</summary>
public readonly record struct ActiveVariant(RunningTest Test, string VariantId);

/// <summary>How a test's targeting compiles: a saved audience, an inline rule, or everyone.</summary>
public static class AbTestTargeting
{
    public static Func<TargetingSubject, bool>? Compile(AbTestDocument test, AudienceSet audiences)
    {
        if (test.AudienceId is { } audienceId)
        {
            var id = audienceId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (audiences.IndexOf(id) is null)
                throw new RuleException($"no audience with id '{id}'.");
            return s => audiences.Contains(id, s);
        }
        return test.Rule is { } rule ? audiences.Compiler.Compile(RuleJson.Parse(rule.ToJsonString())) : null;
    }
}
