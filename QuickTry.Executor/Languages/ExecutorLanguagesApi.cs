using QuickTry.Sandbox.Pool;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Languages;

public static class ExecutorLanguagesApi
{
    public static RouteGroupBuilder MapExecutorLanguagesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/languages").WithTags("Languages");
        group.MapGet("", GetLanguages)
            .WithName("GetLanguages")
            .WithSummary("Every language this executor knows, with the version its image was built with.");
        return group;
    }

    public static IResult GetLanguages(LanguageCatalog catalog, ContainerPool pool, RunValidator validator)
    {
        var status = pool.Status().ToDictionary(s => s.Language);
        return TypedResults.Ok(catalog.All.Select(l => new LanguageInfo(
            l.Name,
            l.DisplayName ?? l.Name,
            status.GetValueOrDefault(l.Name)?.Version ?? LanguageVersions.Unknown,
            l.Aliases,
            l.IsCompiled,
            l.SourceFile,
            status.GetValueOrDefault(l.Name)?.ImagePresent ?? false,
            validator.DefaultsFor(l),
            validator.Ceilings,
            l.Example,
            l.Family,
            l.Libraries)
        {
            Runtime = validator.RuntimeOf(l),
            LimitsByRuntime = validator.Runtimes.ToDictionary(r => r, r => validator.DefaultsFor(l, r)),
        }).ToList());
    }
}
