using System.Net.Sockets;
using Greengage.Delivery.Credentials;
using Greengage.Delivery.Push;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Greengage.Delivery.Email;

/// <summary>The names of the email message values (docs/delivery.md).</summary>
public static class EmailValues
{
    public const string Subject = "Subject";

    /// <summary>The HTML body.</summary>
    public const string Html = "HTML";

    /// <summary>The plain-text body.</summary>
    public const string Text = "Text";

    /// <summary>The sender's display name (default: the app's <c>fromName</c>).</summary>
    public const string FromName = "From name";

    public const string ReplyTo = "Reply to";
}

/// <summary>
/// Email over SMTP (MailKit) with the app's relay: a multipart message (text and HTML), <c>Message-ID</c> from the
/// occurrence id, and <c>List-Unsubscribe</c> (with one-click <c>List-Unsubscribe-Post</c>, RFC 8058) pointing at the
/// user's unsubscribe link. SMTP 4xx replies and lost connections are transient; 5xx replies (a refused recipient is a
/// bounce) and refused logins permanent.
/// </summary>
public sealed class EmailProvider(SmtpOptions options, DeliveryCredentialStore credentials, UnsubscribeLinks unsubscribe, TimeProvider time, ILogger<EmailProvider> logger)
    : DeliveryProvider(options, time, logger)
{
    public override string Kind => DeliveryKinds.Smtp;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (await credentials.GetAsync<SmtpCredentials>(request.AppId, Kind, cancellationToken) is not var (smtp, _))
            return DeliveryResult.NotConfigured(Kind, request.AppId);
        var to = (EmailAddress)request.Address;
        if (!MailboxAddress.TryParse(to.Address, out var recipient) || !recipient.Address.Contains('@', StringComparison.Ordinal))
            return DeliveryResult.DeadToken($"'{to.Address}' is not an email address.");
        if (to.Name is { } name)
            recipient.Name = name;

        using var message = Message(context, smtp, recipient);
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, Security(smtp.Security), cancellationToken);
            if (smtp.Username is { } username)
                await client.AuthenticateAsync(username, smtp.Password ?? "", cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return DeliveryResult.Sent(message.MessageId, 250);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var reason = $"The SMTP server answered {code}: {e.Message}";
            if (e.ErrorCode == SmtpErrorCode.RecipientNotAccepted && code >= 500)
                return DeliveryResult.Permanent("Bounce: " + reason, code);
            return code is >= 400 and < 500 ? DeliveryResult.Transient(reason, null, code) : DeliveryResult.Permanent(reason, code);
        }
        catch (AuthenticationException e)
        {
            return DeliveryResult.Permanent($"The SMTP server refused the app's login: {e.Message}");
        }
        catch (Exception e) when (e is SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException)
        {
            return DeliveryResult.Transient($"SMTP: {e.Message}");
        }
    }

    /// <summary>The message as sent: from the app's sender, to the user, subject, text and HTML parts, Message-ID and
    /// the unsubscribe headers.</summary>
    internal MimeMessage Message(DeliveryContext context, SmtpCredentials smtp, MailboxAddress recipient)
    {
        var request = context.Request;
        var values = context.Values;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(PushContent.TextOf(values[EmailValues.FromName]) ?? smtp.FromName ?? "", smtp.FromAddress));
        message.To.Add(recipient);
        if (PushContent.TextOf(values[EmailValues.ReplyTo]) is { } replyTo && MailboxAddress.TryParse(replyTo, out var replyAddress))
            message.ReplyTo.Add(replyAddress);
        message.Subject = PushContent.TextOf(values[EmailValues.Subject]) ?? "";
        message.Date = context.SentAt;
        var domain = smtp.FromAddress[(smtp.FromAddress.LastIndexOf('@') + 1)..];
        message.MessageId = $"{request.OccurrenceId}@{domain}";
        message.Headers.Add("X-Greengage-Message", request.MessageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (unsubscribe.For(request.AppId, request.Personalization.UserId, request.MessageId) is { } link)
        {
            message.Headers.Add("List-Unsubscribe", $"<{link}>");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        var body = new BodyBuilder
        {
            TextBody = PushContent.TextOf(values[EmailValues.Text]),
            HtmlBody = PushContent.TextOf(values[EmailValues.Html]),
        };
        if (body.TextBody is null && body.HtmlBody is null)
            body.TextBody = "";
        message.Body = body.ToMessageBody();
        return message;
    }

    private static SecureSocketOptions Security(string security) => security switch
    {
        "none" => SecureSocketOptions.None,
        "startTls" => SecureSocketOptions.StartTls,
        "sslOnConnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
