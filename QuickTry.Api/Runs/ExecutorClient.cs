using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using QuickTry.Executor.Languages;
using QuickTry.Executor.Runs;

namespace QuickTry.Api.Runs;

/// <summary>
/// Calls QuickTry.Executor (found by service discovery as <c>http://executor</c>). An execute call is
/// never retried: a run is not idempotent, and a retry could run the user's code twice.
/// </summary>
public sealed class ExecutorClient(HttpClient http, ILogger<ExecutorClient> logger)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Sends one run. Whatever goes wrong on the way (executor down, a connection reset, a timeout, a
    /// body that is not a result) is an answer, never an exception: the gateway turns it into a 503.
    /// </summary>
    /// <param name="plan">What the caller's plan asks of the sandbox (isolation, runtime), where it sets them.</param>
    public async Task<ExecutorAnswer> ExecuteAsync(RunRequest request, string client, PlanSandbox plan, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, "/execute") { Content = JsonContent.Create(request, options: Json) };
            message.Headers.Add(RunHeaders.Client, client);
            if (plan.Isolation is { } isolation)
            {
                message.Headers.Add(RunHeaders.Isolation, isolation.ToWireName());
            }
            if (plan.Runtime is { } runtime)
            {
                message.Headers.Add(RunHeaders.Runtime, runtime);
            }
            using var response = await http.SendAsync(message, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var result = await response.Content.ReadFromJsonAsync<RunResult>(Json, cancellationToken);
                    return result is null ? new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(1)) : new ExecutorAnswer.Completed(result);
                case HttpStatusCode.BadRequest:
                    var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(Json, cancellationToken);
                    return new ExecutorAnswer.Invalid(problem?.Errors ?? new Dictionary<string, string[]>());
                case HttpStatusCode.ServiceUnavailable:
                    return new ExecutorAnswer.Busy(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                default:
                    logger.LogError("The executor answered {Status} to a run", (int)response.StatusCode);
                    return new ExecutorAnswer.Unavailable(UnreachableRetryAfter);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Did the run happen? If the executor died mid-run it may have, but no result exists to
            // report; the caller is told nothing ran for it (503) and is not billed.
            logger.LogWarning(e, "The executor could not be reached or did not answer");
            return new ExecutorAnswer.Unavailable(UnreachableRetryAfter);
        }
    }

    private static readonly TimeSpan UnreachableRetryAfter = TimeSpan.FromSeconds(5);

    public async Task<IReadOnlyList<LanguageInfo>> LanguagesAsync(CancellationToken cancellationToken) =>
        await http.GetFromJsonAsync<List<LanguageInfo>>("/languages", Json, cancellationToken) ?? [];
}

public abstract record ExecutorAnswer
{
    private ExecutorAnswer() { }

    public sealed record Completed(RunResult Result) : ExecutorAnswer;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : ExecutorAnswer;

    public sealed record Busy(TimeSpan RetryAfter) : ExecutorAnswer;

    public sealed record Unavailable(TimeSpan RetryAfter) : ExecutorAnswer;
}
