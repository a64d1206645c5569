using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Content;

/// <summary>
/// Variables: the code defaults apps declare with <c>setVars</c> (per app version), and the live values an operator sets
/// through the admin API over them. Every change is stored and published as a new <see cref="AppContent"/>.
/// </summary>
public sealed class VariablesService(ContentDirectory content, TimeProvider time)
{
    /// <summary>The variable kinds of spec 4.3.</summary>
    public static readonly FrozenSet<string> Kinds =
        new[] { "integer", "float", "string", "bool", "file", "group", "list", "color", "action" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Records what an app version declares (replacing what it declared before).</summary>
    public Task DeclareAsync(string appId, CodeDefaults defaults, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, _ => new ContentChange<bool>(true,
            [new ContentDocument(ContentKinds.CodeDefaults, defaults.AppVersion, defaults.ToJson(), time.GetUtcNow().ToUnixTimeMilliseconds())], []),
            cancellationToken);

    /// <summary>
    /// Removes variables by dotted name from every app version's declaration and from the live values. Returns the
    /// names that existed anywhere, in the order given.
    /// </summary>
    public Task<List<string>> DeleteAsync(string appId, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            var removed = new List<string>();
            var puts = new List<ContentDocument>();
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var defaults in current.DefaultsByVersion.Values)
            {
                var vars = (JsonObject)defaults.Vars.DeepClone();
                var kinds = (JsonObject)defaults.Kinds.DeepClone();
                var changed = false;
                foreach (var name in names)
                {
                    var found = RemovePath(vars, name);
                    foreach (var kind in kinds.Select(k => k.Key).Where(k => IsWithin(k, name)).ToList())
                    {
                        kinds.Remove(kind);
                        found = true;
                    }
                    if (found)
                    {
                        changed = true;
                        if (!removed.Contains(name))
                            removed.Add(name);
                    }
                }
                if (changed)
                    puts.Add(new ContentDocument(ContentKinds.CodeDefaults, defaults.AppVersion, (defaults with { Vars = vars, Kinds = kinds }).ToJson(), now));
            }
            var deletes = new List<(string, string)>();
            foreach (var name in names)
            {
                foreach (var live in current.Live.Keys.Where(k => IsWithin(k, name)))
                {
                    deletes.Add((ContentKinds.LiveVariable, live));
                    if (!removed.Contains(name))
                        removed.Add(name);
                }
            }
            return new ContentChange<List<string>>(removed, puts, deletes);
        }, cancellationToken);

    /// <summary>Sets the live value of a variable (a dotted name); null when it fits the declared kind, else why not.</summary>
    public Task<string?> SetLiveAsync(string appId, string name, JsonNode value, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current =>
        {
            if (current.Latest?.Kinds[name]?.GetValue<string>() is { } kind && Mismatch(kind, value) is { } problem)
                return new ContentChange<string?>(problem, [], []);
            var body = JsonSerializer.SerializeToUtf8Bytes(value);
            return new ContentChange<string?>(null,
                [new ContentDocument(ContentKinds.LiveVariable, name, body, time.GetUtcNow().ToUnixTimeMilliseconds())], []);
        }, cancellationToken);

    /// <summary>Removes a live value: the code default applies again. False when none was set.</summary>
    public Task<bool> DeleteLiveAsync(string appId, string name, CancellationToken cancellationToken) =>
        content.ChangeAsync(appId, current => current.Live.ContainsKey(name)
            ? new ContentChange<bool>(true, [], [(ContentKinds.LiveVariable, name)])
            : new ContentChange<bool>(false, [], []), cancellationToken);

    /// <summary>Why <paramref name="value"/> cannot be a value of <paramref name="kind"/>, or null when it can.</summary>
    public static string? Mismatch(string kind, JsonNode value)
    {
        var valueKind = value.GetValueKind();
        var fits = kind switch
        {
            "integer" => valueKind == JsonValueKind.Number && value.GetValue<double>() == Math.Floor(value.GetValue<double>()),
            "float" or "color" => valueKind == JsonValueKind.Number,
            "string" or "file" => valueKind == JsonValueKind.String,
            "bool" => valueKind is JsonValueKind.True or JsonValueKind.False,
            "list" => valueKind == JsonValueKind.Array,
            "group" or "action" => valueKind == JsonValueKind.Object,
            _ => true,
        };
        return fits ? null : $"The variable is declared as {kind}; the value does not fit.";
    }

    /// <summary>True when <paramref name="key"/> is the variable <paramref name="name"/> or one inside its group.</summary>
    private static bool IsWithin(string key, string name) =>
        key.Length == name.Length ? key == name : key.StartsWith(name, StringComparison.Ordinal) && key[name.Length] == '.';

    private static bool RemovePath(JsonObject root, string path)
    {
        var dot = path.LastIndexOf('.');
        var parent = root;
        if (dot >= 0)
        {
            if (!VarTree.TryGetPath(root, path[..dot], out var node) || node is not JsonObject obj)
                return false;
            parent = obj;
        }
        return parent.Remove(path[(dot + 1)..]);
    }
}
