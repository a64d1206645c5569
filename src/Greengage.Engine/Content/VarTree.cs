using System.Text.Json.Nodes;

namespace Greengage.Engine.Content;

/// <summary>
/// Variable values as JSON trees (spec 5.2, js-sdk-wire 7): groups are objects that merge key by key, lists are arrays
/// whose elements a diff addresses as <c>"[i]"</c> keys, everything else is a scalar that replaces.
/// </summary>
public static class VarTree
{
    /// <summary>
    /// <paramref name="overrides"/> over <paramref name="defaults"/>: objects merge recursively, an override array
    /// replaces the whole list, an override object of <c>"[i]"</c> keys over a default array replaces those
    /// elements, anything else replaces. Returns a new tree; the inputs are not changed.
    /// </summary>
    public static JsonNode? Merge(JsonNode? defaults, JsonNode? overrides)
    {
        if (overrides is null)
            return defaults?.DeepClone();
        if (defaults is JsonObject d && overrides is JsonObject o)
        {
            var merged = (JsonObject)d.DeepClone();
            foreach (var (key, value) in o)
                merged[key] = Merge(d[key], value);
            return merged;
        }
        if (defaults is JsonArray list && overrides is JsonObject elements && IsElementDiff(elements))
        {
            var merged = (JsonArray)list.DeepClone();
            foreach (var (key, value) in elements)
            {
                var i = int.Parse(key.AsSpan(1, key.Length - 2), System.Globalization.CultureInfo.InvariantCulture);
                while (merged.Count <= i)
                    merged.Add(null);
                merged[i] = Merge(list.Count > i ? list[i] : null, value);
            }
            return merged;
        }
        return overrides.DeepClone();
    }

    /// <summary>
    /// What <paramref name="full"/> changes against <paramref name="defaults"/>, as the SDKs apply it: changed keys of
    /// objects (recursively), changed elements of lists as <c>"[i]"</c> keys, changed scalars. Null when nothing differs.
    /// </summary>
    public static JsonNode? Diff(JsonNode? full, JsonNode? defaults)
    {
        if (full is JsonObject f && defaults is JsonObject d)
        {
            var diff = new JsonObject();
            foreach (var (key, value) in f)
            {
                if (Diff(value, d[key]) is { } changed)
                    diff[key] = changed;
                else if (value is null && !d.ContainsKey(key))
                    diff[key] = null;
            }
            return diff.Count == 0 ? null : diff;
        }
        if (full is JsonArray fl && defaults is JsonArray dl)
        {
            var diff = new JsonObject();
            for (var i = 0; i < fl.Count; i++)
            {
                if (i >= dl.Count)
                    diff[$"[{i}]"] = EncodeLists(fl[i]);
                else if (Diff(fl[i], dl[i]) is { } changed)
                    diff[$"[{i}]"] = changed;
            }
            return diff.Count == 0 ? null : diff;
        }
        if (JsonNode.DeepEquals(full, defaults))
            return null;
        return EncodeLists(full) ?? JsonValue.Create((string?)null);
    }

    /// <summary>
    /// The same as <c>Diff(Merge(defaults, live), defaults)</c>, computed by walking only <paramref name="live"/>: keys
    /// that only the defaults have never differ, so a few live values over hundreds of defaults cost a few nodes.
    /// </summary>
    public static JsonNode? DiffOver(JsonNode? defaults, JsonNode? live)
    {
        if (live is JsonObject l && defaults is JsonObject d)
        {
            var diff = new JsonObject();
            foreach (var (key, value) in l)
            {
                if (value is null)
                {
                    // Merge keeps the default (no change), or null when the code has no such key.
                    if (!d.ContainsKey(key))
                        diff[key] = null;
                }
                else if (DiffOver(d[key], value) is { } changed)
                {
                    diff[key] = changed;
                }
            }
            return diff.Count == 0 ? null : diff;
        }
        return Diff(Merge(defaults, live), defaults);
    }

    /// <summary>A copy with every array written as an object of <c>"[i]"</c> keys (a plain array in <c>vars</c> breaks the JS SDK).</summary>
    public static JsonNode? EncodeLists(JsonNode? node) => node switch
    {
        JsonArray list => new JsonObject(list.Select((e, i) => KeyValuePair.Create($"[{i}]", EncodeLists(e)))),
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, EncodeLists(p.Value)))),
        null => null,
        _ => node.DeepClone(),
    };

    /// <summary>A tree holding <paramref name="value"/> at the dotted <paramref name="path"/> (<c>group.sub.name</c>).</summary>
    public static void SetPath(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var node = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (node[parts[i]] is not JsonObject next)
                node[parts[i]] = next = new JsonObject();
            node = next;
        }
        node[parts[^1]] = value?.DeepClone();
    }

    /// <summary>The node at the dotted <paramref name="path"/>, and whether it exists.</summary>
    public static bool TryGetPath(JsonObject root, string path, out JsonNode? value)
    {
        value = null;
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node))
                return false;
        }
        value = node;
        return true;
    }

    private static bool IsElementDiff(JsonObject obj) =>
        obj.Count > 0 && obj.All(p => p.Key.Length > 2 && p.Key[0] == '[' && p.Key[^1] == ']'
            && int.TryParse(p.Key.AsSpan(1, p.Key.Length - 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i)
            && i < 100_000);
}
