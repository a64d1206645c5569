using Greengage.Protocol.Values;

namespace Greengage.Protocol.Requests;

/// <summary>A parsed <c>/api</c> call: the envelope's own parameters and the actions it carries, in order.</summary>
public sealed record ApiRequest(ParameterSet Envelope, IReadOnlyList<ApiItem> Items, bool IsMulti)
{
    /// <summary>The file parts of a multipart body (<c>uploadFile</c>), in the order they came.</summary>
    public IReadOnlyList<ApiFilePart> Files { get; init; } = [];

    /// <summary>
    /// The server's public base URL for this request (<c>https://host[:port][/base]</c>, no trailing slash), for the
    /// URLs answers hand out (<c>files</c>, <c>uploadUrl</c>); null when the host gave none.
    /// </summary>
    public string? BaseUrl { get; init; }
}
