using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;

namespace QuickTry.Api.Mcp;

/// <summary>
/// <c>/mcp</c>: the Model Context Protocol over Streamable HTTP, stateless (any replica answers any request,
/// as for <c>/run</c>). Callers are known by their API key, sent as <c>X-Api-Key</c> or
/// <c>Authorization: Bearer</c>; anonymous ones only where <see cref="McpOptions.AllowAnonymous"/> says so.
/// </summary>
public static class McpEndpoint
{
    public const string Path = "/mcp";

    public static IHostApplicationBuilder AddMcp(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<McpOptions>().Bind(builder.Configuration.GetSection(McpOptions.Section)).ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddMcpServer()
            .WithHttpTransport(transport => transport.Stateless = true)
            .WithTools<CodeTools>()
            .WithTools<SessionTools>();
        return builder;
    }

    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<McpOptions>>().Value.Enabled)
        {
            // Not behind the HTTP rate limiter: its 429 would reach the agent as a broken transport. A run
            // spends the caller's run bucket inside the tool instead, and a refusal is a tool error it can act
            // on; protocol messages and the language list cost no more than GET /languages.
            app.MapMcp(Path).WithTags("MCP");
        }
        return app;
    }
}

/// <summary>Refuses callers without an API key on <c>/mcp</c> (401, naming the headers) unless the operator allows them.</summary>
internal sealed class McpAccessMiddleware(RequestDelegate next, IOptions<McpOptions> options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments(McpEndpoint.Path) && !options.Value.AllowAnonymous && !context.Client().HasApiKey)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(
                title: "An API key is required.",
                detail: $"Send your key as '{ClientResolver.ApiKeyHeader}: <key>' or 'Authorization: Bearer <key>'. "
                    + "The operator can open /mcp to anonymous callers with Mcp:AllowAnonymous.",
                statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context);
            return;
        }
        await next(context);
    }
}
