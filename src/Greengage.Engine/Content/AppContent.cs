using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Messages;
using Greengage.Engine.Storage;
using Greengage.Engine.Targeting;
using Greengage.Protocol.Responses;

namespace Greengage.Engine.Content;

/// <summary>The kinds of content documents, as stored.</summary>
public static class ContentKinds
{
    /// <summary>What <c>setVars</c> declared for one app version (key: the version, empty when unknown).</summary>
    public const string CodeDefaults = "code-defaults";

    /// <summary>A live value set through the admin API (key: the variable's dotted name).</summary>
    public const string LiveVariable = "live-var";

    /// <summary>A saved audience (key: its id).</summary>
    public const string Audience = "audience";

    /// <summary>An A/B test (key: its id).</summary>
    public const string AbTest = "ab-test";

    /// <summary>An uploaded file's entry in the app's file table (key: the file name; see <see cref="AppFiles"/>).</summary>
    public const string File = "file";
}

/// <summary>What <c>setVars</c> declared: the variables' code defaults, their kinds, action definitions and file attributes.</summary>
public sealed record CodeDefaults(string AppVersion, JsonObject Vars, JsonObject Kinds, JsonObject ActionDefinitions, JsonObject FileAttributes, long UpdatedMs)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["vars"] = Vars.DeepClone(),
        ["kinds"] = Kinds.DeepClone(),
        ["actionDefinitions"] = ActionDefinitions.DeepClone(),
        ["fileAttributes"] = FileAttributes.DeepClone(),
    });

    public static CodeDefaults FromDocument(ContentDocument document)
    {
        var body = JsonNode.Parse(document.Body) as JsonObject ?? [];
        return new CodeDefaults(document.Key, Object(body["vars"]), Object(body["kinds"]), Object(body["actionDefinitions"]), Object(body["fileAttributes"]), document.UpdatedMs);
    }

    private static JsonObject Object(JsonNode? node) => node is JsonObject o ? (JsonObject)o.DeepClone() : [];
}

/// <summary>The variables part of a content answer for one app version, computed once per snapshot and version.</summary>
/// <param name="Diff">For <c>includeDefaults=false</c>: changes against the code defaults (lists as <c>"[i]"</c> keys),
/// or every live value when the code defaults are unknown.</param>
/// <param name="Full">For <c>includeDefaults=true</c>: the code defaults with the live values over them.</param>
/// <param name="FromCode">The code defaults the server has (<c>varsFromCode</c>), empty when unknown.</param>
public sealed record VarsView(Lazy<JsonObject> DiffTree, Lazy<JsonObject> FullTree, JsonObject FromCode, JsonObject ActionDefinitions, JsonObject FileAttributes)
{
    private RawJson? _diff, _full, _fromCode, _actionDefinitions, _fileAttributes;

    /// <summary>The diff as a tree (a view composed for A/B variants has it written only, and parses it on first use).</summary>
    public JsonObject Diff => DiffTree.Value;

    /// <summary>The code defaults with the live values over them: merged on first use (only <c>includeDefaults</c> needs it).</summary>
    public JsonObject Full => FullTree.Value;
    private (string Secret, string? Diff, string? Full) _signatures = ("", null, null);

    // Answers carry these written once (shared by every answer) instead of a copy of the trees per request. Computed
    // on first use: a view built for one request only pays for what that request needs.
    public RawJson DiffJson
    {
        get => _diff ??= new RawJson(Diff);
        init => _diff = value;
    }

    public RawJson FullJson => _full ??= new RawJson(Full);

    public RawJson FromCodeJson => Base?.FromCodeJson ?? (_fromCode ??= new RawJson(FromCode));

    public RawJson ActionDefinitionsJson => Base?.ActionDefinitionsJson ?? (_actionDefinitions ??= new RawJson(ActionDefinitions));

    public RawJson FileAttributesJson => Base?.FileAttributesJson ?? (_fileAttributes ??= new RawJson(FileAttributes));

    /// <summary>For a view with A/B variants: the same version's view without them, whose code-side JSON it shares.</summary>
    public VarsView? Base { get; init; }

    /// <summary>For a view without variants: writes the diffs of combinations of variants from this one's.</summary>
    internal Lazy<VarsComposer>? Composer { get; init; }

