using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace QuickTry.Api.Extensions;

internal static class OpenApiExtensions
{
    /// <summary>
    /// Documents a JSON request body the handler reads itself. <c>Accepts&lt;T&gt;()</c> would also make
    /// routing answer 415 on its own, before rate limiting and without our problem details.
    /// </summary>
    public static RouteHandlerBuilder WithRequestBody<T>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
