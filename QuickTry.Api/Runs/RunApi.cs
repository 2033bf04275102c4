using System.Diagnostics;
using System.Globalization;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.Live;
using QuickTry.Api.Queue;
using QuickTry.Api.Quotas;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Telemetry;

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
        RunGate gate,
        RunDispatcher dispatcher,
        ApiTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        var client = context.Client();
        Activity.Current?.SetTag("quicktry.client", client.DisplayName);
        var (request, error) = await reader.ReadAsync<RunRequest>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var (ticket, refusal) = await gate.PassAsync(context, client, request!, cancellationToken);
        if (ticket is null)
        {
            return refusal!;
        }
        var (executorRequest, language, reservation) = ticket;

        // The run id is the trace id, so a user's report leads straight to the trace.
        var runId = Activity.Current?.TraceId.ToHexString() ?? Guid.CreateVersion7().ToString("N");
        var events = ServerSentEventsWriter.IsWanted(context.Request) ? new ServerSentEventsWriter(context.Response) : null;
        var answer = events is null
            ? await dispatcher.RunAsync(executorRequest, runId, client, language, cancellationToken)
            : await dispatcher.RunLiveAsync(executorRequest, runId, client, language, events, stdin: null, cancellationToken);
        if (answer is ExecutorAnswer.Completed completed)
        {
            // Settling only returns unused reservation: it need not hold up the response.
            context.Response.OnCompleted(() => gate.SettleAsync(reservation, completed.Result));
            Activity.Current?.SetTag("quicktry.run.id", completed.Result.RunId);
            Activity.Current?.SetTag("quicktry.run.status", completed.Result.Status.ToWireName());
            if (events is null)
            {
                return TypedResults.Ok(completed.Result);
            }
            await events.ResultAsync(completed.Result, cancellationToken);
            return TypedResults.Empty;
        }

        // Nothing ran: give the reservation back.
        await gate.SettleAsync(reservation, null);
        telemetry.Rejected(answer is ExecutorAnswer.Busy ? "busy" : answer is ExecutorAnswer.Invalid ? "invalid" : "unavailable");
        Activity.Current?.SetStatus(ActivityStatusCode.Error, answer.GetType().Name.ToLowerInvariant());
        return answer switch
        {
            ExecutorAnswer.Invalid invalid => TypedResults.ValidationProblem(invalid.Errors, title: "The run request is invalid."),
            ExecutorAnswer.Busy busy => Unavailable(context, busy.RetryAfter, "The executor is busy."),
            ExecutorAnswer.Unavailable down => Unavailable(context, down.RetryAfter, "The executor is unavailable."),
            _ => throw new InvalidOperationException($"Unexpected answer {answer.GetType().Name}."),
        };
    }

    internal static IResult Unavailable(HttpContext context, TimeSpan retryAfter, string title)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, detail: $"Retry after {seconds} s.",
            statusCode: StatusCodes.Status503ServiceUnavailable, type: "https://quicktry.dev/problems/unavailable");
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
