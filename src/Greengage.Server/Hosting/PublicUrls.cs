using Microsoft.Extensions.Options;

namespace Greengage.Server.Hosting;

/// <summary>
/// Builds the absolute URLs the server hands out: from <c>Greengage:PublicBaseUrl</c> when set (TLS terminated by a
/// proxy, or a public host name), else from the request as the forwarded headers describe it.
/// </summary>
public sealed class PublicUrls(IOptions<GreengageOptions> options)
{
    public string Base(HttpContext http)
    {
        if (options.Value.PublicBaseUrl is { } configured)
            return configured.ToString().TrimEnd('/');
        return $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
    }

    public string Api(HttpContext http) => Base(http) + "/api";
}
