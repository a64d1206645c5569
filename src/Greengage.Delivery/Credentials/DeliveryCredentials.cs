using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Greengage.Delivery.Credentials;

/// <summary>
/// One app's credentials for one provider, as stored. <see cref="ToString"/> and <see cref="Redacted"/> never show a
/// secret (a private key, a password, a secret header's value), so a credential that reaches a log line leaks nothing.
/// </summary>
public abstract record DeliveryCredentials
{
    [JsonIgnore] public abstract string Kind { get; }

    /// <summary>What the admin API shows: what is configured, key ids and public parts, never a secret.</summary>
    public abstract JsonObject Redacted();

    public sealed override string ToString() => $"{GetType().Name} {Redacted().ToJsonString()}";
}

/// <summary>A Firebase service account (the JSON key file Google's console gives): signs the OAuth2 assertion for FCM.</summary>
public sealed record FcmCredentials(
    [property: JsonPropertyName("projectId")] string ProjectId,
    [property: JsonPropertyName("clientEmail")] string ClientEmail,
    [property: JsonPropertyName("privateKey")] string PrivateKey,
    [property: JsonPropertyName("privateKeyId")] string? PrivateKeyId,
    [property: JsonPropertyName("tokenUri")] string? TokenUri) : DeliveryCredentials
{
    public override string Kind => DeliveryKinds.Fcm;

    public override JsonObject Redacted() => new()
    {
        ["kind"] = Kind,
        ["projectId"] = ProjectId,
        ["clientEmail"] = ClientEmail,
        ["privateKeyId"] = PrivateKeyId,
        ["tokenUri"] = TokenUri,
        ["privateKey"] = "[set]",
    };
}

/// <summary>An APNs auth key (.p8, PKCS#8 P-256) with its key id and team id; the app's bundle id is the topic.</summary>
public sealed record ApnsCredentials(
    [property: JsonPropertyName("teamId")] string TeamId,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("privateKey")] string PrivateKey,
    [property: JsonPropertyName("bundleId")] string BundleId,
    [property: JsonPropertyName("environment")] string Environment) : DeliveryCredentials
{
    public const string Production = "production";
    public const string Sandbox = "sandbox";

    public override string Kind => DeliveryKinds.Apns;

    [JsonIgnore] public bool IsSandbox => string.Equals(Environment, Sandbox, StringComparison.Ordinal);

    public override JsonObject Redacted() => new()
    {
        ["kind"] = Kind,
        ["teamId"] = TeamId,
        ["keyId"] = KeyId,
        ["bundleId"] = BundleId,
        ["environment"] = Environment,
        ["privateKey"] = "[set]",
    };
}

/// <summary>A VAPID key pair (RFC 8292): P-256, public key as 65 uncompressed bytes, private key as 32 bytes, both
/// base64url; <see cref="Subject"/> is the contact (<c>mailto:</c> or <c>https:</c>) push services may use.</summary>
public sealed record WebPushCredentials(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("publicKey")] string PublicKey,
    [property: JsonPropertyName("privateKey")] string PrivateKey) : DeliveryCredentials
{
    public override string Kind => DeliveryKinds.WebPush;

    public override JsonObject Redacted() => new()
    {
        ["kind"] = Kind,
        ["subject"] = Subject,
        ["publicKey"] = PublicKey,
        ["privateKey"] = "[set]",
    };
}

/// <summary>An SMTP relay: where, how to secure the connection, who to log in as, and the sender.</summary>
/// <param name="Security"><c>auto</c> (TLS on connect for port 465, else STARTTLS when offered), <c>none</c>,
/// <c>startTls</c> (required) or <c>sslOnConnect</c>.</param>
public sealed record SmtpCredentials(
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("port")] int Port,
    [property: JsonPropertyName("security")] string Security,
    [property: JsonPropertyName("username")] string? Username,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("fromAddress")] string FromAddress,
    [property: JsonPropertyName("fromName")] string? FromName) : DeliveryCredentials
{
    public override string Kind => DeliveryKinds.Smtp;

    public override JsonObject Redacted() => new()
    {
        ["kind"] = Kind,
        ["host"] = Host,
        ["port"] = Port,
        ["security"] = Security,
        ["username"] = Username,
        ["password"] = Password is null ? null : "[set]",
        ["fromAddress"] = FromAddress,
        ["fromName"] = FromName,
    };
}

/// <summary>What the app adds to every webhook call: headers that carry a secret (an <c>Authorization</c> the
/// receiving service checks, say), kept out of the messages themselves.</summary>
public sealed record WebhookCredentials(
    [property: JsonPropertyName("headers")] IReadOnlyDictionary<string, string> Headers) : DeliveryCredentials
{
    public override string Kind => DeliveryKinds.Webhook;

    public override JsonObject Redacted() => new()
    {
        ["kind"] = Kind,
        ["headers"] = new JsonObject(Headers.Keys.Order(StringComparer.Ordinal).Select(name => KeyValuePair.Create(name, (JsonNode?)"[set]"))),
    };
}
