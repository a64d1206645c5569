using System.Text.Json;
using Greengage.Engine.Users;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Tests;

/// <summary>Builds user batches from anonymous objects, as the dispatcher would hand them to a grain.</summary>
internal static class TestBatches
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static UserBatchItem Item(int index, string action, object parameters, bool devMode = false)
    {
        var element = JsonSerializer.SerializeToElement(parameters);
        var values = element.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        return new UserBatchItem(index, action, new ParameterSet(values), devMode);
    }

    public static UserBatch Batch(string user, DateTimeOffset arrival, params UserBatchItem[] items) =>
        new("app_test", user, "secret", arrival, null, items);

    public static UserBatch Batch(string user, params UserBatchItem[] items) => Batch(user, T0, items);
}
