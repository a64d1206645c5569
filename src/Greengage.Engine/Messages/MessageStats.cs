using System.Globalization;
using System.Text.Json.Nodes;
using Greengage.Engine.Content;
using Greengage.Engine.Jobs;
using Greengage.Engine.Storage;

namespace Greengage.Engine.Messages;

/// <summary>
/// A message's statistics, counted per message (docs/messages.md): a job that pages through stored users
/// (<see cref="UserScan"/>, no user activated) and sums, per message event name (<c>.m&lt;id&gt;</c> sent,
/// <c>.m&lt;id&gt; View</c>, <c>.m&lt;id&gt; Accept</c>, <c>.m&lt;id&gt; Held Back</c>, ...), the occurrences and the users who
/// had it, from each user's lifetime event counts (which leave out development-mode data). The job's
/// <see cref="Job.Matched"/> counts the users with any event of the message; its result holds the sums.
/// </summary>
public sealed class MessageStats(ContentDirectory content, IUserStore store, JobRegistry jobs)
{
    public const string Kind = "message-stats";

    /// <summary>Starts counting; throws when the app has no such message.</summary>
    public Job Start(string appId, long messageId)
    {
        if (!content.For(appId).Messages.ById.ContainsKey(messageId))
            throw ContentException.NotFound("Message", messageId);
        var id = messageId.ToString(CultureInfo.InvariantCulture);
        return jobs.Start(Kind, appId, id, (job, cancellationToken) => CountAsync(job, appId, ".m" + id, cancellationToken));
    }

    private async Task CountAsync(Job job, string appId, string prefix, CancellationToken cancellationToken)
    {
        var totals = new SortedDictionary<string, (long Occurrences, long Users)>(StringComparer.Ordinal);
        await foreach (var (_, state) in UserScan.ScanAsync(store, appId, cancellationToken))
        {
            job.AddScanned();
            var any = false;
            foreach (var (name, aggregate) in state.Aggregates.Events)
            {
                if (!IsEventOf(name, prefix) || aggregate.Count <= 0)
                    continue;
                var (occurrences, users) = totals.GetValueOrDefault(name);
                totals[name] = (occurrences + aggregate.Count, users + 1);
                any = true;
            }
            if (any)
                job.AddMatched();
        }
        var events = new JsonObject();
        foreach (var (name, (occurrences, users)) in totals)
            events[name] = new JsonObject { ["occurrences"] = occurrences, ["users"] = users };
        job.Result = new JsonObject { ["messageId"] = long.Parse(prefix[2..], CultureInfo.InvariantCulture), ["events"] = events };
    }

    /// <summary><c>.m12</c> and <c>.m12 View</c> belong to message 12; <c>.m123</c> does not.</summary>
    public static bool IsEventOf(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && (name.Length == prefix.Length || name[prefix.Length] == ' ');
}
