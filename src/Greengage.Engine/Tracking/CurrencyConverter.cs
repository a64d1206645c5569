using System.Collections.Frozen;
using Greengage.Protocol.Values;

namespace Greengage.Engine.Tracking;

/// <summary>
/// Converts a <c>track</c> value sent in a local currency (<c>currencyCode</c>, ISO 4217) to the app's currency with
/// the configured rates (spec 4.1, 6.2). The caller keeps <c>localCurrency</c> and <c>localPrice</c> as parameters.
/// </summary>
public sealed class CurrencyConverter
{
    private readonly FrozenDictionary<string, decimal> _rates;

    public CurrencyConverter(TrackingOptions options)
    {
        AppCurrency = options.AppCurrency.Trim().ToUpperInvariant();
        var rates = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (code, rate) in options.CurrencyRates)
        {
            if (IsCodeShape(code) && rate > 0)
                rates[code.Trim().ToUpperInvariant()] = rate;
        }
        rates[AppCurrency] = 1m;
        _rates = rates.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public string AppCurrency { get; }

    /// <summary>True for three ASCII letters (the shape of an ISO 4217 alphabetic code), in any case.</summary>
    public static bool IsCodeShape(string? code)
    {
        var c = code?.Trim();
        return c is { Length: 3 } && c.All(char.IsAsciiLetter);
    }

    /// <summary>
    /// Returns <paramref name="value"/> in the app's currency and the normalised (upper-case) code; the value is null
    /// when no rate for the code is configured (the caller keeps the local price and warns). Throws
    /// <see cref="InvalidParameterException"/> for a malformed code.
    /// </summary>
    public (double? Value, string Code) Convert(double value, string currencyCode)
    {
        if (!IsCodeShape(currencyCode))
            throw new InvalidParameterException($"Invalid value for 'currencyCode': expected an ISO 4217 code such as {AppCurrency}, got '{currencyCode}'.");
        var code = currencyCode.Trim().ToUpperInvariant();
        if (!_rates.TryGetValue(code, out var rate))
            return (null, code);
        if (rate == 1m)
            return (value, code);
        try
        {
            // Decimal keeps prices exact (9.99 * 1.08 = 10.7892, not 10.789200000000001).
            return ((double)((decimal)value * rate), code);
        }
        catch (OverflowException)
        {
            return (value * (double)rate, code);
        }
    }
}
