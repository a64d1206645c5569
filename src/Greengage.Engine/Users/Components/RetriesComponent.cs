using System.Text.Json.Serialization;
using Greengage.Engine.Users.Records;

namespace Greengage.Engine.Users.Components;

/// <summary>
/// For each device, the <c>reqId</c>s of its last two batch <c>uuid</c>s (ARCHITECTURE decision 3), committed with the
/// records they produced. A request seen here is a retry: answered, not applied again. Merge rule: union.
/// </summary>
public sealed class RetriesComponent : IUserComponent<RetriesComponent>
{
    private const int BatchesPerDevice = 2;

    [JsonPropertyName("byDevice")] public Dictionary<string, List<SeenBatch>> ByDevice { get; set; } = new(StringComparer.Ordinal);

    public bool Seen(string device, RequestMark mark) =>
        ByDevice.TryGetValue(device, out var batches) && Find(batches, mark.Uuid) is { } batch && batch.ReqIds.Contains(mark.ReqId);

    // A loop rather than a lambda over the mark: capturing it allocated a closure on every call, marked or not.
    private static SeenBatch? Find(List<SeenBatch> batches, string uuid)
    {
        foreach (var batch in batches)
        {
            if (batch.Uuid == uuid)
                return batch;
        }
        return null;
    }

    public void Apply(UserRecord record)
    {
        if (record.Request is not { } mark)
            return;
        var device = record.DeviceId ?? "";
        if (!ByDevice.TryGetValue(device, out var batches))
            ByDevice[device] = batches = [];
        var batch = Find(batches, mark.Uuid);
        if (batch is null)
        {
            batches.Add(batch = new SeenBatch { Uuid = mark.Uuid });
            if (batches.Count > BatchesPerDevice)
                batches.RemoveAt(0);
        }
        batch.ReqIds.Add(mark.ReqId);
    }

    public void MergeFrom(RetriesComponent source)
    {
        foreach (var (device, batches) in source.ByDevice)
            ByDevice.TryAdd(device, batches);
    }
}

public sealed class SeenBatch
{
    [JsonPropertyName("uuid")] public required string Uuid { get; set; }
    [JsonPropertyName("reqIds")] public HashSet<string> ReqIds { get; set; } = new(StringComparer.Ordinal);
}
