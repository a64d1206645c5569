using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;

namespace Greengage.Engine.Content;

/// <summary>A variant as an operator writes it; <paramref name="Id"/> names an existing variant when a test is changed.</summary>
/// <param name="Messages">Message id to template values laid over the message's own, for users in this variant.</param>
public sealed record AbVariantInput(long? Id, string Name, double Percent, JsonObject? Vars, JsonObject? Messages = null);

/// <summary>An A/B test as an operator writes it.</summary>
public sealed record AbTestInput(string Name, long? AudienceId, JsonNode? Rule, bool Sticky, IReadOnlyList<AbVariantInput> Variants);

/// <summary>
/// A/B tests (spec 6.5): drafted, started (published: the snapshot assigns and applies them), stopped, finished. A
/// running test's percentages and values may change (only new entrants see new percentages: assignments are
/// recorded); its variants may not be added or removed. Finishing with a winner makes the winner's values the live
/// values, in the same change.
/// </summary>
public sealed class AbTestService(ContentDirectory content, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public Task<AbTestDocument> CreateAsync(string appId, AbTestInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var now = Now();
            if (input.Variants.Any(v => v.Id is not null))
                throw ContentException.Invalid("A new test's variants take no ids; the server gives them.");
            var test = Validate(current, new AbTestDocument(ContentIds.Next(), input.Name, AbTestStates.Draft, input.AudienceId, input.Rule, input.Sticky,
                Variants(input.Variants, existing: null), now, now, null, null, null));
            return Changed(test, now);
        }, cancellationToken);

    public Task<AbTestDocument> UpdateAsync(string appId, long id, AbTestInput input, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var existing = Find(current, id);
            if (existing.State == AbTestStates.Finished)
                throw ContentException.Conflict("A finished test cannot change.");
            var variants = Variants(input.Variants, existing);
            if (existing.State != AbTestStates.Draft && !variants.Select(v => v.Id).Order().SequenceEqual(existing.Variants.Select(v => v.Id).Order()))
                throw ContentException.Conflict("A test that has started keeps its variants: name each by its id; none may be added or removed.");
            var now = Now();
            var test = Validate(current, existing with
            {
                Name = input.Name,
                AudienceId = input.AudienceId,
                Rule = input.Rule,
                Sticky = input.Sticky,
                Variants = variants,
                UpdatedMs = now,
            });
            return Changed(test, now);
        }, cancellationToken);

    /// <summary>Starts (publishes) a drafted or stopped test.</summary>
    public Task<AbTestDocument> StartAsync(string appId, long id, CancellationToken cancellationToken) =>
        Transition(appId, id, [AbTestStates.Draft, AbTestStates.Stopped], (test, now) => test with { State = AbTestStates.Running, PublishedMs = test.PublishedMs ?? now }, cancellationToken);

    /// <summary>Stops a running test: nobody gets its effects until it starts again; assignments are kept.</summary>
    public Task<AbTestDocument> StopAsync(string appId, long id, CancellationToken cancellationToken) =>
        Transition(appId, id, [AbTestStates.Running], (test, _) => test with { State = AbTestStates.Stopped }, cancellationToken);

    /// <summary>Finishes a test; with a winner, the winner's values become the live values in the same change.</summary>
    public Task<AbTestDocument> FinishAsync(string appId, long id, long? winner, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var test = Find(current, id);
            if (test.State is not (AbTestStates.Running or AbTestStates.Stopped))
                throw ContentException.Conflict($"Only a running or stopped test can finish; this one is {test.State}.");
            var now = Now();
            var puts = new List<ContentDocument>();
            if (winner is { } winnerId)
            {
                var chosen = test.Variants.FirstOrDefault(v => v.Id == winnerId) ?? throw ContentException.Invalid($"The test has no variant {winnerId}.");
                foreach (var (name, value) in chosen.Vars)
                    puts.Add(new ContentDocument(ContentKinds.LiveVariable, name, JsonSerializer.SerializeToUtf8Bytes(value), now));
            }
            var finished = test with { State = AbTestStates.Finished, FinishedMs = now, ChosenVariant = winner, UpdatedMs = now };
            puts.Add(Store(finished, now));
            return new ContentChange<AbTestDocument>(finished, puts, []);
        }, cancellationToken);

    /// <summary>Deletes a draft or finished test (a running or stopped one is finished first).</summary>
    public Task DeleteAsync(string appId, long id, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var test = Find(current, id);
            if (test.State is AbTestStates.Running or AbTestStates.Stopped)
                throw ContentException.Conflict("Finish the test before deleting it.");
            return new ContentChange<bool>(true, [], [(ContentKinds.AbTest, id.ToString(CultureInfo.InvariantCulture))]);
        }, cancellationToken);

    private Task<AbTestDocument> Transition(string appId, long id, string[] from, Func<AbTestDocument, long, AbTestDocument> change, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var test = Find(current, id);
            if (!from.Contains(test.State))
                throw ContentException.Conflict($"The test is {test.State}; this needs it {string.Join(" or ", from)}.");
            var now = Now();
            var changed = change(test, now) with { UpdatedMs = now };
            Validate(current, changed);
            return Changed(changed, now);
        }, cancellationToken);

    private static AbTestDocument Find(AppContent current, long id) =>
        current.AbTests.FirstOrDefault(t => t.Id == id) ?? throw ContentException.NotFound("A/B test", id);

    private static List<AbVariant> Variants(IReadOnlyList<AbVariantInput> inputs, AbTestDocument? existing)
    {
        var variants = new List<AbVariant>();
        foreach (var input in inputs)
        {
            var id = input.Id ?? ContentIds.Next();
            if (input.Id is { } given && existing?.Variants.All(v => v.Id != given) != false)
                throw ContentException.Invalid($"The test has no variant {given}.");
            variants.Add(new AbVariant(id, input.Name?.Trim() ?? "", input.Percent, input.Vars ?? []) { Messages = input.Messages is { Count: > 0 } m ? m : null });
        }
        return variants;
    }

    /// <summary>Checks a test whole: name, 2 to 16 variants whose percentages total 100, variable names, targeting.</summary>
    private static AbTestDocument Validate(AppContent current, AbTestDocument test)
    {
        var name = test.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxNameLength)
            throw ContentException.Invalid($"A test's name is 1 to {MaxNameLength} characters.");
        if (test.Variants.Count is < 2 or > AbTestDocument.MaxVariants)
            throw ContentException.Invalid($"A test has 2 to {AbTestDocument.MaxVariants} variants, control included.");
        foreach (var variant in test.Variants)
        {
            if (variant.Name.Length is 0 or > MaxNameLength)
                throw ContentException.Invalid($"A variant's name is 1 to {MaxNameLength} characters.");
            if (!double.IsFinite(variant.Percent) || variant.Percent < 0 || variant.Percent > 100)
                throw ContentException.Invalid($"Variant '{variant.Name}': percent is 0 to 100.");
            foreach (var (variable, _) in variant.Vars)
            {
                if (variable.Length == 0 || variable.Split('.').Any(part => part.Length == 0))
                    throw ContentException.Invalid($"Variant '{variant.Name}': '{variable}' is not a variable name (groups are separated by single dots).");
                if (current.Latest?.Kinds[variable]?.GetValue<string>() is { } kind && VariablesService.Mismatch(kind, variant.Vars[variable] ?? JsonValue.Create(0)) is { } problem)
                    throw ContentException.Invalid($"Variant '{variant.Name}', variable '{variable}': {problem}");
            }
            foreach (var (messageId, values) in variant.Messages ?? [])
            {
                if (!long.TryParse(messageId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || !current.Messages.ById.ContainsKey(id))
                    throw ContentException.Invalid($"Variant '{variant.Name}': there is no message {messageId}.");
                if (values is not JsonObject)
                    throw ContentException.Invalid($"Variant '{variant.Name}', message {messageId}: give the template values it changes as an object.");
                try
                {
                    // The values lie over the message's own, argument by argument: each must fit the message's template.
                    var message = current.Messages.ById[id];
                    if (Messages.MessageTemplates.Find(message.Template, current.Latest?.ActionDefinitions) is { } template)
                        Messages.TemplateValues.Check(template, (JsonObject)values, new Messages.TemplateCheck(current.Latest?.ActionDefinitions, null, Complete: false));
                    Messages.Personalization.Check(values);
                }
                catch (Messages.TemplateException e)
                {
                    throw ContentException.Invalid($"Variant '{variant.Name}', message {messageId}: {e.Message}");
                }
                catch (Messages.PersonalizationException e)
                {
                    throw ContentException.Invalid($"Variant '{variant.Name}', message {messageId}: {e.Message}");
                }
            }
        }
        if (test.Variants.Select(v => v.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != test.Variants.Count)
            throw ContentException.Invalid("Variant names must differ.");
        var total = test.Variants.Sum(v => v.Percent);
        if (Math.Abs(total - 100) > 0.001)
            throw ContentException.Invalid($"The variants' percentages total {total.ToString(CultureInfo.InvariantCulture)}; they must total 100.");
        if (test.AudienceId is not null && test.Rule is not null)
            throw ContentException.Invalid("Target with an audience or a rule, not both.");
        try
        {
            AbTestTargeting.Compile(test, current.Audiences);
        }
        catch (RuleException e)
        {
            throw ContentException.Invalid($"Targeting: {e.Message}");
        }
        return test with { Name = name };
    }

    private static ContentChange<AbTestDocument> Changed(AbTestDocument test, long now) => new(test, [Store(test, now)], []);

    private static ContentDocument Store(AbTestDocument test, long now) =>
        new(ContentKinds.AbTest, test.Id.ToString(CultureInfo.InvariantCulture), test.ToJson(), now);

    private long Now() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
