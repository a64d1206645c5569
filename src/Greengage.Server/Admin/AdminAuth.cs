using Greengage.Server.Hosting;

namespace Greengage.Server.Admin;

/// <summary>Bearer-token check for every <c>/admin/v1</c> endpoint; failures are RFC 7807 problem details.</summary>
internal sealed class AdminAuth(AdminTokenHolder token) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || !token.Matches(header[scheme.Length..].Trim()))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "Send the admin token as 'Authorization: Bearer <token>'."));
        }
        return next(context);
    }
}
