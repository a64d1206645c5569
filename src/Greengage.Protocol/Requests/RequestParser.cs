using System.Buffers;
using System.Text.Encodings.Web;
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
        var pairs = AsList(query.Concat(form));
        var values = new Dictionary<string, JsonElement>(pairs.Count + 2, StringComparer.Ordinal);
        AddText(values, pairs, null, -1);
        if (!IsBlank(jsonBody))
            AddJsonBody(values, jsonBody, limits);
        return Build(values, null, limits);
    }

    /// <summary>
    /// Builds an <see cref="ApiRequest"/> from the query and an <c>application/x-www-form-urlencoded</c> body, decoded
    /// from its bytes (see <see cref="ParseFormUrlEncoded"/> for what a form body must be). The same request as
    /// <see cref="Parse"/> with the decoded fields, only cheaper: a <c>multi</c>'s <c>data</c> field (shapes A and D)
    /// is parsed as JSON straight from its decoded bytes, never made a string.
    /// </summary>
    public static ApiRequest ParseForm(
        IEnumerable<KeyValuePair<string, string>> query,
        ReadOnlySpan<byte> formBody,
        ProtocolLimits limits)
    {
        using var form = FormFields.Decode(formBody);
        var pairs = AsList(query);
        // Sized once: growing it (3, 7, 17 entries) was a tenth of the bytes a single-action request allocated.
        var values = new Dictionary<string, JsonElement>(pairs.Count + form.Count, StringComparer.Ordinal);
        // The form's last data field wins over the query's; it stays bytes until the action is known.
        var data = form.LastIndexOf(WireNames.Data);
        AddText(values, pairs, form, data);
        if (data < 0)
            return Build(values, null, limits);
        if (IsMulti(values))
        {
            var batch = ReadData(form.Value(data), limits);
            values[WireNames.Data] = batch;
            return Build(values, batch, limits);
        }
        // Not a batch: the field is one more text parameter, as every other.
        AddText(values, [new(WireNames.Data, form.Text(data))], null, -1);
        return Build(values, null, limits);
    }

    private static bool IsMulti(Dictionary<string, JsonElement> values) =>
        string.Equals(new ParameterSet(values).StringOrNull(WireNames.Action), WireNames.Multi, StringComparison.Ordinal);

    /// <param name="batch">The value of <c>data</c> when already read (from a form field's bytes); null to read it
    /// from <paramref name="values"/> if the request is a <c>multi</c>.</param>
    private static ApiRequest Build(Dictionary<string, JsonElement> values, JsonElement? batch, ProtocolLimits limits)
    {
        var envelope = new ParameterSet(values) { MaxJsonDepth = limits.MaxJsonDepth };
        var action = envelope.StringOrNull(WireNames.Action);
        if (!string.Equals(action, WireNames.Multi, StringComparison.Ordinal))
            return new ApiRequest(envelope, [new ApiItem(0, envelope)], IsMulti: false);

        var data = Unwrap(batch ?? ReadData(envelope, limits));
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
            items.Add(new ApiItem(items.Count, ItemParameters(element, envelope, limits)));
        }
        if (items.Count == 0)
            throw new EnvelopeException(400, "'data' must hold at least one action.");
        return new ApiRequest(envelope, items, IsMulti: true);
    }

    /// <summary>
    /// An item's own parameters (a repeated name: the later one wins), reading the envelope's inherited ones it lacks
    /// (absent counts as lacking) through the envelope rather than a copy per item.
    /// </summary>
    private static ParameterSet ItemParameters(JsonElement item, ParameterSet envelope, ProtocolLimits limits)
    {
        var count = item.GetPropertyCount();
        var names = new string[count];
        var values = new JsonElement[count];
        var n = 0;
        var index = count >= ParameterSet.IndexedFrom ? new Dictionary<string, int>(count, StringComparer.Ordinal) : null;
        foreach (var p in item.EnumerateObject())
        {
            var name = ParameterNames.Of(p);
            var at = index is not null ? (index.TryGetValue(name, out var found) ? found : -1) : System.Array.IndexOf(names, name, 0, n);
            if (at >= 0)
            {
                values[at] = p.Value;
                continue;
            }
            index?.Add(name, n);
            names[n] = name;
            values[n++] = p.Value;
        }
        return new ParameterSet(names, values, n, envelope, WireNames.Inherited) { MaxJsonDepth = limits.MaxJsonDepth };
    }

    /// <summary>The envelope's <c>data</c>: nested JSON as it is, JSON text in a string parsed.</summary>
    private static JsonElement ReadData(ParameterSet envelope, ProtocolLimits limits)
    {
        if (!envelope.TryGet(WireNames.Data, out var raw))
            throw new EnvelopeException(400, "'data' must be provided for action 'multi'.");
        if (raw.ValueKind == JsonValueKind.String && !Lenient.TryToJson(raw, out raw, limits.MaxJsonDepth))
            throw NotJson(limits);
        return raw;
    }

    /// <summary>A form field's <c>data</c>: JSON text, in its decoded bytes (empty counts as absent).</summary>
    private static JsonElement ReadData(ReadOnlySpan<byte> field, ProtocolLimits limits)
    {
        if (field.IsEmpty)
            throw new EnvelopeException(400, "'data' must be provided for action 'multi'.");
        try
        {
            return JsonText.Parse(field, limits.MaxJsonDepth);
        }
        catch (JsonException)
        {
            throw NotJson(limits);
        }
    }

    private static EnvelopeException NotJson(ProtocolLimits limits) =>
        new(400, $"'data' is not valid JSON (or nests deeper than {limits.MaxJsonDepth} levels).");

    private static JsonElement Unwrap(JsonElement data)
    {
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

    /// <summary>
    /// Adds text parameters: <paramref name="pairs"/>, then the fields of <paramref name="form"/> but the one at
    /// <paramref name="skip"/>, later ones winning. One small document holds them all, so each is a JsonElement like
    /// the JSON ones.
    /// </summary>
    private static void AddText(
        Dictionary<string, JsonElement> values, IReadOnlyList<KeyValuePair<string, string>> pairs, FormFields? form, int skip)
    {
        var fields = form?.Count ?? 0;
        if (pairs.Count + fields == 0)
            return;
        // The writer and its buffer are the thread's own, reset for each request (every request made both before).
        var buffer = t_textBuffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = t_textWriter ??= new Utf8JsonWriter(buffer, TextWriterOptions);
        writer.Reset(buffer);
        writer.WriteStartArray();
        foreach (var (_, value) in pairs)
            writer.WriteStringValue(value);
        for (var i = 0; i < fields; i++)
        {
            if (i != skip)
                writer.WriteStringValue(form!.Value(i));
        }
        writer.WriteEndArray();
        writer.Flush();
        // Not JsonDocument.Parse: its rented arrays would never go back to the pool, as no request disposes its values.
        // Parse copies the bytes, so the buffer is free again once it returns.
        var strings = JsonElement.Parse(buffer.WrittenSpan).EnumerateArray();
        if (buffer.Capacity > MaxKeptTextBuffer)
            t_textBuffer = null; // one large request does not pin its buffer to the thread for good
        foreach (var (name, _) in pairs)
        {
            strings.MoveNext();
            values[name] = strings.Current;
        }
        for (var i = 0; i < fields; i++)
        {
            if (i == skip)
                continue;
            strings.MoveNext();
            values[form!.Name(i)] = strings.Current;
        }
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_textBuffer;
    [ThreadStatic] private static Utf8JsonWriter? t_textWriter;
    private const int MaxKeptTextBuffer = 64 * 1024;

    // The document is read back only here, never sent anywhere: escape no more than JSON needs.
    private static readonly JsonWriterOptions TextWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static IReadOnlyList<KeyValuePair<string, string>> AsList(IEnumerable<KeyValuePair<string, string>> pairs) =>
        pairs as IReadOnlyList<KeyValuePair<string, string>> ?? pairs.ToList();

    private static bool IsBlank(ReadOnlySpan<byte> body)
    {
        foreach (var b in body)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Decodes an <c>application/x-www-form-urlencoded</c> body into pairs. The body must be text: valid UTF-8 without
    /// control characters (clients percent-encode everything else), so binary garbage is refused, not read as fields.
    /// </summary>
    public static List<KeyValuePair<string, string>> ParseFormUrlEncoded(ReadOnlySpan<byte> body)
    {
        using var form = FormFields.Decode(body);
        var pairs = new List<KeyValuePair<string, string>>(form.Count);
        for (var i = 0; i < form.Count; i++)
            pairs.Add(new(form.Name(i), form.Text(i)));
        return pairs;
    }
}
