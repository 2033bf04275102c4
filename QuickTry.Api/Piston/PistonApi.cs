using Microsoft.AspNetCore.Http.HttpResults;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Piston;

/// <summary>
/// Piston v2's <c>POST /api/v2/execute</c> and <c>GET /api/v2/runtimes</c>, for the tools that already speak it.
/// A run goes the way of <c>POST /run</c> (same client identity, rate limits, quotas and plans); only the
/// shapes are Piston's, errors included (<c>{"message": ...}</c>, see <see cref="PistonProblemWriter"/>).
/// </summary>
public static class PistonApi
{
    /// <summary>Where Piston's API lives; every error below it is written in Piston's shape.</summary>
    public const string Prefix = "/api/v2";

    public static RouteGroupBuilder MapPistonApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Prefix).WithTags("Piston");
        group.MapPost("/execute", ExecuteAsync)
            .WithName("PistonExecute")
            .WithSummary("Piston v2: runs files in a language and version range; Piston's request and answer.")
            .WithDescription("A program that fails is a 200 with its stage's status (RE, SG, TO, OL, EL, XX); errors are {\"message\": ...}.")
            .RequirePerClientRateLimit()
            .AddEndpointFilter<RateLimitHeadersFilter>()
            .WithRequestBody<PistonExecuteRequest>()
            .Produces<PistonExecuteResponse>()
            .Produces<PistonMessage>(StatusCodes.Status400BadRequest)
            .Produces<PistonMessage>(StatusCodes.Status413PayloadTooLarge)
            .Produces<PistonMessage>(StatusCodes.Status415UnsupportedMediaType)
            .Produces<PistonMessage>(StatusCodes.Status429TooManyRequests)
            .Produces<PistonMessage>(StatusCodes.Status503ServiceUnavailable);
        group.Map("/connect", PistonConnect.RunAsync)
            .WithName("PistonConnect")
            .RequirePerClientRateLimit()
            .ExcludeFromDescription();
        group.MapGet("/runtimes", GetRuntimesAsync)
            .WithName("PistonRuntimes")
            .WithSummary("Piston v2: the languages that can run now, by Piston's names, with version and aliases.")
            .Produces<PistonMessage>(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    public static async Task<IResult> ExecuteAsync(
        HttpContext context,
        RunRequestReader reader,
        LanguageDirectory languages,
        SyncRunner runner,
        CancellationToken cancellationToken)
    {
        // piston-client posts its JSON as text/plain (node-fetch's type for a string body): read that as JSON too.
        var (request, error) = await reader.ReadAsync<PistonExecuteRequest>(context.Request, cancellationToken, alsoPlainText: true);
        if (error is not null)
        {
            return error;
        }
        var (run, language, problem, unavailable) = await TranslateAsync(request!, languages, cancellationToken);
        if (unavailable)
        {
            return Refusal.Unavailable(TimeSpan.FromSeconds(5), "The executor is unavailable.").ToResult(context.Response);
        }
        if (problem is not null)
        {
            return TypedResults.BadRequest(new PistonMessage(problem));
        }
        var (result, refusal) = await runner.RunAsync(context, run!, cancellationToken);
        return result is not null ? TypedResults.Ok(PistonTranslation.ToResponse(result, language!)) : refusal!.ToResult(context.Response);
    }

    /// <summary>
    /// A Piston request as QuickTry's run and its language, or Piston's message for what cannot be
    /// translated (<paramref name="request"/>'s shape, an unknown runtime), or unavailable (no language list).
    /// </summary>
    internal static async Task<(RunRequest? Run, LanguageInfo? Language, string? Problem, bool Unavailable)> TranslateAsync(
        PistonExecuteRequest request, LanguageDirectory languages, CancellationToken cancellationToken)
    {
        if (PistonTranslation.CheckShape(request) is { } shapeError)
        {
            return (null, null, shapeError, false);
        }
        var all = await languages.GetAsync(cancellationToken);
        if (all is null)
        {
            return (null, null, null, true);
        }
        var language = PistonRuntimes.Find(all, request.Language!.Trim(), request.Version!);
        if (language is null)
        {
            return (null, null, $"{request.Language}-{request.Version} runtime is unknown", false);
        }
        var (run, translationError) = PistonTranslation.ToRunRequest(request, language);
        return (run, language, translationError, false);
    }

    public static async Task<Results<Ok<IReadOnlyList<PistonRuntime>>, ProblemHttpResult>> GetRuntimesAsync(
        LanguageDirectory languages, HttpContext context, CancellationToken cancellationToken)
    {
        var list = await languages.GetAsync(cancellationToken);
        if (list is null)
        {
            return Refusal.Unavailable(TimeSpan.FromSeconds(5), "The executor is unavailable.").ToResult(context.Response);
        }
        return TypedResults.Ok(PistonRuntimes.List(list));
    }
}
