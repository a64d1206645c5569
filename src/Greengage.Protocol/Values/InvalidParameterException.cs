namespace Greengage.Protocol.Values;

/// <summary>A request parameter is present but cannot be read as the type its action needs.</summary>
public sealed class InvalidParameterException(string message) : Exception(message);
