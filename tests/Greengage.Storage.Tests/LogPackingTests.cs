using System.Text;
using Greengage.Engine.Storage;
using Greengage.Storage.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>A commit's log rows packed into one blob come back as they went in, each with its ingest sequence.</summary>
public sealed class LogPackingTests
{
    [Fact]
    public void PackThenUnpack_RowsOfEverySize_ComeBackTheSame()
    {
        NewLogRow[] rows =
        [
            new(1, "track", 0, []),
            new(127, "état", 1_701_234_567_891, Encoding.UTF8.GetBytes("{\"a\":1}")),
            new(128, "k", long.MaxValue, new byte[300]),
            new(long.MaxValue, new string('x', 200), 42, Encoding.UTF8.GetBytes(new string('é', 100))),
        ];
        rows[2].Body[299] = 7;

        var packed = LogPacking.Pack(rows, 1, 3);
        var back = LogPacking.Unpack(5, "app", "user", packed, firstPosition: 2).ToList();

        Assert.Equal(3, back.Count);
        for (var i = 0; i < 3; i++)
        {
            var sent = rows[i + 1];
            Assert.Equal((5L << LogPacking.IngestShift) | (2L + i), back[i].IngestSeq);
            Assert.Equal(sent.Seq, back[i].Seq);
            Assert.Equal(sent.Kind, back[i].Kind);
            Assert.Equal(sent.TimeMs, back[i].TimeMs);
            Assert.Equal(sent.Body, back[i].Body);
        }
    }
}
