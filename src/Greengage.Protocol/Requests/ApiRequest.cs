using Greengage.Protocol.Values;

namespace Greengage.Protocol.Requests;

/// <summary>A parsed <c>/api</c> call: the envelope's own parameters and the actions it carries, in order.</summary>
public sealed record ApiRequest(ParameterSet Envelope, IReadOnlyList<ApiItem> Items, bool IsMulti);
