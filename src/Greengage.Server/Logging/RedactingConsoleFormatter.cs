using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Greengage.Server.Logging;

/// <summary>
/// The console log format, with client keys and the admin token removed from every line (ARCHITECTURE decision 10:
/// the JS SDK puts keys in query strings, which hosting logs would otherwise print).
/// </summary>
public sealed partial class RedactingConsoleFormatter() : ConsoleFormatter(Name)
{
    public new const string Name = "greengage";

    public override void Write<TState>(in LogEntry<TState> logEntry, Microsoft.Extensions.Logging.IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
            return;
        var level = logEntry.LogLevel switch
        {
            LogLevel.Trace => "trce",
            LogLevel.Debug => "dbug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "fail",
            LogLevel.Critical => "crit",
            _ => "none",
        };
        textWriter.Write(level);
        textWriter.Write(": ");
        textWriter.Write(logEntry.Category);
        textWriter.Write('[');
        textWriter.Write(logEntry.EventId.Id);
        textWriter.WriteLine(']');
        textWriter.Write("      ");
        textWriter.WriteLine(Redact(message ?? ""));
        if (logEntry.Exception is { } e)
            textWriter.WriteLine(Redact(e.ToString()));
    }

    /// <summary>Replaces key values in query strings, JSON and free text.</summary>
    public static string Redact(string text)
    {
        text = KeyParameter().Replace(text, m => m.Groups[1].Value + "[redacted]");
        return KeyToken().Replace(text, m => m.Groups[1].Value + "[redacted]");
    }

    [GeneratedRegex("""((?:clientKey|clientkey|client_key)["']?\s*[=:]\s*["']?)[^&\s"',}]+""", RegexOptions.CultureInvariant)]
    private static partial Regex KeyParameter();

    [GeneratedRegex(@"\b((?:prod|dev|exp|cro|adm)_)[A-Za-z0-9]{25}\b", RegexOptions.CultureInvariant)]
    private static partial Regex KeyToken();
}
