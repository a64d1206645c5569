using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Greengage.Protocol.Requests;

/// <summary>
/// An <c>application/x-www-form-urlencoded</c> body decoded from its bytes: names as strings, values as UTF-8 in one
/// pooled buffer (<see cref="Dispose"/> returns it), so a large field such as a batch's <c>data</c> never becomes a
/// string. The body must be text: valid UTF-8 without control characters (clients percent-encode everything else).
/// A field decodes as <see cref="Uri.UnescapeDataString"/> after <c>+</c> becomes a space: a run of escapes that is
/// not valid UTF-8 stays as written.
/// </summary>
internal sealed class FormFields : IDisposable
{
    // Control characters (char.IsControl) other than tab, CR and LF; 0xC2 starts U+0080-U+009F, checked on a hit.
    private static readonly SearchValues<byte> Controls = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 0x0B, 0x0C, 0x0E, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A,
         0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x7F, 0xC2]);

    private readonly List<(string Name, int Start, int Length)> _fields = [];
    private byte[]? _buffer;

    private FormFields(byte[] buffer) => _buffer = buffer;

    public int Count => _fields.Count;

    public string Name(int index) => _fields[index].Name;

    /// <summary>The decoded value, valid until <see cref="Dispose"/>.</summary>
    public ReadOnlySpan<byte> Value(int index)
    {
        ObjectDisposedException.ThrowIf(_buffer is null, this);
        var (_, start, length) = _fields[index];
        return _buffer.AsSpan(start, length);
    }

    public string Text(int index) => Encoding.UTF8.GetString(Value(index));

    /// <summary>The position of the last field named <paramref name="name"/> (the one that wins), or -1.</summary>
    public int LastIndexOf(string name)
    {
        for (var i = _fields.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_fields[i].Name, name, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    /// <exception cref="EnvelopeException">The body is not valid UTF-8 or holds control characters (400).</exception>
    public static FormFields Decode(ReadOnlySpan<byte> body)
    {
        if (!Utf8.IsValid(body))
            throw new EnvelopeException(400, "The form body is not valid UTF-8 text.");
        if (HasControl(body))
            throw new EnvelopeException(400, "The form body holds control characters; values must be percent-encoded.");

        // A field never decodes longer than it is written, so one buffer the size of the body holds every value.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 1));
        var form = new FormFields(buffer);
        var written = 0;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'&');
            var part = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (part.IsEmpty)
                continue;
            var eq = part.IndexOf((byte)'=');
            var name = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? [] : part[(eq + 1)..];
            // The name is decoded where its value goes next, and copied out as a string first.
            var nameLength = Unescape(name, buffer.AsSpan(written));
            var decodedName = Encoding.UTF8.GetString(buffer, written, nameLength);
            var valueLength = Unescape(value, buffer.AsSpan(written));
            form._fields.Add((decodedName, written, valueLength));
            written += valueLength;
        }
        return form;
    }

    public void Dispose()
    {
        if (_buffer is not null)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }

    /// <summary>Decodes <c>+</c> and <c>%XX</c> into <paramref name="destination"/>; returns the bytes written.</summary>
    private static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        // Byte by byte: an SDK's data field is about one escape in six bytes, too dense for a vectorised search.
        var written = 0;
        var escaped = false;
        var i = 0;
        while (i < source.Length)
        {
            var b = source[i];
            if (b == (byte)'%')
            {
                if (i + 2 < source.Length && HexValue(source[i + 1]) is >= 0 and var high && HexValue(source[i + 2]) is >= 0 and var low)
                {
                    destination[written++] = (byte)((high << 4) | low);
                    escaped = true;
                    i += 3;
                    continue;
                }
            }
            else if (b == (byte)'+')
            {
                b = (byte)' ';
            }
            destination[written++] = b;
            i++;
        }
        if (!escaped || Utf8.IsValid(destination[..written]))
            return written;
        // Escapes that are not valid UTF-8 stay as written: Uri.UnescapeDataString decides which, as it always did.
        // Its text is never longer in UTF-8 than the field as written.
        var text = Uri.UnescapeDataString(Encoding.UTF8.GetString(source).Replace('+', ' '));
        return Encoding.UTF8.GetBytes(text, destination);
    }

    private static int HexValue(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };

    private static bool HasControl(ReadOnlySpan<byte> text)
    {
        var at = text.IndexOfAny(Controls);
        while (at >= 0)
        {
            // The text is valid UTF-8, so 0xC2 is followed by a continuation byte.
            if (text[at] != 0xC2 || text[at + 1] <= 0x9F)
                return true;
            text = text[(at + 1)..];
            at = text.IndexOfAny(Controls);
        }
        return false;
    }
}
