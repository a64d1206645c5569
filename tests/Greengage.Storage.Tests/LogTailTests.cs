using Greengage.Storage.Sqlite;

namespace Greengage.Storage.Tests;

/// <summary>The tail keeps an indexed user's list for the next user that comes: nothing of the first may show in it.</summary>
public sealed class LogTailTests
{
    [Fact]
    public void AUserComingAfterAnIndexedOne_HoldsOnlyItsOwnRows()
    {
        var tail = new LogTail(mergeThreshold: 100, chunkRows: 10);
        tail.Added(user: 1, lastSeq: 5, ingest: 10);
        tail.Added(user: 1, lastSeq: 6, ingest: 11);
        tail.Commit();
        tail.Indexed(1);
        tail.Commit();

        tail.Added(user: 2, lastSeq: 1, ingest: 12);
        tail.Added(user: 1, lastSeq: 7, ingest: 13);
        tail.Commit();

        Assert.Equal([new LogTail.Entry(1, 12)], tail.EntriesOf(2));
        Assert.Equal([new LogTail.Entry(7, 13)], tail.EntriesOf(1));
        Assert.Equal(1, tail.MaxSeq(2));
        Assert.Equal(7, tail.MaxSeq(1));
        Assert.Equal(2, tail.Count);
    }

    [Fact]
    public void ManyUsersIndexedAndBack_KeepTheirCountsAndRows()
    {
        var tail = new LogTail(mergeThreshold: 1_000_000, chunkRows: 1_000);
        long ingest = 0;
        for (var round = 0; round < 3; round++)
        {
            for (long user = 0; user < 5_000; user++)
            {
                for (var row = 0; row <= user % 3; row++)
                    tail.Added(user, lastSeq: round * 10 + row, ingest: ++ingest);
            }
            tail.Commit();
            Assert.Equal(Enumerable.Range(0, 5_000).Sum(u => u % 3 + 1), tail.Count);
            for (long user = 0; user < 5_000; user++)
            {
                var rows = tail.EntriesOf(user);
                Assert.Equal((int)(user % 3) + 1, rows.Count);
                Assert.All(rows, r => Assert.InRange(r.LastSeq, round * 10, round * 10 + 2));
                tail.Indexed(user);
            }
            tail.Commit();
            Assert.Equal(0, tail.Count);
        }
    }
}
