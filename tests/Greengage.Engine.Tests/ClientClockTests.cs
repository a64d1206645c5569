using Greengage.Engine.Users;

namespace Greengage.Engine.Tests;

public sealed class ClientClockTests
{
    private static readonly DateTimeOffset Arrival = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    [Fact]
    public void CorrectMs_ClientClockAnHourFast_ShiftsToServerTime() =>
        // The client sent the batch at its 1_800_003_600 and the item happened 10 s before that.
        Assert.Equal(Arrival.AddSeconds(-10).ToUnixTimeMilliseconds(), ClientClock.CorrectMs(Arrival, 1_800_003_600, 1_800_003_590));

    [Fact]
    public void CorrectMs_NoEnvelopeTime_UsesItemTime() =>
        Assert.Equal(1_799_999_000_000, ClientClock.CorrectMs(Arrival, null, 1_799_999_000));

    [Fact]
    public void CorrectMs_FutureTime_IsClampedToArrival() =>
        Assert.Equal(Arrival.ToUnixTimeMilliseconds(), ClientClock.CorrectMs(Arrival, null, 1_900_000_000));

    [Fact]
    public void CorrectMs_NoTime_IsArrival() =>
        Assert.Equal(Arrival.ToUnixTimeMilliseconds(), ClientClock.CorrectMs(Arrival, 1_800_000_000, null));
}
