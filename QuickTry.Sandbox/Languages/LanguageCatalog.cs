using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Languages;

/// <summary>
/// Every language found under the languages folder, looked up by name or alias (case-insensitive).
/// A language is a folder with a <c>language.json</c>, so adding one touches only that folder.
/// </summary>
public sealed class LanguageCatalog
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly FrozenDictionary<string, LanguageDefinition> _byNameOrAlias;
    private readonly FrozenDictionary<string, IReadOnlyList<LanguageDefinition>> _versions;

    public LanguageCatalog(IEnumerable<LanguageDefinition> languages)
    {
        All = [.. languages.OrderBy(l => l.Name, StringComparer.Ordinal)];
        var map = new Dictionary<string, LanguageDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (var language in All)
        {
            if (language.VersionOf is { } of
                && !All.Any(l => l.Name == of && l.VersionOf is null))
            {
                throw new InvalidOperationException(
                    $"Language '{language.Name}' is a version of '{of}', which is not a language folder of its own.");
            }
            foreach (var key in language.Aliases.Prepend(language.Name))
            {
                if (!map.TryAdd(key, language) && map[key] != language)
                {
                    throw new InvalidOperationException(
                        $"Languages '{map[key].Name}' and '{language.Name}' both claim the name or alias '{key}'.");
                }
            }
        }
        _byNameOrAlias = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _versions = All.GroupBy(l => l.Family, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<LanguageDefinition>)[.. g], StringComparer.Ordinal);
    }

    public IReadOnlyList<LanguageDefinition> All { get; }

    public bool TryFind(string nameOrAlias, out LanguageDefinition language) =>
        _byNameOrAlias.TryGetValue(nameOrAlias, out language!);

    /// <summary>
    /// A language version's test cases (<c>test/&lt;case&gt;/</c> folders): its own, and its language's for the
    /// cases it has none of, so a version needs only the programs that differ (a snippet of its new features).
    /// </summary>
    public IReadOnlyList<string> TestCasesOf(LanguageDefinition language)
    {
        var own = CaseFolders(language.Directory);
        if (language.VersionOf is null || !TryFind(language.VersionOf, out var of))
        {
            return [.. own.Values];
        }
        foreach (var (name, folder) in CaseFolders(of.Directory))
        {
            own.TryAdd(name, folder);
        }
        return [.. own.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => c.Value)];
    }

    private static SortedDictionary<string, string> CaseFolders(string directory)
    {
        var tests = Path.Combine(directory, "test");
        var cases = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (System.IO.Directory.Exists(tests))
        {
            foreach (var folder in System.IO.Directory.EnumerateDirectories(tests))
            {
                cases[Path.GetFileName(folder)] = folder;
            }
        }
        return cases;
    }

    /// <summary>Every version of <paramref name="language"/>'s language, itself included.</summary>
    public IReadOnlyList<LanguageDefinition> VersionsOf(LanguageDefinition language) => _versions[language.Family];

    /// <summary>
    /// The language a request names, at the version it asks for (see <see cref="LanguageVersions"/>). The
    /// language's own name or an alias picks among all its versions; a version's folder name picks that one.
    /// <paramref name="versionOf"/> gives each folder's toolchain version as its image reports it.
    /// </summary>
    public LanguageDefinition? Resolve(string nameOrAlias, string? version, Func<LanguageDefinition, string?> versionOf,
        out (string Field, string Message)? error)
    {
        error = null;
        if (!TryFind(nameOrAlias.Trim(), out var named))
        {
            error = ("lang", LanguageVersions.UnknownLanguage(nameOrAlias, _versions.Keys));
            return null;
        }
        IReadOnlyList<LanguageDefinition> candidates = named.VersionOf is null ? VersionsOf(named) : [named];
        var picked = LanguageVersions.Resolve(named, candidates, VersionsOf(named), versionOf, version, named.Family, out var refused);
        if (refused is not null)
        {
            error = ("version", refused);
        }
        return picked;
    }

    /// <summary>Reads every <c>*/language.json</c> below <paramref name="folder"/>.</summary>
    public static LanguageCatalog Load(string folder)
    {
        if (!System.IO.Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Languages folder '{folder}' does not exist (Executor:LanguagesPath).");
        }
        var languages = new List<LanguageDefinition>();
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "language.json", SearchOption.AllDirectories))
        {
            var directory = Path.GetDirectoryName(file)!;
            LanguageDefinition? definition;
            try
            {
                definition = JsonSerializer.Deserialize<LanguageDefinition>(File.ReadAllText(file), JsonOptions);
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"{file} is not a valid language definition: {e.Message}", e);
            }
            if (definition is null || definition.Run.Count == 0 || string.IsNullOrWhiteSpace(definition.SourceFile))
            {
                throw new InvalidOperationException($"{file} needs at least 'name', 'sourceFile' and 'run'.");
            }
            if (definition.Name != Path.GetFileName(directory))
            {
                throw new InvalidOperationException($"{file}: 'name' must equal the folder name '{Path.GetFileName(directory)}'.");
            }
            if (!FileNames.IsValid(definition.SourceFile))
            {
                throw new InvalidOperationException($"{file}: 'sourceFile' must be a plain file name.");
            }
            languages.Add(definition with { Directory = directory, Example = ReadExample(directory, definition.SourceFile) });
        }
        // A version without a hello program of its own starts from its language's.
        var byName = languages.ToDictionary(l => l.Name, StringComparer.Ordinal);
        return new LanguageCatalog(languages.Select(l =>
            l.Example is null && l.VersionOf is { } of && byName.TryGetValue(of, out var language)
                ? l with { Example = ReadExample(language.Directory, l.SourceFile) }
                : l));
    }

    private static LanguageExample? ReadExample(string directory, string sourceFile)
    {
        var hello = Path.Combine(directory, "test", "hello");
        var code = Path.Combine(hello, sourceFile);
        if (!File.Exists(code))
        {
            return null;
        }
        var stdin = Path.Combine(hello, "stdin.txt");
        return new LanguageExample(File.ReadAllText(code), File.Exists(stdin) ? File.ReadAllText(stdin) : null);
    }

    /// <summary>
    /// The configured folder, or else the first <c>docker-images</c> found walking up from the app's
    /// folder, so a checkout runs without configuration.
    /// </summary>
    public static string ResolveFolder(string? configured, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, contentRoot);
        }
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "docker-images");
                if (System.IO.Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        throw new DirectoryNotFoundException(
            "No docker-images folder found above the executor; set Executor:LanguagesPath.");
    }
}

/// <summary>Registers the catalog from <see cref="ExecutorOptions.LanguagesPath"/>.</summary>
internal static class LanguageCatalogRegistration
{
    public static IServiceCollection AddLanguageCatalog(this IServiceCollection services) =>
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ExecutorOptions>>().Value;
            var environment = sp.GetRequiredService<IHostEnvironment>();
            return LanguageCatalog.Load(LanguageCatalog.ResolveFolder(options.LanguagesPath, environment.ContentRootPath));
        });
}
