namespace Greengage.Server.Tests.Infrastructure;

/// <summary>Waits for what background work (the outbox, a dispatcher) makes true, polling every 50 ms.</summary>
public static class Eventually
{
    /// <summary>Returns once <paramref name="condition"/> holds; fails the test after <paramref name="timeout"/> (default 15 s).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Timed out waiting for {what}.");
            await Task.Delay(50);
        }
    }

    /// <summary>The same for a condition that needs no waiting to evaluate.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);
}
