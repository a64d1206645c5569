using System.Text.Json;
using Greengage.Protocol.Requests;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Actions.User;

/// <summary>Reads a user-attribute object and checks names against the limits.</summary>
internal static class AttributeParameters
{
    public static Dictionary<string, JsonElement>? Read(ParameterSet p, string name, ProtocolLimits limits)
    {
        if (p.Object(name) is not { } obj)
            return null;
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var attr in obj.EnumerateObject())
        {
            if (attr.Name.Length == 0 || attr.Name.Length > limits.MaxNameLength)
                throw new InvalidParameterException($"Attribute names must be 1 to {limits.MaxNameLength} characters long.");
            values[attr.Name] = attr.Value.Clone();
        }
        return values.Count == 0 ? null : values;
    }
}
