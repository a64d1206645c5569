using System.Net;
using System.Net.Http.Headers;

namespace Greengage.Delivery.Http;

/// <summary>The classification every HTTP provider shares: 408, 429 and 5xx are transient (with the
/// <c>Retry-After</c> the provider sent), other 4xx permanent.</summary>
internal static class HttpOutcomes
{
    public static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The wait <c>Retry-After</c> asks for (seconds or an HTTP date), or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
            return null;
        if (header.Delta is { } delta)
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>A transient or permanent result for a failed response, by its status alone.</summary>
    public static DeliveryResult Failure(HttpResponseMessage response, string what, TimeProvider time)
    {
        var status = (int)response.StatusCode;
        return IsTransient(response.StatusCode)
            ? DeliveryResult.Transient($"{what} answered {status}.", RetryAfter(response, time), status)
            : DeliveryResult.Permanent($"{what} answered {status}.", status);
    }

    /// <summary>The start of a response body for a reason text (providers' error bodies are short JSON).</summary>
    public static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length <= 500 ? text : text[..500];
    }

    /// <summary>A handler for provider calls: pooled connections renewed every few minutes (DNS changes are seen), no
    /// cookies, no redirects (a provider that redirects a send is misconfigured).</summary>
    public static SocketsHttpHandler Handler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        UseCookies = false,
        AllowAutoRedirect = false,
        EnableMultipleHttp2Connections = true,
    };

    public static HttpClient Client(HttpMessageHandler handler) => new(handler, disposeHandler: true)
    {
        Timeout = Timeout.InfiniteTimeSpan,
        DefaultRequestHeaders = { UserAgent = { new ProductInfoHeaderValue("Greengage", "1.0") } },
    };
}
