using System.Text;
using System.Text.Json;
using Greengage.Protocol.Values;

namespace Greengage.Protocol.Requests;

/// <summary>
/// Builds an <see cref="ApiRequest"/> from the parts of an HTTP request (spec sections 1.2 and 1.6): the query, the
/// form or multipart fields, and a JSON body whatever its Content-Type. Later sources win on collisions.
/// <c>data</c> for a <c>multi</c> is read in all four shapes: a form field holding <c>{"data":[...]}</c> (A), a raw
/// body <c>{"data":[...]}</c> (B), a JSON body with <c>action</c> and <c>data</c> inside (C), a field holding a
/// bare array (D).
/// </summary>
public static class RequestParser
{
    public static ApiRequest Parse(
        IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<KeyValuePair<string, string>> form,
        ReadOnlySpan<byte> jsonBody,
        ProtocolLimits limits)
    {
        var values = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        AddStrings(values, query.Concat(form));
        if (!IsBlank(jsonBody))
            AddJsonBody(values, jsonBody, limits);

        var envelope = new ParameterSet(values) { MaxJsonDepth = limits.MaxJsonDepth };
        var action = envelope.StringOrNull(WireNames.Action);
        if (!string.Equals(action, WireNames.Multi, StringComparison.Ordinal))
            return new ApiRequest(envelope, [new ApiItem(0, envelope)], IsMulti: false);

        var data = ReadBatch(envelope, limits);
        if (data.GetArrayLength() > limits.MaxItemsPerRequest)
            throw new EnvelopeException(403,
                $"Too many actions in one request: {data.GetArrayLength()} (the limit is {limits.MaxItemsPerRequest}).");

        var items = new List<ApiItem>(data.GetArrayLength());
        foreach (var element in data.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                items.Add(new ApiItem(items.Count, ParameterSet.Empty, "Each element of 'data' must be a JSON object."));
                continue;
            }
            var own = new Dictionary<string, JsonElement>(16, StringComparer.Ordinal);
            foreach (var p in element.EnumerateObject())
                own[p.Name] = p.Value;
            Inherit(own, envelope);
            items.Add(new ApiItem(items.Count, new ParameterSet(own) { MaxJsonDepth = limits.MaxJsonDepth }));
        }
        if (items.Count == 0)
            throw new EnvelopeException(400, "'data' must hold at least one action.");
        return new ApiRequest(envelope, items, IsMulti: true);
    }

    /// <summary>
    /// Adds the envelope's inherited parameters the item lacks (absent counts as lacking), into the item's own
    /// dictionary: the same as <see cref="ParameterSet.WithFallback"/>, without copying the dictionary per item.
    /// </summary>
    private static void Inherit(Dictionary<string, JsonElement> own, ParameterSet envelope)
    {
        foreach (var name in WireNames.Inherited)
        {
            if (own.TryGetValue(name, out var mine) && !Lenient.IsAbsent(mine))
                continue;
            if (envelope.TryGet(name, out var inherited))
                own[name] = inherited;
        }
    }

    private static JsonElement ReadBatch(ParameterSet envelope, ProtocolLimits limits)
    {
        if (!envelope.TryGet(WireNames.Data, out var raw))
            throw new EnvelopeException(400, "'data' must be provided for action 'multi'.");
        JsonElement data = raw;
        if (raw.ValueKind == JsonValueKind.String)
        {
            try
            {
                data = JsonText.Parse(raw.GetString()!, limits.MaxJsonDepth);
            }
            catch (JsonException)
            {
                throw new EnvelopeException(400, $"'data' is not valid JSON (or nests deeper than {limits.MaxJsonDepth} levels).");
            }
        }
        // Shape A: the field holds {"data":[...]}.
        if (data.ValueKind == JsonValueKind.Object && data.TryGetProperty(WireNames.Data, out var inner))
            data = inner;
        if (data.ValueKind != JsonValueKind.Array)
            throw new EnvelopeException(400, "'data' must be a JSON array of actions, or an object {\"data\":[...]}.");
        return data;
    }

    private static void AddJsonBody(Dictionary<string, JsonElement> values, ReadOnlySpan<byte> body, ProtocolLimits limits)
    {
        JsonElement root;
        try
        {
            root = JsonText.Parse(body, limits.MaxJsonDepth);
        }
        catch (JsonException)
        {
            throw new EnvelopeException(400, $"The request body is not valid JSON (or nests deeper than {limits.MaxJsonDepth} levels).");
        }
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var p in root.EnumerateObject())
                    values[p.Name] = p.Value;
                break;
            case JsonValueKind.Array:
                // A bare array body is a batch (shape D sent as a body).
                values[WireNames.Data] = root;
                break;
            default:
                throw new EnvelopeException(400, "The request body must be a JSON object.");
        }
    }

    private static void AddStrings(Dictionary<string, JsonElement> values, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var list = pairs as IReadOnlyList<KeyValuePair<string, string>> ?? pairs.ToList();
        if (list.Count == 0)
            return;
        // One small document holds every text parameter, so each is a JsonElement like the JSON ones.
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var (_, value) in list)
                writer.WriteStringValue(value);
            writer.WriteEndArray();
        }
        var doc = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
        var i = 0;
        foreach (var element in doc.RootElement.EnumerateArray())
            values[list[i++].Key] = element;
    }

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return false;
        }
        return true;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes an <c>application/x-www-form-urlencoded</c> body into pairs. The body must be text: valid UTF-8 without
    /// control characters (clients percent-encode everything else), so binary garbage is refused, not read as fields.
    /// </summary>
    public static List<KeyValuePair<string, string>> ParseFormUrlEncoded(ReadOnlySpan<byte> body)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw new EnvelopeException(400, "The form body is not valid UTF-8 text.");
        }
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\r' or '\n'))
                throw new EnvelopeException(400, "The form body holds control characters; values must be percent-encoded.");
        }
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in text.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(Unescape(key), Unescape(value)));
        }
        return pairs;
    }

    private static string Unescape(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