    /// <summary>The <c>varsSignature</c> of the diff or full answer under <paramref name="secret"/> (remembered for the last secret).</summary>
    public string Signature(string secret, bool full, Func<string, string, string> sign)
    {
        var known = _signatures;
        if (known.Secret != secret)
            known = (secret, null, null);
        var signature = full ? known.Full : known.Diff;
        if (signature is null)
        {
            signature = sign(secret, (full ? FullJson : DiffJson).Text);
            known = full ? known with { Full = signature } : known with { Diff = signature };
            _signatures = known;
        }
        return signature;
    }
}

/// <summary>
/// One app's content as an immutable snapshot (ARCHITECTURE decision 6): built from its documents after every change
/// and swapped in whole, so a request reads one consistent version and never the database. The trees it holds are
/// never changed; answers get copies.
/// </summary>
public sealed class AppContent
{
    /// <summary>
    /// Variables answers cached per combination of variants; beyond this many, composed per call (views without
    /// variants, one per app version, are always kept).
    /// </summary>
    private const int MaxCachedViews = 4096;

    private readonly ConcurrentDictionary<string, VarsView> _views = new(StringComparer.Ordinal);

    [ThreadStatic] private static StringBuilder? t_keyBuilder;

    private AppContent(
        IReadOnlyDictionary<string, CodeDefaults> defaults,
        IReadOnlyDictionary<string, JsonNode?> live,
        IReadOnlyList<AudienceDocument> audiences,
        IReadOnlyList<AbTestDocument> tests)
    {
        DefaultsByVersion = defaults;
        Latest = defaults.Values.OrderByDescending(d => d.UpdatedMs).ThenBy(d => d.AppVersion, StringComparer.Ordinal).FirstOrDefault();
        Live = live;
        LiveTree = TreeOf(live);
        AudienceDocuments = audiences;
        Audiences = CompileAudiences(audiences, out var problems);
        AbTests = tests;
        RunningTests = CompileTests(tests, Audiences, problems);
        Problems = problems;
        CountedParameters = CountParameters(Audiences, RunningTests);
    }

    public static AppContent Empty { get; } = new(new Dictionary<string, CodeDefaults>(), new Dictionary<string, JsonNode?>(), [], []);

    /// <summary>The app's saved audiences, as stored, ordered by id.</summary>
    public IReadOnlyList<AudienceDocument> AudienceDocuments { get; }

    /// <summary>The audiences compiled (those whose rule compiles; see <see cref="Problems"/>).</summary>
    public AudienceSet Audiences { get; }

    /// <summary>Every A/B test, as stored, ordered by id.</summary>
    public IReadOnlyList<AbTestDocument> AbTests { get; }

    /// <summary>The running tests, earliest published first (of two tests on one variable, the earlier wins).</summary>
    public IReadOnlyList<RunningTest> RunningTests { get; }

    /// <summary>Stored content that could not be compiled (a rule that a newer version refuses), left out of the snapshot.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>
    /// The (event, parameter, value) tuples the audiences and tests count (ARCHITECTURE decision 6): per event name, per
    /// parameter, the value texts (<see cref="RuleValues.ParameterText"/>). <c>track</c> names the matching parameters
    /// in the event's record.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, HashSet<string>>> CountedParameters { get; }

    /// <summary>The same tuples as keys (<see cref="RuleValues.ParameterKey"/>).</summary>
    public IEnumerable<string> CountedKeys =>
        CountedParameters.SelectMany(e => e.Value.SelectMany(p => p.Value.Select(v => RuleValues.ParameterKey(e.Key, p.Key, v))));

    /// <summary>Code defaults by app version (empty string: version unknown).</summary>
    public IReadOnlyDictionary<string, CodeDefaults> DefaultsByVersion { get; }

    /// <summary>The most recently declared code defaults, whatever the version.</summary>
    public CodeDefaults? Latest { get; }

    /// <summary>Live values by dotted variable name.</summary>
    public IReadOnlyDictionary<string, JsonNode?> Live { get; }

    /// <summary>The live values as one tree (dotted names become groups).</summary>
    public JsonObject LiveTree { get; }

    /// <summary>The uploaded files (AppFiles.cs).</summary>
    public AppFiles Files { get; private set; } = AppFiles.Empty;

    /// <summary>Messages, campaigns and messaging settings (Messages/MessageSet.cs).</summary>
    public MessageSet Messages { get; private set; } = MessageSet.Empty;

    public static AppContent Build(IEnumerable<ContentDocument> documents)
    {
        var all = documents as IReadOnlyCollection<ContentDocument> ?? documents.ToList();
        var content = BuildVariables(all);
        content.Files = AppFiles.Build(all);
        var problems = (List<string>)content.Problems;
        content.Messages = MessageSet.Build(all, content.Audiences, content.Latest?.ActionDefinitions, problems);
        return content;
    }

