namespace Greengage.Protocol.Requests;

/// <summary>Parameter names of the envelope (spec section 1.3).</summary>
public static class WireNames
{
    public const string Action = "action";
    public const string AppId = "appId";
    public const string ClientKey = "clientKey";
    public const string DevMode = "devMode";
    public const string Data = "data";
    public const string ReqId = "reqId";
    public const string Uuid = "uuid";
    public const string Time = "time";
    public const string UserId = "userId";
    public const string DeviceId = "deviceId";
    public const string Client = "client";
    public const string SdkVersion = "sdkVersion";
    public const string Multi = "multi";

    /// <summary>Envelope fields an item inherits when it does not carry its own.</summary>
    public static readonly string[] Inherited = [AppId, ClientKey, Client, SdkVersion, DevMode, Uuid];
}
