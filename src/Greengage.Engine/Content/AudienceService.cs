using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Content;

/// <summary>
/// Saved audiences (spec 6.4): written as a rule in the JSON form or as a legacy segment string, validated by compiling
/// the app's whole audience set with the change in it (no dangling reference, no cycle), then published.
/// </summary>
public sealed class AudienceService(ContentDirectory content, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public Task<AudienceDocument> CreateAsync(string appId, string name, Rule rule, string? segment, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var document = new AudienceDocument(ContentIds.Next(), CheckName(current, name, except: null), RuleJson.Write(rule), segment, now, now);
            Validate(current, document);
            return new ContentChange<AudienceDocument>(document, [Store(document, now)], []);
        }, cancellationToken);

    public Task<AudienceDocument> UpdateAsync(string appId, long id, string name, Rule rule, string? segment, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var existing = current.AudienceDocuments.FirstOrDefault(a => a.Id == id) ?? throw ContentException.NotFound("Audience", id);
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            var document = existing with { Name = CheckName(current, name, except: id), Rule = RuleJson.Write(rule), Segment = segment, UpdatedMs = now };
            Validate(current, document);
            return new ContentChange<AudienceDocument>(document, [Store(document, now)], []);
        }, cancellationToken);

    /// <summary>Deletes an audience no other audience or A/B test names.</summary>
    public Task DeleteAsync(string appId, long id, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            if (current.AudienceDocuments.All(a => a.Id != id))
                throw ContentException.NotFound("Audience", id);
            var key = id.ToString(CultureInfo.InvariantCulture);
            var users = current.Audiences.All.Where(a => AudienceSet.References(a.Definition.Rule).Contains(key)).Select(a => $"audience '{a.Definition.Name}'")
                .Concat(current.AbTests.Where(t => t.State != AbTestStates.Finished && (t.AudienceId == id || (t.Rule is { } r && AudienceSet.References(RuleJson.Parse(r.ToJsonString())).Contains(key)))).Select(t => $"A/B test '{t.Name}'"))
                .ToList();
            if (users.Count > 0)
                throw ContentException.Conflict($"The audience is in use by {string.Join(", ", users)}.");
            return new ContentChange<bool>(true, [], [(ContentKinds.Audience, key)]);
        }, cancellationToken);

    private static string CheckName(AppContent current, string name, long? except)
    {
        name = name.Trim();
        if (name.Length is 0 or > MaxNameLength)
            throw ContentException.Invalid($"An audience's name is 1 to {MaxNameLength} characters.");
        if (current.AudienceDocuments.Any(a => a.Id != except && string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase)))
            throw ContentException.Conflict($"Another audience is named '{name}'.");
        return name;
    }

    /// <summary>Compiles the app's audiences with <paramref name="changed"/> in place: a bad rule, an unknown audience or a cycle is refused.</summary>
    private static void Validate(AppContent current, AudienceDocument changed)
    {
        var definitions = current.AudienceDocuments.Where(a => a.Id != changed.Id).Append(changed).OrderBy(a => a.Id).Select(a => a.ToDefinition()).ToList();
        try
        {
            AudienceSet.Compile(definitions);
        }
        catch (RuleException e)
        {
            throw ContentException.Invalid(e.Message);
        }
    }

    private static ContentDocument Store(AudienceDocument document, long now) =>
        new(ContentKinds.Audience, document.Id.ToString(CultureInfo.InvariantCulture), document.ToJson(), now);
}
