using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace QuickTry.Api.Extensions;

/// <summary>
/// A request refused before anything ran, in one form. Each way of answering it is made from this at the
/// edge (problem details over HTTP, an <c>error</c> message on a WebSocket, a word to a Piston client), so
/// no caller reads a refusal back out of an HTTP result or its headers. <c>Retry-After</c> is whole seconds,
/// rounded up, at least 1: computed here only.
/// </summary>
/// <param name="Errors">For a 400: the invalid fields and why.</param>
/// <param name="Type">The problem type URI.</param>
/// <param name="Reason">For a 410 on a session: why it ended (one of <see cref="SessionEndReasons"/>).</param>
public sealed record Refusal(int StatusCode, string Title, string? Detail = null, TimeSpan? RetryAfter = null,
    IDictionary<string, string[]>? Errors = null, string? Type = null, string? Reason = null)
{
    public static Refusal Invalid(IDictionary<string, string[]> errors, string title = "The run request is invalid.") =>
        new(StatusCodes.Status400BadRequest, title, Errors: errors);

    /// <summary>Overload or a failure behind the gateway: nothing ran, try again after <paramref name="retryAfter"/>.</summary>
    public static Refusal Unavailable(TimeSpan retryAfter, string title) =>
        new(StatusCodes.Status503ServiceUnavailable, title, $"Retry after {Seconds(retryAfter)} s.", retryAfter,
            Type: "https://quicktry.dev/problems/unavailable");

    /// <summary>A rate limit: the request was not let in.</summary>
    public static Refusal RateLimited(TimeSpan retryAfter, string title) =>
        new(StatusCodes.Status429TooManyRequests, title, $"Retry after {Seconds(retryAfter)} s.", retryAfter,
            Type: "https://quicktry.dev/problems/rate-limited");

    /// <summary>A wait as <c>Retry-After</c> gives it: whole seconds, rounded up, at least 1.</summary>
    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <summary>The HTTP answer: problem details, with <c>Retry-After</c> set on <paramref name="response"/> when there is a wait.</summary>
    public ProblemHttpResult ToResult(HttpResponse response)
    {
        if (RetryAfter is { } wait)
        {
            response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
        }
        var problem = Errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(Errors);
        problem.Status = StatusCode;
        problem.Title = Title;
        problem.Detail = Detail;
        problem.Type = Type;
        if (Reason is not null)
        {
            problem.Extensions["reason"] = Reason;
        }
        return TypedResults.Problem(problem);
    }

    /// <summary>The answer on a live run's socket.</summary>
    public LiveMessage ToMessage() => LiveMessage.Refused(StatusCode, Title, Detail, RetryAfter, Errors);
}
