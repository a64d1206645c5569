using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Targeting;
using Greengage.Engine.Users.Components;
using Greengage.Engine.Users.Records;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Content;

/// <summary>Which A/B tests a user is in at a <c>start</c> or content refresh, and what it records.</summary>
/// <param name="Active">The tests the user is in, earliest published first, with their variants.</param>
/// <param name="Assigned">Variants newly assigned, by test id (null: none).</param>
public sealed record ExperimentOutcome(IReadOnlyList<ActiveVariant> Active, Dictionary<string, string>? Assigned)
{
    public static ExperimentOutcome None { get; } = new([], null);

    /// <summary>
    /// Spec 6.5 over the snapshot's running tests: a user with a recorded variant keeps it (in a sticky test always; in
    /// a non-sticky one while the targeting still matches); a user without one who matches the targeting enters with the
    /// variant their stable point falls in. No I/O: the assignment is returned to be recorded.
    /// </summary>
    public static ExperimentOutcome Resolve(AppContent content, TargetingSubject subject, ExperimentsComponent experiments)
    {
        if (content.RunningTests.Count == 0)
            return None;
        var active = new List<ActiveVariant>();
        Dictionary<string, string>? assigned = null;
        foreach (var test in content.RunningTests)
        {
            if (experiments.Assigned.TryGetValue(test.IdText, out var existing))
            {
                if (test.Overrides.ContainsKey(existing.VariantId) && (test.Document.Sticky || test.Targeting is null || test.Targeting(subject)))
                    active.Add(new ActiveVariant(test, existing.VariantId));
            }
            else if (test.Targeting is null || test.Targeting(subject))
            {
                var variant = test.VariantFor(subject.UserId);
                (assigned ??= new Dictionary<string, string>(StringComparer.Ordinal))[test.IdText] = variant;
                active.Add(new ActiveVariant(test, variant));
            }
        }
        return new ExperimentOutcome(active, assigned);
    }

    /// <summary>The record of this outcome (null when there is nothing to record).</summary>
    public VariantsAssigned? Record(long timeMs, string? sessionId) =>
        Assigned is null && (sessionId is null || Active.Count == 0)
            ? null
            : new VariantsAssigned
            {
                TimeMs = timeMs,
                Assignments = Assigned ?? [],
                SessionId = sessionId,
                Active = sessionId is null ? null : [.. Active.Select(a => new ExperimentEntry(a.Test.IdText, a.VariantId))],
            };

    /// <summary>
    /// <c>variants</c> (spec 5.2): <c>[{"id": variantId}]</c>, ids as numbers, written once per answer as JSON bytes
    /// (a tree of one object per test was a twelfth of the bytes a start allocated).
    /// </summary>
    public RawJson Variants()
    {
        if (Active.Count == 0)
            return NoVariants;
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (var a in Active)
        {
            writer.WriteStartObject();
            writer.WriteNumber(IdName, long.Parse(a.VariantId, CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.Flush();
        return RawJson.FromUtf8(buffer.WrittenSpan.ToArray());
    }

    private static readonly RawJson NoVariants = RawJson.FromUtf8("[]"u8.ToArray());
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary><c>variantDebugInfo</c>: <c>{"abTests":[{"id", "variantId", "vars"}]}</c> with each variant's overrides.</summary>
    public JsonObject DebugInfo()
    {
        var tests = new JsonArray();
        foreach (var a in Active)
        {
            var vars = new JsonObject();
            foreach (var (name, value) in a.Test.Overrides[a.VariantId].OrderBy(o => o.Key, StringComparer.Ordinal))
                VarTree.SetPath(vars, name, value?.DeepClone());
            tests.Add(new JsonObject
            {
                ["id"] = a.Test.Document.Id,
                ["name"] = a.Test.Document.Name,
                ["variantId"] = long.Parse(a.VariantId, CultureInfo.InvariantCulture),
                ["vars"] = vars,
            });
        }
        return new JsonObject { ["abTests"] = tests };
    }
}
