using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QuickTry.Protocol;

namespace QuickTry.Executor.Runs;

/// <summary>
/// The executor's internal endpoint, called by QuickTry.Api. Not for the public: it has no rate limits
/// or quotas of its own; those are the gateway's job.
/// </summary>
public static class ExecutorRunApi
{
    public static RouteGroupBuilder MapExecutorRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Runs");
        group.MapPost("/execute", ExecuteAsync)
            .WithName("Execute")
            .WithSummary("Runs code in a sandbox and returns its result.");
        return group;
    }

    public static async Task<Results<Ok<RunResult>, ValidationProblem, ProblemHttpResult>> ExecuteAsync(
        RunRequest request, RunService runs, ExecutorIdentity identity, HttpContext context, CancellationToken cancellationToken)
    {
        if (!TryReadPlan(context.Request, out var client, out var plan, out var problem))
        {
            return TypedResults.Problem(problem!);
        }
        var outcome = await runs.ExecuteAsync(request, client, plan, cancellationToken);
        switch (outcome)
        {
            case RunOutcome.Completed completed:
                return TypedResults.Ok(completed.Result with { Executor = identity.Name });
            case RunOutcome.Invalid invalid:
                return TypedResults.ValidationProblem(invalid.Errors, title: "The run request is invalid.");
            case RunOutcome.Busy busy:
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    title: "The executor is busy.",
                    detail: "Every sandbox slot is taken and the queue is full. Retry after the time in Retry-After.",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    type: "https://quicktry.dev/problems/busy");
            case RunOutcome.Unavailable unavailable:
                context.Response.Headers.RetryAfter = ((int)Math.Ceiling(unavailable.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    title: "The executor cannot run sandboxes right now.",
                    detail: $"Nothing ran: {unavailable.Reason}. Retry after the time in Retry-After.",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    type: "https://quicktry.dev/problems/unavailable");
            case RunOutcome.NotStarted:
            default:
                throw new InvalidOperationException($"Unexpected outcome {outcome.GetType().Name}.");
        }
    }

    /// <summary>The gateway's headers: who the run is for and what the caller's plan asks of the sandbox.</summary>
    internal static bool TryReadPlan(HttpRequest request, out string? client, out PlanSandbox plan, out ProblemDetails? problem)
    {
        client = request.Headers[RunHeaders.Client].ToString() is { Length: > 0 } name ? name : null;
        var read = PlanWire.TryRead(request.Headers[RunHeaders.Isolation].ToString(), request.Headers[RunHeaders.Runtime].ToString(), out plan, out var error);
        problem = read ? null : new ProblemDetails
        {
            Title = "The gateway asked for a runtime that is not a runtime name.",
            Detail = $"{RunHeaders.Runtime}: {error}",
            Status = StatusCodes.Status400BadRequest,
        };
        return read;
    }
}
