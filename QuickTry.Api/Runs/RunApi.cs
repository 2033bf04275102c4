using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Live;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Runs;

/// <summary><c>POST /run</c> (and <c>GET /run</c> with a body): validate, charge the quota, forward, settle.</summary>
public static class RunApi
{
    public static RouteGroupBuilder MapRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/run").WithTags("Runs").RequirePerClientRateLimit();
        group.AddEndpointFilter<RateLimitHeadersFilter>();

        group.MapPost("", RunAsync)
            .WithName("Run")
            .WithSummary("Runs a snippet in a sandbox and returns its output and status.")
            .WithDescription("A program that fails is still a 200 with its status; HTTP errors are for requests that could not run. "
                + "With Accept: text/event-stream the output comes as server-sent events (stdout, stderr) while the program runs, then a result event.")
            // The body is read by RunRequestReader (for its 413/415/400); this only describes it.
            .WithRequestBody<RunRequest>()
            .Produces<RunResult>()
            .Produces(StatusCodes.Status200OK, contentType: ServerSentEventsWriter.MediaType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // The original QuickTry documented `http GET :PORT/run lang=... code=...`: a GET with a JSON body.
        group.MapGet("", RunAsync)
            .WithName("RunWithGet")
            .WithSummary("Same as POST /run, for clients that send the JSON body with GET.")
            .ExcludeFromDescription();
        return group;
    }

    public static async Task<IResult> RunAsync(
        HttpContext context,
        RunRequestReader reader,
        SyncRunner runner,
        InteractiveInputs inputs,
        CancellationToken cancellationToken)
    {
        var (request, error) = await reader.ReadAsync<RunRequest>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        // An event stream may be interactive (?interactive=true): its stdin then comes by POST /run/{id}/stdin.
        var streamed = ServerSentEventsWriter.IsWanted(context.Request);
        var stdin = streamed && string.Equals(context.Request.Query["interactive"], "true", StringComparison.OrdinalIgnoreCase)
            ? LiveSocket.InputChannel() : null;
        var client = context.Client();
        await using var events = streamed
            ? new ServerSentEventsWriter(context.Response, stdin is null ? null : runId => inputs.OpenAsync(runId, client, stdin.Writer))
            : null;
        var (result, refusal) = await runner.RunAsync(context, request!, cancellationToken, events, stdin?.Reader);
        if (result is null)
        {
            return refusal!.ToResult(context.Response);
        }
        if (events is null)
        {
            return TypedResults.Ok(result);
        }
        await events.ResultAsync(result, cancellationToken);
        return TypedResults.Empty;
    }

}

/// <summary>Adds the RateLimit-* headers to every response of the group, errors included.</summary>
internal sealed class RateLimitHeadersFilter(ClientRateLimiters limiters) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var client = http.Client();
        http.Response.OnStarting(() =>
        {
            RateLimitHeaders.Write(http, client, limiters);
            return Task.CompletedTask;
        });
        return next(context);
    }
}
