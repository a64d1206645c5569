using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Content;

/// <summary>The kinds of content documents, as stored.</summary>
public static class ContentKinds
{
    /// <summary>What <c>setVars</c> declared for one app version (key: the version, empty when unknown).</summary>
    public const string CodeDefaults = "code-defaults";

    /// <summary>A live value set through the admin API (key: the variable's dotted name).</summary>
    public const string LiveVariable = "live-var";

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
public sealed record VarsView(JsonObject Diff, JsonObject Full, JsonObject FromCode, JsonObject ActionDefinitions, JsonObject FileAttributes);

/// <summary>
/// One app's content as an immutable snapshot (ARCHITECTURE decision 6): built from its documents after every change
/// and swapped in whole, so a request reads one consistent version and never the database. The trees it holds are
/// never changed; answers get copies.
/// </summary>
public sealed class AppContent
{
    private readonly ConcurrentDictionary<string, VarsView> _views = new(StringComparer.Ordinal);

    private AppContent(IReadOnlyDictionary<string, CodeDefaults> defaults, IReadOnlyDictionary<string, JsonNode?> live)
    {
        DefaultsByVersion = defaults;
        Latest = defaults.Values.OrderByDescending(d => d.UpdatedMs).ThenBy(d => d.AppVersion, StringComparer.Ordinal).FirstOrDefault();
        Live = live;
        var tree = new JsonObject();
        foreach (var (name, value) in live.OrderBy(l => l.Key, StringComparer.Ordinal))
            VarTree.SetPath(tree, name, value);
        LiveTree = tree;
    }

    public static AppContent Empty { get; } = new(new Dictionary<string, CodeDefaults>(), new Dictionary<string, JsonNode?>());

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

    public static AppContent Build(IEnumerable<ContentDocument> documents)
    {
        var all = documents as IReadOnlyCollection<ContentDocument> ?? documents.ToList();
        var content = BuildVariables(all);
        content.Files = AppFiles.Build(all);
        return content;
    }

    private static AppContent BuildVariables(IEnumerable<ContentDocument> documents)
    {
        var defaults = new Dictionary<string, CodeDefaults>(StringComparer.Ordinal);
        var live = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
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
            }
        }
        return new AppContent(defaults, live);
    }

    /// <summary>The code defaults for <paramref name="appVersion"/>: that version's, else the latest declared.</summary>
    public CodeDefaults? DefaultsFor(string? appVersion) =>
        appVersion is not null && DefaultsByVersion.TryGetValue(appVersion, out var exact) ? exact : Latest;

    /// <summary>The variables answer for a user on <paramref name="appVersion"/> (cached per version).</summary>
    public VarsView VarsFor(string? appVersion)
    {
        var defaults = DefaultsFor(appVersion);
        return _views.GetOrAdd(defaults?.AppVersion ?? "\0none", _ => BuildView(defaults));
    }

    private VarsView BuildView(CodeDefaults? defaults)
    {
        if (defaults is null)
        {
            // Code defaults unknown (the JS SDK declares them only in development mode): every live value, in full.
            return new VarsView((JsonObject)VarTree.EncodeLists(LiveTree)!, (JsonObject)LiveTree.DeepClone(), [], [], []);
        }
        var full = (JsonObject)VarTree.Merge(defaults.Vars, LiveTree)!;
        var diff = VarTree.Diff(full, defaults.Vars) as JsonObject ?? [];
        return new VarsView(diff, full, defaults.Vars, defaults.ActionDefinitions, defaults.FileAttributes);
    }
}