    private static AppContent BuildVariables(IEnumerable<ContentDocument> documents)
    {
        var defaults = new Dictionary<string, CodeDefaults>(StringComparer.Ordinal);
        var live = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        var audiences = new List<AudienceDocument>();
        var tests = new List<AbTestDocument>();
        foreach (var document in documents)
        {
            switch (document.Kind)
            {
                case ContentKinds.CodeDefaults:
                    defaults[document.Key] = CodeDefaults.FromDocument(document);
                    break;
                case ContentKinds.LiveVariable:
                    live[document.Key] = JsonNode.Parse(document.Body);
                    break;
                case ContentKinds.Audience:
                    audiences.Add(AudienceDocument.FromJson(document.Body));
                    break;
                case ContentKinds.AbTest:
                    tests.Add(AbTestDocument.FromJson(document.Body));
                    break;
            }
        }
        return new AppContent(defaults, live, [.. audiences.OrderBy(a => a.Id)], [.. tests.OrderBy(t => t.Id)]);
    }

    /// <summary>The code defaults for <paramref name="appVersion"/>: that version's, else the latest declared.</summary>
    public CodeDefaults? DefaultsFor(string? appVersion) =>
        appVersion is not null && DefaultsByVersion.TryGetValue(appVersion, out var exact) ? exact : Latest;

    /// <summary>The variables answer for a user on <paramref name="appVersion"/> with no A/B test (cached per version).</summary>
    public VarsView VarsFor(string? appVersion) => VarsFor(appVersion, []);

    /// <summary>
    /// The variables answer for a user on <paramref name="appVersion"/> in the given tests' variants (earliest published
    /// first): the live values with each variant's overrides over them, where an earlier test's override of a variable
    /// wins over a later one's. Cached per version and combination of variants.
    /// </summary>
    public VarsView VarsFor(string? appVersion, IReadOnlyList<ActiveVariant> variants)
    {
        var defaults = DefaultsFor(appVersion);
        var versionKey = defaults?.AppVersion ?? "\0none";
        var key = versionKey;
        if (variants.Count > 0)
        {
            // One string for the key (concatenated test by test, it was a string per test).
            var builder = t_keyBuilder ??= new StringBuilder(128);
            builder.Clear().Append(versionKey);
            foreach (var active in variants)
            {
                if (active.Test.Overrides[active.VariantId].Count > 0)
                    builder.Append('\0').Append(active.Test.IdText).Append(':').Append(active.VariantId);
            }
            if (builder.Length > versionKey.Length)
                key = builder.ToString();
        }
        if (_views.TryGetValue(key, out var cached))
            return cached;
        if (key.Length == versionKey.Length)
            return _views.GetOrAdd(key, _ => BuildView(defaults));
        var view = ComposeView(defaults, VarsFor(appVersion, []), variants);
        if (_views.Count < MaxCachedViews)
            _views.TryAdd(key, view);
        return view;
    }

