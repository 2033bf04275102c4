using Microsoft.Extensions.Options;
using QuickTry.Api.Runs;
using QuickTry.Api.Queue;

namespace QuickTry.Api.Languages;

/// <summary>
/// The executor's language list, cached for a short while: it changes only when images are rebuilt,
/// and the gateway needs it on every run (to reserve quota for the language's time limits).
/// </summary>
public sealed class LanguageDirectory(
    IHttpClientFactory httpClients,
    IOptions<ExecutorEndpointOptions> executors,
    AnnouncedExecutors announced,
    ILogger<ExecutorClient> executorLogger,
    TimeProvider time,
    ILogger<LanguageDirectory> logger)
{
    private static readonly TimeSpan FreshFor = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a list is kept in which an available language's version is not known yet (an executor that
    /// just started): versions decide which one a run gets, so such a list is asked again soon.
    /// </summary>
    private static readonly TimeSpan IncompleteFreshFor = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private IReadOnlyList<LanguageInfo>? _languages;
    private DateTimeOffset _fetchedAt;

    /// <summary>The list, or null when the executor has never answered.</summary>
    public async Task<IReadOnlyList<LanguageInfo>?> GetAsync(CancellationToken cancellationToken)
    {
        if (_languages is { } cached && time.GetUtcNow() - _fetchedAt < FreshnessOf(cached))
        {
            return cached;
        }
        await _refresh.WaitAsync(cancellationToken);
        try
        {
            if (_languages is { } again && time.GetUtcNow() - _fetchedAt < FreshnessOf(again))
            {
                return again;
            }
            // A fresh typed client each time: the factory owns handler lifetimes, a singleton must not pin one.
            var executor = new ExecutorClient(httpClients.CreateClient(nameof(ExecutorClient)), executors, executorLogger);
            _languages = await executor.LanguagesAsync(cancellationToken, await announced.GetAsync());
            _fetchedAt = time.GetUtcNow();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A stale list serves better than none; try again on the next call.
            logger.LogWarning(e, "Could not refresh the language list from the executor");
        }
        finally
        {
            _refresh.Release();
        }
        return _languages;
    }

    private static TimeSpan FreshnessOf(IReadOnlyList<LanguageInfo> languages) =>
        languages.Any(l => l.Available && l.Version == LanguageVersions.Unknown) ? IncompleteFreshFor : FreshFor;

    /// <summary>The language <paramref name="nameOrAlias"/> names in a list from <see cref="GetAsync"/> (one of its versions).</summary>
    public static LanguageInfo? Find(IEnumerable<LanguageInfo> languages, string nameOrAlias) =>
        languages.FirstOrDefault(l =>
            string.Equals(l.Name, nameOrAlias, StringComparison.OrdinalIgnoreCase)
            || l.Aliases.Any(a => string.Equals(a, nameOrAlias, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// The language a request names, at the version it asks for, as the executor resolves it (see
    /// <see cref="LanguageVersions"/>): the language's name or an alias picks among all its versions, a
    /// version's own name picks that one. Null with the field and message to refuse it with otherwise.
    /// </summary>
    public static LanguageInfo? Resolve(IReadOnlyList<LanguageInfo> languages, string nameOrAlias, string? version,
        out (string Field, string Message)? error)
    {
        error = null;
        var named = Find(languages, nameOrAlias.Trim());
        if (named is null)
        {
            error = ("lang", LanguageVersions.UnknownLanguage(nameOrAlias, languages.Select(l => l.Language).Distinct()));
            return null;
        }
        var versions = languages.Where(l => l.Language == named.Language).ToList();
        IReadOnlyList<LanguageInfo> candidates = named.Name == named.Language ? versions : [named];
        var picked = LanguageVersions.Resolve(named, candidates, versions, l => l.Version, version, named.Language, out var refused);
        if (refused is not null)
        {
            error = ("version", refused);
        }
        return picked;
    }
}
