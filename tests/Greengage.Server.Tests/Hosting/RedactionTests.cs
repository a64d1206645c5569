using Greengage.Server.Logging;

namespace Greengage.Server.Tests.Hosting;

public sealed class RedactionTests
{
    [Theory]
    [InlineData("Request starting HTTP/1.1 POST http://h/api?appId=app_1&clientKey=prod_ABCDEFGHIJKLMNOPQRSTUVWXY&action=multi")]
    [InlineData("{\"clientKey\":\"whatever-secret\"}")]
    [InlineData("key dev_ABCDEFGHIJKLMNOPQRSTUVWXY leaked in text")]
    [InlineData("token adm_ABCDEFGHIJKLMNOPQRSTUVWXY")]
    public void Redact_KeysInAnyForm_AreRemoved(string line)
    {
        var redacted = RedactingConsoleFormatter.Redact(line);
        Assert.DoesNotContain("ABCDEFGHIJKLMNOPQRSTUVWXY", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("whatever-secret", redacted, StringComparison.Ordinal);
        Assert.Contains("[redacted]", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_OtherText_IsKept() =>
        Assert.Equal("appId=app_1&action=track", RedactingConsoleFormatter.Redact("appId=app_1&action=track"));
}
