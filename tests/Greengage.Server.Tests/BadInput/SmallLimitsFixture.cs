using Greengage.Server.Tests.Infrastructure;

namespace Greengage.Server.Tests.BadInput;

/// <summary>
/// A server configured with small limits (GreengageFactory is sealed, so the settings are applied to its
/// <see cref="GreengageFactory.Settings"/> before first use).
/// </summary>
public sealed class SmallLimitsFixture : IDisposable
{
    public const int MaxItems = 5;
    public const int MaxBodyBytes = 4096;
    public const int MaxIdLength = 40;
    public const int MaxNameLength = 12;
    public const int MaxParams = 3;
    public const int MaxJsonDepth = 8;

    public SmallLimitsFixture()
    {
        Factory.Settings["Greengage:Limits:MaxItemsPerRequest"] = MaxItems.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["Greengage:Limits:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["Greengage:Limits:MaxIdLength"] = MaxIdLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["Greengage:Limits:MaxNameLength"] = MaxNameLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["Greengage:Limits:MaxParamsPerEvent"] = MaxParams.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Factory.Settings["Greengage:Limits:MaxJsonDepth"] = MaxJsonDepth.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public GreengageFactory Factory { get; } = new();

    public void Dispose() => Factory.Dispose();
}
