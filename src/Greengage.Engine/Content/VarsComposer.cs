using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Greengage.Engine.Content;

/// <summary>
/// Writes the <c>vars</c> diff of a combination of A/B variants from the diff of the same app version without them. A
/// variant's override changes only the top-level group its dotted name starts with, so only the groups the overrides
/// touch are diffed again; every other group is copied as the bytes written once for the version. The result is byte
/// for byte the diff of the whole tree (<see cref="VarTree.DiffOver"/> of the live values with the overrides over them,
/// groups in the order that tree has them), so its signature is the same too; a view per combination then costs a few
/// nodes instead of the whole tree of live values (an app with ten tests has tens of thousands of combinations, far
/// more than are cached).
/// </summary>
internal sealed class VarsComposer
{
    private readonly JsonObject? _defaults;
    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);

    // Values of the usual shape, written once: the live values and the overrides of the snapshot's tests (a fixed set).
    private readonly ConcurrentDictionary<(string Name, JsonNode? Value), Leaf?> _leaves = new();

    /// <param name="defaults">The version's code defaults (<see cref="CodeDefaults.Vars"/>), or null when unknown (then
    /// the diff is every value, lists encoded).</param>
    /// <param name="live">The live values by dotted name.</param>
    public VarsComposer(JsonObject? defaults, IReadOnlyDictionary<string, JsonNode?> live)
    {
        _defaults = defaults;
        foreach (var byGroup in live.GroupBy(v => GroupOf(v.Key), StringComparer.Ordinal))
        {
            var values = byGroup.OrderBy(v => v.Key, StringComparer.Ordinal).ToList();
            var (present, diff) = DiffOf(byGroup.Key, values);
            _groups[byGroup.Key] = new Group(values, present ? Write(diff) : null);
        }
    }

    /// <summary>The diff with <paramref name="overrides"/> (dotted name to value, already resolved between tests) over the live values.</summary>
    public byte[] Compose(IReadOnlyDictionary<string, JsonNode?> overrides)
    {
        var touched = new Dictionary<string, List<KeyValuePair<string, JsonNode?>>>(StringComparer.Ordinal);
        foreach (var entry in overrides)
        {
            var group = GroupOf(entry.Key);
            if (!touched.TryGetValue(group, out var values))
            {
                touched[group] = values = _groups.TryGetValue(group, out var live) ? [.. live.Values] : [];
            }
            var at = IndexOf(values, entry.Key);
            if (at >= 0)
                values[at] = entry;
            else
                values.Add(entry);
        }

        // The whole tree has its groups in the order of their first dotted name (VarTree.SetPath over sorted names).
        var order = new List<(string First, string Group)>(_groups.Count + touched.Count);
        foreach (var (group, live) in _groups)
        {
            if (!touched.ContainsKey(group))
                order.Add((live.Values[0].Key, group));
        }
        foreach (var (group, values) in touched)
        {
            values.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
            order.Add((values[0].Key, group));
        }
        order.Sort((a, b) => string.CompareOrdinal(a.First, b.First));

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (_, group) in order)
            {
                if (touched.TryGetValue(group, out var values))
                {
                    if (FlatLeaves(group, values) is { } leaves)
                    {
                        WriteFlat(writer, group, leaves);
                        continue;
                    }
                    var (present, diff) = DiffOf(group, values);
                    if (!present)
                        continue;
                    writer.WritePropertyName(group);
                    if (diff is null)
                        writer.WriteNullValue();
                    else
                        diff.WriteTo(writer);
                }
                else if (_groups[group].Written is { } written)
                {
                    writer.WritePropertyName(group);
                    writer.WriteRawValue(written, skipInputValidation: true);
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The usual group, written without a tree: every value a scalar one level down (<c>group.name</c>), over code
    /// defaults that have the group as an object (or not at all). Then the whole tree's diff has the group with exactly
    /// the values that differ from their defaults, in name order (and not at all when none does). Null for any other shape.
    /// </summary>
    private List<Leaf>? FlatLeaves(string group, List<KeyValuePair<string, JsonNode?>> sortedValues)
    {
        if (_defaults is not null && _defaults[group] is not (null or JsonObject))
            return null;
        var leaves = new List<Leaf>(sortedValues.Count);
        foreach (var (name, value) in sortedValues)
        {
            var leaf = _leaves.GetOrAdd((name, value), static (key, self) => self.LeafOf(key.Name, key.Value), this);
            if (leaf is null)
                return null;
            leaves.Add(leaf);
        }
        return leaves;
    }

    private Leaf? LeafOf(string name, JsonNode? value)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (value is not JsonValue || dot < 0 || name.IndexOf('.', dot + 1) >= 0)
            return null;
        var leaf = name[(dot + 1)..];
        var changed = _defaults?[name[..dot]] is not JsonObject group || !JsonNode.DeepEquals(value, group[leaf]);
        return new Leaf(leaf, JsonSerializer.SerializeToUtf8Bytes(value), changed);
    }

    private static void WriteFlat(Utf8JsonWriter writer, string group, List<Leaf> leaves)
    {
        var open = false;
        foreach (var leaf in leaves)
        {
            if (!leaf.Changed)
                continue;
            if (!open)
            {
                writer.WritePropertyName(group);
                writer.WriteStartObject();
                open = true;
            }
            writer.WritePropertyName(leaf.Name);
            writer.WriteRawValue(leaf.Json, skipInputValidation: true);
        }
        if (open)
            writer.WriteEndObject();
    }

    /// <summary>What <see cref="VarTree.DiffOver"/> of the whole tree has under <paramref name="group"/>: whether the key is there, and its value.</summary>
    private (bool Present, JsonNode? Diff) DiffOf(string group, List<KeyValuePair<string, JsonNode?>> sortedValues)
    {
        var tree = new JsonObject();
        foreach (var (name, value) in sortedValues)
            VarTree.SetPath(tree, name, value);
        var node = tree[group];
        if (_defaults is null)
            return (true, VarTree.EncodeLists(node));
        if (node is null)
            return (!_defaults.ContainsKey(group), null);
        var changed = VarTree.DiffOver(_defaults[group], node);
        return (changed is not null, changed);
    }

    private static int IndexOf(List<KeyValuePair<string, JsonNode?>> values, string name)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i].Key, name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private static byte[] Write(JsonNode? node) => node is null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(node);

    private static string GroupOf(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? name : name[..dot];
    }

    /// <param name="Values">The group's live values, by name.</param>
    /// <param name="Written">The group's diff as written (null when the version's diff does not have the group).</param>
    /// <param name="Name">The name within its group.</param>
    /// <param name="Json">The value as written.</param>
    /// <param name="Changed">Whether it differs from its code default (the diff has it).</param>
    private sealed record Leaf(string Name, byte[] Json, bool Changed);

    private sealed record Group(List<KeyValuePair<string, JsonNode?>> Values, byte[]? Written);
}
