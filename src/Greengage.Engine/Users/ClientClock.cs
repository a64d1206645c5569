namespace Greengage.Engine.Users;

/// <summary>
/// Turns a client's item <c>time</c> into server time (ARCHITECTURE, "Decisions where the spec only guesses"):
/// event time = arrival - (envelope time - item time); without an envelope time the item time is used as sent;
/// a time in the future is clamped to arrival.
/// </summary>
public static class ClientClock
{
    public static long CorrectMs(DateTimeOffset arrival, double? envelopeSeconds, double? itemSeconds)
    {
        var arrivalMs = arrival.ToUnixTimeMilliseconds();
        if (itemSeconds is not { } item || item <= 0)
            return arrivalMs;
        // Computed in double and clamped before converting, so absurd client times cannot overflow.
        var ms = envelopeSeconds is { } env && env > 0
            ? arrivalMs - (env - item) * 1000
            : item * 1000;
        return ms >= arrivalMs ? arrivalMs : ms <= 0 ? 0 : (long)Math.Round(ms);
    }
}
