namespace Greengage.Engine.Users;

/// <summary>Profile settings (meant for configuration section <c>Greengage:Profile</c>).</summary>
public sealed class ProfileOptions
{
    /// <summary>
    /// Most devices one user keeps. Adding one more drops the least recently seen (a device is seen whenever a request
    /// comes from it).
    /// </summary>
    public int MaxDevicesPerUser { get; set; } = 100;
}
