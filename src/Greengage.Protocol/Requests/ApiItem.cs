using Greengage.Protocol.Values;

namespace Greengage.Protocol.Requests;

/// <summary>
/// One action of a request: the whole request for a plain call, one element of <c>data</c> for a <c>multi</c>.
/// Its parameters already fall back to the envelope's for auth and client fields.
/// </summary>
/// <param name="Index">Position in the request; the response element at the same position answers it.</param>
/// <param name="Parameters">The item's parameters.</param>
/// <param name="ParseError">Set when the element could not be read at all (for example, not a JSON object).</param>
public sealed record ApiItem(int Index, ParameterSet Parameters, string? ParseError = null)
{
    public string? Action => ParseError is null ? Parameters.StringOrNull(WireNames.Action) : null;

    /// <summary>The request id to echo, when the client sent one.</summary>
    public string? ReqId => Parameters.StringOrNull(WireNames.ReqId);
}
