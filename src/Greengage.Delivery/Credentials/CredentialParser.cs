using System.Text.Json;
using System.Text.Json.Nodes;
using MimeKit;

namespace Greengage.Delivery.Credentials;

/// <summary>
/// Reads and checks credentials as the admin API receives them (docs/delivery.md shows each shape): the service
/// account JSON parses and its key loads, the .p8 key is a P-256 key, the VAPID halves are one pair, the SMTP sender
/// is an address. What is wrong comes back as a <see cref="CredentialException"/> that names the field.
/// </summary>
public static class CredentialParser
{
    public static DeliveryCredentials Parse(string kind, JsonNode? body)
    {
        if (body is not JsonObject o)
            throw new CredentialException("The body must be a JSON object.");
        return kind switch
        {
            DeliveryKinds.Fcm => Fcm(o),
            DeliveryKinds.Apns => Apns(o),
            DeliveryKinds.WebPush => WebPush(o),
            DeliveryKinds.Smtp => Smtp(o),
            DeliveryKinds.Webhook => Webhook(o),
            _ => throw new CredentialException($"'{kind}' is not a delivery provider; use one of {string.Join(", ", DeliveryKinds.All)}."),
        };
    }

    /// <summary>The service account JSON itself, or <c>{"serviceAccount": ...}</c> holding it (as an object or as text).</summary>
    private static FcmCredentials Fcm(JsonObject body)
    {
        var account = body["serviceAccount"] switch
        {
            null => body,
            JsonObject inner => inner,
            JsonValue text when text.GetValueKind() == JsonValueKind.String => ParseObject(text.GetValue<string>(), "'serviceAccount'"),
            _ => throw new CredentialException("'serviceAccount' must be the service account JSON (an object, or its text)."),
        };
        if (Text(account, "type") is { } type && type != "service_account")
            throw new CredentialException($"The service account JSON has type '{type}'; FCM needs a 'service_account' key file.");
        var projectId = Required(account, "project_id", "the service account JSON");
        var clientEmail = Required(account, "client_email", "the service account JSON");
        var privateKey = Required(account, "private_key", "the service account JSON");
        using (KeyMaterial.LoadRsa(privateKey, "The service account's 'private_key'"))
        {
        }
        var tokenUri = Text(account, "token_uri");
        if (tokenUri is not null && !IsHttpUrl(tokenUri))
            throw new CredentialException("The service account's 'token_uri' must be an absolute http or https URL.");
        return new FcmCredentials(projectId, clientEmail, privateKey, Text(account, "private_key_id"), tokenUri);
    }

    private static ApnsCredentials Apns(JsonObject body)
    {
        var teamId = Required(body, "teamId");
        var keyId = Required(body, "keyId");
        foreach (var (name, value) in new[] { ("teamId", teamId), ("keyId", keyId) })
        {
            if (value.Length != 10 || !value.All(char.IsAsciiLetterOrDigit))
                throw new CredentialException($"'{name}' must be Apple's 10-character identifier (letters and digits).");
        }
        var privateKey = Required(body, "privateKey");
        using (KeyMaterial.LoadP256(privateKey, "'privateKey'"))
        {
        }
        var bundleId = Required(body, "bundleId");
        var environment = Text(body, "environment") ?? ApnsCredentials.Production;
        if (environment is not (ApnsCredentials.Production or ApnsCredentials.Sandbox))
            throw new CredentialException("'environment' must be 'production' or 'sandbox'.");
        return new ApnsCredentials(teamId, keyId, privateKey, bundleId, environment);
    }

    private static WebPushCredentials WebPush(JsonObject body)
    {
        var subject = Required(body, "subject");
        if (!subject.StartsWith("mailto:", StringComparison.Ordinal) && !(subject.StartsWith("https:", StringComparison.Ordinal) && IsHttpUrl(subject)))
            throw new CredentialException("'subject' must be a 'mailto:' address or an 'https:' URL (RFC 8292).");
        var publicKey = Required(body, "publicKey");
        var privateKey = Required(body, "privateKey");
        using (KeyMaterial.LoadVapid(publicKey, privateKey))
        {
        }
        return new WebPushCredentials(subject, publicKey.Trim().TrimEnd('='), privateKey.Trim().TrimEnd('='));
    }

    private static SmtpCredentials Smtp(JsonObject body)
    {
        var host = Required(body, "host");
        var port = 587;
        if (body["port"] is { } portNode)
        {
            if (portNode is not JsonValue v || !v.TryGetValue(out int p) || p is < 1 or > 65535)
                throw new CredentialException("'port' must be a number from 1 to 65535.");
            port = p;
        }
        var security = Text(body, "security") ?? "auto";
        if (security is not ("auto" or "none" or "startTls" or "sslOnConnect"))
            throw new CredentialException("'security' must be 'auto', 'none', 'startTls' or 'sslOnConnect'.");
        var username = Text(body, "username");
        var password = Text(body, "password");
        if ((username is null) != (password is null))
            throw new CredentialException("'username' and 'password' go together: give both, or neither.");
        var from = Required(body, "fromAddress");
        if (!MailboxAddress.TryParse(from, out var mailbox) || !mailbox.Address.Contains('@', StringComparison.Ordinal))
            throw new CredentialException("'fromAddress' must be an email address.");
        return new SmtpCredentials(host, port, security, username, password, mailbox.Address, Text(body, "fromName"));
    }

    private static WebhookCredentials Webhook(JsonObject body)
    {
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (body["headers"] is { } node)
        {
            if (node is not JsonObject o)
                throw new CredentialException("'headers' must be an object of header names and values.");
            foreach (var (name, value) in o)
            {
                if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal)))
                    throw new CredentialException($"'{name}' is not an HTTP header name.");
                if (value is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>().Any(c => c is '\r' or '\n'))
                    throw new CredentialException($"The header '{name}' must have a one-line text value.");
                headers[name] = v.GetValue<string>();
            }
        }
        return new WebhookCredentials(headers);
    }

    private static JsonObject ParseObject(string text, string what)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new CredentialException($"{what} must be a JSON object.");
        }
        catch (JsonException)
        {
            throw new CredentialException($"{what} is not valid JSON.");
        }
    }

    private static string Required(JsonObject o, string name, string? where = null) =>
        Text(o, name) ?? throw new CredentialException(where is null ? $"'{name}' is required." : $"'{name}' is missing from {where}.");

    private static string? Text(JsonObject o, string name) => o[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && !string.IsNullOrWhiteSpace(v.GetValue<string>()) => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => null,
        _ => throw new CredentialException($"'{name}' must be text."),
    };

    private static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
