using System.Diagnostics;
using System.Globalization;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.Quotas;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Telemetry;
using QuickTry.Executor.Languages;
using QuickTry.Executor.Runs;

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
            .WithDescription("A program that fails is still a 200 with its status; HTTP errors are for requests that could not run.")
            // The body is read by RunRequestReader (for its 413/415/400); this only describes it.
            .WithRequestBody<PublicRunRequest>()
            .Produces<RunResult>()
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
        LanguageDirectory languages,
        IQuotaStore quotas,
        ExecutorClient executor,
        ApiTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        var client = context.Client();
        Activity.Current?.SetTag("quicktry.client", client.DisplayName);
        var (request, error) = await reader.ReadAsync(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        var (language, errors) = await ValidateAsync(request!, languages, cancellationToken);
        if (errors is not null)
        {
            return TypedResults.ValidationProblem(errors, title: "The run request is invalid.");
        }
        if (language is null)
        {
            return Unavailable(context, TimeSpan.FromSeconds(5), "The executor is unavailable.");
        }

        // Limits outside their bounds are a 400 before anything is priced: a request above a ceiling must
        // not be told its quota is exhausted.
        var limitErrors = LimitRules.Violations(request!.Limits, language.MaxLimits)
            .GroupBy(v => v.Field).ToDictionary(g => g.Key, g => g.Select(v => v.Error).ToArray());
        if (limitErrors.Count > 0)
        {
            return TypedResults.ValidationProblem(limitErrors, title: "The run request is invalid.");
        }

        var reserveMs = ReserveMs(request, language);
        QuotaDecision decision;
        using (var check = ApiTelemetry.Source.StartActivity("quota.reserve"))
        {
            // The rate limiter already let this request through; the quota decides now.
            check?.SetTag("quicktry.client", client.DisplayName);
            check?.SetTag("quicktry.plan", client.PlanName);
            check?.SetTag("quicktry.language", language.Name);
            check?.SetTag("quicktry.quota.reserve_ms", reserveMs);
            decision = await quotas.ReserveAsync(client, reserveMs, cancellationToken);
            check?.SetTag("quicktry.quota.decision", decision is QuotaDecision.Granted ? "granted" : "exhausted");
            check?.SetTag("quicktry.quota.runs_used", decision.Usage.Runs);
            check?.SetTag("quicktry.quota.run_ms_used", decision.Usage.RunMs);
            if (decision is QuotaDecision.Exhausted)
            {
                check?.SetStatus(ActivityStatusCode.Error, "quota exhausted");
            }
        }
        if (decision is QuotaDecision.Exhausted exhausted)
        {
            telemetry.Rejected("quota");
            Activity.Current?.SetStatus(ActivityStatusCode.Error, "quota exhausted");
            var seconds = Math.Max(1, (int)Math.Ceiling(exhausted.Usage.ResetsIn.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(
                title: $"Quota exhausted: {exhausted.What}.",
                detail: $"This client's {exhausted.What} quota for the current window is used up (plan '{client.PlanName}'). It resets in {seconds} s; GET /quota shows the details.",
                statusCode: StatusCodes.Status429TooManyRequests,
                type: "https://quicktry.dev/problems/quota-exhausted");
        }
        var reservation = ((QuotaDecision.Granted)decision).Reservation;

        var answer = await executor.ExecuteAsync(request.ToExecutorRequest(language.Name), client.DisplayName, client.Plan.Sandbox, cancellationToken);
        if (answer is ExecutorAnswer.Completed completed)
        {
            // An internal error is ours (the engine failed mid-run), not the caller's: it is not billed.
            var billed = completed.Result.Status != RunStatus.InternalError;
            var used = billed ? completed.Result.WallTimeMs + (completed.Result.Compile?.WallTimeMs ?? 0) : 0;
            // Settling only returns unused reservation: it need not hold up the response.
            context.Response.OnCompleted(() => SettleAsync(quotas, reservation, (long)Math.Ceiling(used), countRun: billed));
            Activity.Current?.SetTag("quicktry.run.id", completed.Result.RunId);
            Activity.Current?.SetTag("quicktry.run.status", completed.Result.Status.ToWireName());
            return TypedResults.Ok(completed.Result);
        }

        // Nothing ran: give the reservation back.
        await SettleAsync(quotas, reservation, 0, countRun: false);
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

    private static async Task SettleAsync(IQuotaStore quotas, QuotaReservation reservation, long usedMs, bool countRun)
    {
        using var activity = ApiTelemetry.Source.StartActivity("quota.settle");
        activity?.SetTag("quicktry.quota.used_ms", usedMs);
        activity?.SetTag("quicktry.quota.counted", countRun);
        await quotas.SettleAsync(reservation, usedMs, countRun, CancellationToken.None);
    }

    /// <summary>What the gateway checks itself: enough to pick the language and reserve quota.</summary>
    private static async Task<(LanguageInfo?, Dictionary<string, string[]>?)> ValidateAsync(
        PublicRunRequest request, LanguageDirectory languages, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (!string.IsNullOrWhiteSpace(request.Lang) && !string.IsNullOrWhiteSpace(request.Language)
            && !string.Equals(request.Lang, request.Language, StringComparison.OrdinalIgnoreCase))
        {
            errors["lang"] = ["'lang' and 'language' disagree; send one of them."];
        }
        if (!string.IsNullOrEmpty(request.Stdin) && !string.IsNullOrEmpty(request.Params) && request.Stdin != request.Params)
        {
            errors["stdin"] = ["'stdin' and 'params' disagree; send one of them."];
        }
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            errors["code"] = ["Code is required and must not be empty."];
        }
        LanguageInfo? language = null;
        if (string.IsNullOrWhiteSpace(request.EffectiveLang))
        {
            errors["lang"] = ["A language is required ('lang')."];
        }
        else
        {
            var all = await languages.GetAsync(cancellationToken);
            if (all is null)
            {
                return (null, errors.Count > 0 ? errors : null);
            }
            language = LanguageDirectory.Find(all, request.EffectiveLang.Trim());
            if (language is null)
            {
                errors["lang"] = [$"Unknown language '{Shorten(request.EffectiveLang)}'. Valid: {string.Join(", ", all.Select(l => l.Name))}."];
            }
        }
        return (language, errors.Count > 0 ? errors : null);
    }

    /// <summary>A run's worst case: its time limit, plus its compile limit for compiled languages.</summary>
    private static long ReserveMs(PublicRunRequest request, LanguageInfo language)
    {
        var defaults = language.Limits;
        var run = Math.Max(1, request.Limits?.TimeMs ?? defaults.TimeMs);
        var compile = language.Compiled ? Math.Max(1, request.Limits?.CompileTimeMs ?? defaults.CompileTimeMs) : 0;
        return (long)run + compile;
    }

    private static IResult Unavailable(HttpContext context, TimeSpan retryAfter, string title)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(title: title, detail: $"Retry after {seconds} s.",
            statusCode: StatusCodes.Status503ServiceUnavailable, type: "https://quicktry.dev/problems/unavailable");
    }

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
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
