using System.Collections.Frozen;
using QuickTry.Api.Languages;

namespace QuickTry.Api.Piston;

/// <summary>QuickTry's languages as Piston's runtimes: its names for them, and the lookup by name and version range.</summary>
public static class PistonRuntimes
{
    /// <summary>
    /// Piston's names for the languages both have, where QuickTry calls them otherwise. Clients look runtimes
    /// up by these exact names (piston-client picks the version from the entry whose <c>language</c> equals
    /// what it was asked for), so <c>/runtimes</c> must list them; each is also a QuickTry alias.
    /// </summary>
    private static readonly FrozenDictionary<string, string> PistonNames = new Dictionary<string, string>
    {
        ["python3"] = "python",
        ["cpp"] = "c++",
        ["commonlisp"] = "lisp",
        ["r"] = "rscript",
        ["sqlite"] = "sqlite3",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The name Piston gives <paramref name="language"/> (its QuickTry name when the two agree).</summary>
    public static string PistonName(LanguageInfo language) => PistonNames.GetValueOrDefault(language.Language, language.Language);

    /// <summary>
    /// The runtimes Piston's <c>GET /api/v2/runtimes</c> would list: languages whose image is present and whose
    /// version is known, one per version, named as Piston names them with their language's aliases.
    /// </summary>
    public static IReadOnlyList<PistonRuntime> List(IReadOnlyList<LanguageInfo> languages) =>
    [
        .. languages
            .Where(l => l.Available && PistonVersions.Coerce(l.Version) is not null)
            .Select(l => new PistonRuntime(
                PistonName(l),
                PistonVersions.Coerce(l.Version)!.ToString(),
                [.. AliasesOf(languages, l).Where(a => !string.Equals(a, PistonName(l), StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase)]))
            .OrderBy(r => r.Language, StringComparer.Ordinal)
            .ThenByDescending(r => r.Version, LanguageVersions.Comparer),
    ];

    /// <summary>Every name a version answers to: its language's name and aliases (declared by the language's own folder).</summary>
    private static IEnumerable<string> AliasesOf(IReadOnlyList<LanguageInfo> languages, LanguageInfo version) =>
        languages.Where(l => l.Name == version.Language).SelectMany(l => l.Aliases).Prepend(version.Language);

    /// <summary>
    /// The language <paramref name="nameOrAlias"/> names whose version is in <paramref name="range"/> (the highest,
    /// were there several), among those <see cref="List"/> shows; null for Piston's "runtime is unknown".
    /// </summary>
    public static LanguageInfo? Find(IReadOnlyList<LanguageInfo> languages, string nameOrAlias, string range)
    {
        var named = LanguageDirectory.Find(languages, nameOrAlias)
            ?? languages.FirstOrDefault(l => string.Equals(PistonName(l), nameOrAlias, StringComparison.OrdinalIgnoreCase));
        if (named is null)
        {
            return null;
        }
        return languages
            .Where(l => l.Language == named.Language && l.Available && PistonVersions.Satisfies(l.Version, range))
            .OrderByDescending(l => l.Version, LanguageVersions.Comparer)
            .FirstOrDefault();
    }
}
