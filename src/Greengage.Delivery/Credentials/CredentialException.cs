namespace Greengage.Delivery.Credentials;

/// <summary>Credentials that cannot be used, with what is wrong in words an operator can act on (never the secret).</summary>
public sealed class CredentialException(string message) : Exception(message);