    /// <summary>The variants' overrides, by name (the earliest published test wins a variable).</summary>
    private static Dictionary<string, JsonNode?> OverridesOf(IReadOnlyList<ActiveVariant> variants)
    {
        var overrides = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var active in variants)
        {
            foreach (var (name, value) in active.Test.Overrides[active.VariantId])
                overrides.TryAdd(name, value);
        }
        return overrides;
    }

    /// <summary>The live values with the variants' overrides over them.</summary>
    private Dictionary<string, JsonNode?> Overlay(Dictionary<string, JsonNode?> overrides)
    {
        var values = new Dictionary<string, JsonNode?>(Live, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
            values[name] = value;
        return values;
    }

    private static JsonObject TreeOf(IReadOnlyDictionary<string, JsonNode?> values)
    {
        var tree = new JsonObject();
        foreach (var (name, value) in values.OrderBy(l => l.Key, StringComparer.Ordinal))
            VarTree.SetPath(tree, name, value?.DeepClone());
        return tree;
    }

    /// <summary>The view of one app version without variants: its diff, its merged tree on demand, and the code side.</summary>
    private VarsView BuildView(CodeDefaults? defaults)
    {
        var live = LiveTree;
        // fileAttributes: what setVars declared, with the files the server holds over it (once per view, not per answer).
        var fileAttributes = Files.ByName.Count > 0 ? Files.MergeAttributes(defaults?.FileAttributes) : defaults?.FileAttributes ?? [];
        // Built when the first combination of A/B variants asks for it.
        var composer = new Lazy<VarsComposer>(() => new VarsComposer(defaults?.Vars, Live));
        if (defaults is null)
        {
            // Code defaults unknown (the JS SDK declares them only in development mode): every live value, in full.
            var all = (JsonObject)VarTree.EncodeLists(live)!;
            return new VarsView(new Lazy<JsonObject>(all), new Lazy<JsonObject>(() => (JsonObject)live.DeepClone()), [], [], fileAttributes)
            {
                Composer = composer,
            };
        }
        // The diff walks the live values only; the full tree (hundreds of defaults) is merged if an answer asks for it.
        var diff = VarTree.DiffOver(defaults.Vars, live) as JsonObject ?? [];
        return new VarsView(new Lazy<JsonObject>(diff), new Lazy<JsonObject>(() => (JsonObject)VarTree.Merge(defaults.Vars, live)!), defaults.Vars, defaults.ActionDefinitions, fileAttributes)
        {
            Composer = composer,
        };
    }

    /// <summary>
    /// The view for a combination of variants: its diff written by the version's composer (no tree of the live values;
    /// the tree is parsed from the bytes if asked for), the merged tree on demand, the code side shared with the base.
    /// </summary>
    private VarsView ComposeView(CodeDefaults? defaults, VarsView version, IReadOnlyList<ActiveVariant> variants)
    {
        var overrides = OverridesOf(variants);
        var written = RawJson.FromUtf8(version.Composer!.Value.Compose(overrides));
        var full = new Lazy<JsonObject>(() =>
        {
            var tree = TreeOf(Overlay(overrides));
            return defaults is null ? tree : (JsonObject)VarTree.Merge(defaults.Vars, tree)!;
        });
        return new VarsView(new Lazy<JsonObject>(() => (JsonObject)JsonNode.Parse(written.Utf8)!), full, version.FromCode, version.ActionDefinitions, version.FileAttributes)
        {
            DiffJson = written,
            Base = version,
        };
    }

    private static AudienceSet CompileAudiences(IReadOnlyList<AudienceDocument> documents, out List<string> problems)
    {
        problems = [];
        var definitions = new List<AudienceDefinition>();
        foreach (var document in documents)
        {
            try
            {
                definitions.Add(document.ToDefinition());
            }
            catch (RuleException e)
            {
                problems.Add($"Audience {document.Id}: {e.Message}");
            }
        }
        // Changes are validated before they are stored, so this only fails for content a newer version refuses: then
        // the audiences are dropped one by one until the rest compiles, and every drop is reported.
        while (true)
        {
            try
            {
                return AudienceSet.Compile(definitions);
            }
            catch (RuleException e)
            {
                var bad = definitions.FirstOrDefault(d => e.Message.Contains($"({d.Id})", StringComparison.Ordinal)) ?? definitions[^1];
                problems.Add(e.Message);
                definitions.Remove(bad);
            }
        }
    }

    private static List<RunningTest> CompileTests(IReadOnlyList<AbTestDocument> tests, AudienceSet audiences, List<string> problems)
    {
        var running = new List<RunningTest>();
        foreach (var test in tests.Where(t => t.State == AbTestStates.Running).OrderBy(t => t.PublishedMs ?? long.MaxValue).ThenBy(t => t.Id))
        {
            try
            {
                running.Add(new RunningTest(test, AbTestTargeting.Compile(test, audiences)));
            }
            catch (RuleException e)
            {
                problems.Add($"A/B test {test.Id}: {e.Message}");
            }
        }
        return running;
    }

    private static Dictionary<string, IReadOnlyDictionary<string, HashSet<string>>> CountParameters(AudienceSet audiences, IReadOnlyList<RunningTest> tests)
    {
        var rules = audiences.All.Select(a => a.Definition.Rule)
            .Concat(tests.Select(t => t.Document.Rule is { } r ? RuleJson.Parse(r.ToJsonString()) : null).OfType<Rule>());
        return rules.SelectMany(AudienceSet.CountedParameters)
            .GroupBy(t => t.Event, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, HashSet<string>>)g.GroupBy(t => t.Parameter, StringComparer.Ordinal)
                    .ToDictionary(p => p.Key, p => p.Select(t => t.Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal),
                StringComparer.Ordinal);
    }
}
