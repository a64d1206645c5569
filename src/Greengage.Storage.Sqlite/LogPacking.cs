using System.Buffers;
using System.Text;
using Greengage.Engine.Storage;

namespace Greengage.Storage.Sqlite;

/// <summary>
/// Packs the log rows of one commit into one blob: for each row its sequence number, kind, time and body, as
/// 7-bit-encoded integers and length-prefixed bytes. Unpacking yields the rows again, each with its logical ingest
/// sequence <c>(ingest &lt;&lt; 16) | position</c>. Positions start at the row's <c>first_pos</c>: 0, unless an erasure
/// cut leading records off the row, so that the records it kept keep their ingest sequence.
/// </summary>
internal static class LogPacking
{
    /// <summary>Most rows in one physical row (the position must fit in the low 16 bits).</summary>
    public const int MaxRowsPerPack = 1 << IngestShift;

    public const int IngestShift = 16;

    public static byte[] Pack(IReadOnlyList<NewLogRow> rows, int start, int count)
    {
        var buffer = new ArrayBufferWriter<byte>(count * 128);
        for (var i = start; i < start + count; i++)
        {
            var row = rows[i];
            WriteVarint(buffer, (ulong)row.Seq);
            WriteBytes(buffer, Encoding.UTF8.GetBytes(row.Kind));
            WriteVarint(buffer, (ulong)row.TimeMs);
            WriteBytes(buffer, row.Body);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static IEnumerable<LogRow> Unpack(long ingest, string appId, string userId, byte[] packed, long firstPosition = 0)
    {
        var rows = new List<LogRow>();
        var offset = 0;
        var position = firstPosition;
        while (offset < packed.Length)
        {
            var seq = (long)ReadVarint(packed, ref offset);
            var kind = Encoding.UTF8.GetString(ReadBytes(packed, ref offset));
            var time = (long)ReadVarint(packed, ref offset);
            var body = ReadBytes(packed, ref offset).ToArray();
            rows.Add(new LogRow((ingest << IngestShift) | position++, appId, userId, seq, kind, time, body));
        }
        return rows;
    }

    private static void WriteBytes(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        WriteVarint(buffer, (ulong)bytes.Length);
        buffer.Write(bytes);
    }

    private static void WriteVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var span = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        buffer.Advance(n);
    }

    private static ReadOnlySpan<byte> ReadBytes(byte[] packed, ref int offset)
    {
        var length = (int)ReadVarint(packed, ref offset);
        var bytes = packed.AsSpan(offset, length);
        offset += length;
        return bytes;
    }

    private static ulong ReadVarint(byte[] packed, ref int offset)
    {
        ulong value = 0;
        var shift = 0;
        byte b;
        do
        {
            b = packed[offset++];
            value |= (ulong)(b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);
        return value;
    }
}
