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
        // Sized exactly first, then written in place: one array per commit (this runs on the single writer thread).
        var size = 0;
        for (var i = start; i < start + count; i++)
        {
            var row = rows[i];
            var kind = Encoding.UTF8.GetByteCount(row.Kind);
            size += VarintLength((ulong)row.Seq) + VarintLength((ulong)kind) + kind + VarintLength((ulong)row.TimeMs)
                + VarintLength((ulong)row.Body.Length) + row.Body.Length;
        }
        var packed = new byte[size];
        var offset = 0;
        for (var i = start; i < start + count; i++)
        {
            var row = rows[i];
            WriteVarint(packed, ref offset, (ulong)row.Seq);
            WriteVarint(packed, ref offset, (ulong)Encoding.UTF8.GetByteCount(row.Kind));
            offset += Encoding.UTF8.GetBytes(row.Kind, packed.AsSpan(offset));
            WriteVarint(packed, ref offset, (ulong)row.TimeMs);
            WriteVarint(packed, ref offset, (ulong)row.Body.Length);
            row.Body.CopyTo(packed.AsSpan(offset));
            offset += row.Body.Length;
        }
        return packed;
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

    private static int VarintLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    private static void WriteVarint(byte[] packed, ref int offset, ulong value)
    {
        while (value >= 0x80)
        {
            packed[offset++] = (byte)(value | 0x80);
            value >>= 7;
        }
        packed[offset++] = (byte)value;
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
