using System.Text.Json;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Tracking;

/// <summary>The <c>params</c> of an event or state (spec 4.1, 6.2): a flat object of text or number values.</summary>
public static class EventParameters
{
    public const string LocalCurrency = "localCurrency";
    public const string LocalPrice = "localPrice";

    /// <summary>
    /// Reads <c>params</c>: at most <paramref name="maxParams"/> entries, names 1 to <paramref name="maxNameLength"/>
    /// characters, values text or numbers (booleans are accepted as SDKs send them). Null when absent or empty.
    /// </summary>
    public static Dictionary<string, JsonElement>? Read(ParameterSet p, int maxParams, int maxNameLength)
    {
        if (p.Object("params") is not { } obj)
            return null;
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var param in obj.EnumerateObject())
        {
            if (result.Count == maxParams && !result.ContainsKey(param.Name))
                throw new InvalidParameterException($"'params' may hold at most {maxParams} parameters.");
            if (param.Name.Length == 0 || param.Name.Length > maxNameLength)
                throw new InvalidParameterException($"Parameter names must be 1 to {maxNameLength} characters long.");
            if (param.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
                throw new InvalidParameterException($"Invalid value for 'params.{param.Name}': expected text or a number");
            result[param.Name] = param.Value.Clone();
        }
        return result.Count == 0 ? null : result;
    }
}
