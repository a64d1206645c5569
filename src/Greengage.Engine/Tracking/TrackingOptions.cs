namespace Greengage.Engine.Tracking;

/// <summary>
/// Settings for events and states (spec 6.1, 6.2; ARCHITECTURE "Decisions where the spec only guesses"). Name length
/// and parameter count come from <see cref="Protocol.Requests.ProtocolLimits"/>; the rest is here.
/// Meant to be bound from configuration section <c>Greengage:Tracking</c>.
/// </summary>
public sealed class TrackingOptions
{
    /// <summary>
    /// Items dated more than this many days before arrival are rewritten to arrival with the warning
    /// <c>Past event detected (N days ago). Rewriting timestamp.</c>; within the window the (corrected) client time
    /// stands. Zero or less turns the rewrite off.
    /// </summary>
    public int PastEventDays { get; set; } = 30;

    /// <summary>Most events tracked in one session (spec 6.2: 1,500).</summary>
    public int MaxEventsPerSession { get; set; } = 1_500;

    /// <summary>Most states entered in one session (spec 6.2: 1,500).</summary>
    public int MaxStatesPerSession { get; set; } = 1_500;

    /// <summary>The currency event values are kept in (ISO 4217); a <c>currencyCode</c> on <c>track</c> converts to it.</summary>
    public string AppCurrency { get; set; } = "USD";

    /// <summary>
    /// Exchange rates by ISO 4217 code: how many units of <see cref="AppCurrency"/> one unit of that currency is worth
    /// (with <c>AppCurrency=USD</c>, <c>"EUR": 1.08</c>). A code that is neither the app currency nor listed here is
    /// refused. Empty by default: rates go stale, so the operator supplies them.
    /// </summary>
    public Dictionary<string, decimal> CurrencyRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Checks the settings at start and names each one that is wrong.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxEventsPerSession < 1 || MaxStatesPerSession < 1)
            yield return "Greengage:Tracking:MaxEventsPerSession and MaxStatesPerSession must be at least 1.";
        if (!CurrencyConverter.IsCodeShape(AppCurrency))
            yield return $"Greengage:Tracking:AppCurrency '{AppCurrency}' is not an ISO 4217 code (three letters).";
        foreach (var (code, rate) in CurrencyRates)
        {
            if (!CurrencyConverter.IsCodeShape(code))
                yield return $"Greengage:Tracking:CurrencyRates: '{code}' is not an ISO 4217 code (three letters).";
            else if (rate <= 0)
                yield return $"Greengage:Tracking:CurrencyRates:{code} must be positive.";
        }
    }
}
