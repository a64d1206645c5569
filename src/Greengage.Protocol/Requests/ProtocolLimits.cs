namespace Greengage.Protocol.Requests;

/// <summary>Limits on one <c>/api</c> request. Defaults accept the largest batch an SDK sends.</summary>
public sealed class ProtocolLimits
{
    /// <summary>Most items in one <c>multi</c> (Android and iOS send up to 10,000).</summary>
    public int MaxItemsPerRequest { get; set; } = 10_000;

    /// <summary>Largest body after decompression, in bytes (a 10,000-item batch of large items fits).</summary>
    public long MaxBodyBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Longest user or device id (spec: 400 characters).</summary>
    public int MaxIdLength { get; set; } = 400;

    /// <summary>Longest event, state or attribute name (spec: 139 characters).</summary>
    public int MaxNameLength { get; set; } = 139;

    /// <summary>Most parameters on one event or state (spec: 50).</summary>
    public int MaxParamsPerEvent { get; set; } = 50;

    /// <summary>Most distinct event names per app (spec 6.2: 500). Message events (<c>.m&lt;id&gt; …</c>) do not count.</summary>
    public int MaxEventNamesPerApp { get; set; } = 500;

    /// <summary>Most distinct state names per app (spec 6.2: 500).</summary>
    public int MaxStateNamesPerApp { get; set; } = 500;

    /// <summary>Most distinct user attribute names per app (spec 6.2: 500).</summary>
    public int MaxAttributeNamesPerApp { get; set; } = 500;

    /// <summary>Most distinct event and state parameter names per app (spec 6.2: 200).</summary>
    public int MaxParameterNamesPerApp { get; set; } = 200;

    /// <summary>Largest <c>setVars</c> declaration (its <c>vars</c>, <c>kinds</c> and <c>actionDefinitions</c> as JSON), in bytes (spec 6.2: under 1 MB).</summary>
    public int MaxVariablesBytes { get; set; } = 1024 * 1024;

    /// <summary>Deepest nesting of JSON accepted anywhere in a request.</summary>
    public int MaxJsonDepth { get; set; } = 64;
}
