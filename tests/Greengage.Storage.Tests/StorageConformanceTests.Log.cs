using Greengage.Engine.Storage;

namespace Greengage.Storage.Tests;

public abstract partial class StorageConformanceTests
{
    [Fact]
    public async Task ReadAfterAsync_SeveralCommits_IngestSeqStrictlyIncreasingInCommitOrder()
    {
        for (var commit = 0; commit < 5; commit++)
        {
            await Store.Users.CommitAsync(
                [Set(App, "u", Range(commit * 3 + 1, commit * 3 + 3)), Set(App, "v", [commit + 1])], Ct);
        }

        var rows = await Store.Log.ReadAfterAsync(0, 1000, Ct);

        Assert.Equal(20, rows.Count);
        AssertStrictlyIncreasing(rows.Select(r => r.IngestSeq));
        var expected = Enumerable.Range(0, 5).SelectMany(c =>
            Range(c * 3 + 1, c * 3 + 3).Select(s => ("u", s)).Append(("v", (long)c + 1)));
        Assert.Equal(expected, rows.Select(r => (r.UserId, r.Seq)));
    }

    [Fact]
    public async Task ReadAfterAsync_SmallPages_ReturnEachRowOnceThenNothing()
    {
        await CommitOneAsync(Set(App, "u", Range(1, 10)));
        var all = await Store.Log.ReadAfterAsync(0, 100, Ct);

        var paged = new List<LogRow>();
        long after = 0;
        IReadOnlyList<LogRow> page;
        while ((page = await Store.Log.ReadAfterAsync(after, 3, Ct)).Count > 0)
        {
            Assert.True(page.Count <= 3);
            Assert.True(page[0].IngestSeq > after, "a page repeats rows");
            paged.AddRange(page);
            after = page[^1].IngestSeq;
        }

        Assert.Equal(all.Select(r => r.IngestSeq), paged.Select(r => r.IngestSeq));
        Assert.Equal(Range(1, 10), paged.Select(r => r.Seq));
    }

    [Fact]
    public async Task ReadUserAsync_TwoUsers_ReturnsOnlyThatUsersRowsInSeqOrder()
    {
        await Store.Users.CommitAsync([Set(App, "u", [2, 1]), Set(App, "v", [1])], Ct);
        await CommitOneAsync(Set(App, "u", [3]));

        var rows = await Store.Log.ReadUserAsync(App, "u", Ct);

        Assert.Equal([1L, 2, 3], rows.Select(r => r.Seq));
        Assert.All(rows, r => Assert.Equal("u", r.UserId));
        Assert.Empty(await Store.Log.ReadUserAsync(App, "nobody", Ct));
    }

    [Fact]
    public async Task ReadAfterAsync_WhileConcurrentWritersCommit_SeesEveryRowExactlyOnceInIngestOrder()
    {
        const int writers = 4, commits = 30, setsPerCommit = 3, rowsPerSet = 4;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            await start.Task;
            for (var c = 0; c < commits; c++)
            {
                var sets = Enumerable.Range(0, setsPerCommit)
                    .Select(s => Set(App, $"w{w}-u{s}", Range(c * rowsPerSet + 1, (c + 1) * rowsPerSet)))
                    .ToArray();
                var outcomes = await Store.Users.CommitAsync(sets, Ct);
                Assert.All(outcomes, o => Assert.Equal(CommitOutcome.Committed, o));
            }
        })).ToArray();

        var reader = Task.Run(async () =>
        {
            await start.Task;
            var seen = new List<LogRow>();
            long after = 0;
            while (true)
            {
                var writersDone = writerTasks.All(t => t.IsCompleted); // before the read: a later empty page is final
                var page = await Store.Log.ReadAfterAsync(after, 7, Ct);
                foreach (var row in page)
                {
                    Assert.True(row.IngestSeq > after, $"ingest seq {row.IngestSeq} after {after}");
                    after = row.IngestSeq;
                    seen.Add(row);
                }

                if (page.Count == 0)
                {
                    if (writersDone)
                    {
                        return seen;
                    }

                    await Task.Yield();
                }
            }
        });

        start.SetResult();
        await Task.WhenAll(writerTasks);
        var seen = await reader;

        Assert.Equal(writers * commits * setsPerCommit * rowsPerSet, seen.Count);
        Assert.Equal(seen.Count, seen.Select(r => (r.UserId, r.Seq)).Distinct().Count());
        Assert.Equal((await Store.Log.ReadAfterAsync(0, int.MaxValue, Ct)).Select(r => r.IngestSeq), seen.Select(r => r.IngestSeq));
        foreach (var user in seen.GroupBy(r => r.UserId))
        {
            Assert.Equal(Range(1, commits * rowsPerSet), user.Select(r => r.Seq)); // commit order within a user
        }
    }

    private static void AssertStrictlyIncreasing(IEnumerable<long> values)
    {
        long? previous = null;
        foreach (var value in values)
        {
            Assert.True(previous is null || value > previous, $"{value} does not follow {previous}");
            previous = value;
        }
    }
}
