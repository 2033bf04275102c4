using Microsoft.AspNetCore.Http.HttpResults;
using QuickTry.Api.Extensions;

namespace QuickTry.Api.Languages;

public static class LanguagesApi
{
    public static RouteGroupBuilder MapLanguagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/languages").WithTags("Languages");
        group.MapGet("", GetLanguagesAsync)
            .WithName("GetLanguages")
            .WithSummary("Every installed language: name, version, aliases, whether it is compiled, default limits.");
        return group;
    }

    public static async Task<Results<Ok<IReadOnlyList<LanguageInfo>>, ProblemHttpResult>> GetLanguagesAsync(
        LanguageDirectory languages, HttpContext context, CancellationToken cancellationToken)
    {
        var list = await languages.GetAsync(cancellationToken);
        if (list is null)
        {
            return Refusal.Unavailable(TimeSpan.FromSeconds(5), "The executor is unavailable.").ToResult(context.Response);
        }
        return TypedResults.Ok(list);
    }
}
