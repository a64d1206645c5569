namespace Greengage.Protocol.Requests;

/// <summary>The request as a whole cannot be served; answered with one error element and <see cref="Status"/>.</summary>
public sealed class EnvelopeException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}
