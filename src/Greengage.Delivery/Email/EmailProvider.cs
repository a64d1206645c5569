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
/// user's unsubscribe link. Connections to the relay are kept and reused (<see cref="SmtpConnectionPool"/>); a reused
/// connection the relay closed meanwhile is replaced once, when none of the message went out over it. SMTP 4xx replies
/// and lost connections are transient; 5xx replies (a refused recipient is a bounce) and refused logins permanent.
/// </summary>
public sealed class EmailProvider(SmtpOptions options, DeliveryCredentialStore credentials, UnsubscribeLinks unsubscribe, TimeProvider time, ILogger<EmailProvider> logger)
    : DeliveryProvider(options, time, logger), IAsyncDisposable
{
    private readonly SmtpConnectionPool _pool = new(options, time);

    public override string Kind => DeliveryKinds.Smtp;

    /// <summary>The connections kept to the apps' relays (for tests).</summary>
    internal SmtpConnectionPool Pool => _pool;

    protected override async Task<DeliveryResult> SendCoreAsync(DeliveryContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (await credentials.GetAsync<SmtpCredentials>(request.AppId, Kind, cancellationToken) is not var (smtp, revision))
            return DeliveryResult.NotConfigured(Kind, request.AppId);
        var to = (EmailAddress)request.Address;
        if (!MailboxAddress.TryParse(to.Address, out var recipient) || !recipient.Address.Contains('@', StringComparison.Ordinal))
            return DeliveryResult.DeadToken($"'{to.Address}' is not an email address.");
        if (to.Name is { } name)
            recipient.Name = name;

        using var message = Message(context, smtp, recipient);
        var relay = new SmtpRelayKey(request.AppId, smtp.Host, smtp.Port, smtp.Security, smtp.Username, revision);
        try
        {
            await SendPooledAsync(relay, smtp, message, cancellationToken);
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
        catch (Exception e) when (IsConnectionLost(e))
        {
            return DeliveryResult.Transient($"SMTP: {e.Message}");
        }
    }

    /// <summary>Sends over a pooled connection, kept for the next send when it went through. A reused connection that
    /// turns out closed before any byte of the message went over it (the relay dropped it while idle) cannot have
    /// delivered it: the message is sent again on a new connection, once.</summary>
    private async Task SendPooledAsync(SmtpRelayKey relay, SmtpCredentials smtp, MimeMessage message, CancellationToken cancellationToken)
    {
        for (var retried = false; ; retried = true)
        {
            using var lease = await _pool.AcquireAsync(relay, smtp, cancellationToken);
            var progress = new DataProgress();
            try
            {
                await lease.Client.SendAsync(message, cancellationToken, progress);
            }
            catch (Exception e) when (!retried && lease.Reused && !progress.Started && IsConnectionLost(e))
            {
                continue;
            }
            lease.Succeeded();
            return;
        }
    }

    private static bool IsConnectionLost(Exception e) =>
        e is SmtpProtocolException or ServiceNotConnectedException or SocketException or IOException;

    /// <summary>Closes the kept connections with QUIT.</summary>
    public async ValueTask DisposeAsync()
    {
        await _pool.DisposeAsync();
        Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _pool.Dispose();
        base.Dispose(disposing);
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

    /// <summary>Whether any byte of the message went out (after that, a lost connection may have delivered it).</summary>
    private sealed class DataProgress : ITransferProgress
    {
        public bool Started { get; private set; }

        public void Report(long bytesTransferred, long totalSize) => Started |= bytesTransferred > 0;

        public void Report(long bytesTransferred) => Started |= bytesTransferred > 0;
    }
}
