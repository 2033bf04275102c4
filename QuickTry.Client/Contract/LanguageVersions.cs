namespace QuickTry.Client;

/// <summary>
/// How a version asked for picks one of a language's versions, the same in the gateway, the executor and
/// the sandbox library: unset or <c>latest</c> is the newest; otherwise the newest whose version is the one
/// asked for or starts with it followed by a dot (<c>3</c> and <c>3.11</c> both match <c>3.11.2</c>).
/// </summary>
public static class LanguageVersions
{
    /// <summary>What a version shows as when its image has not said it yet.</summary>
    public const string Unknown = "unknown";

    /// <summary>Whether <paramref name="version"/> is the one <paramref name="requested"/> names.</summary>
    public static bool Matches(string? version, string? requested)
    {
        if (string.IsNullOrWhiteSpace(requested) || IsLatest(requested))
        {
            return true;
        }
        if (version is null || version == Unknown)
        {
            return false;
        }
        requested = requested.Trim();
        return version == requested
            || version.StartsWith(requested, StringComparison.Ordinal) && version.Length > requested.Length && version[requested.Length] is '.' or '-' or '+';
    }

    /// <summary>The newest of <paramref name="versions"/> that <paramref name="requested"/> names, or default when none.</summary>
    public static T? Pick<T>(IEnumerable<T> versions, Func<T, string?> versionOf, string? requested) =>
        versions.Where(v => Matches(versionOf(v), requested))
            .OrderByDescending(v => versionOf(v), Comparer)
            .FirstOrDefault();

    /// <summary>
    /// The version a request gets once its language name is found: <paramref name="named"/> itself when it is
    /// one version's own name (<paramref name="candidates"/> holds just it) or its language has one version and
    /// none is asked for; else the newest of <paramref name="candidates"/> matching <paramref name="requested"/>.
    /// Null with the message that names the valid versions (of all <paramref name="allVersions"/>) otherwise.
    /// </summary>
    public static T? Resolve<T>(T named, IReadOnlyList<T> candidates, IEnumerable<T> allVersions, Func<T, string?> versionOf,
        string? requested, string language, out string? error) where T : class
    {
        error = null;
        if (candidates.Count == 1 && string.IsNullOrWhiteSpace(requested))
        {
            return named;
        }
        var picked = Pick(candidates, versionOf, requested);
        if (picked is null)
        {
            var valid = allVersions.Select(versionOf).Where(v => v is not null && v != Unknown).OrderByDescending(v => v, Comparer);
            var shown = requested!.Length <= 40 ? requested : requested[..40] + "…";
            error = $"Unknown version '{shown}' of {language}. Valid: {string.Join(", ", valid)}.";
        }
        return picked;
    }

    /// <summary>
    /// The refusal of a language name nothing answers to, the same wherever a name is looked up: the name
    /// as sent (cut at 40 characters: it is echoed back) and the languages there are.
    /// </summary>
    public static string UnknownLanguage(string nameOrAlias, IEnumerable<string> languages) =>
        $"Unknown language '{(nameOrAlias.Length <= 40 ? nameOrAlias : nameOrAlias[..40] + "…")}'. Valid: {string.Join(", ", languages.Order(StringComparer.Ordinal))}.";

    /// <summary>Newest first, as people read versions: numerically part by part (<c>3.9</c> before <c>3.13</c>); unknown last.</summary>
    public static IComparer<string?> Comparer { get; } = Comparer<string?>.Create(Compare);

    private static bool IsLatest(string requested) => string.Equals(requested.Trim(), "latest", StringComparison.OrdinalIgnoreCase);

    private static int Compare(string? a, string? b)
    {
        var known = (a is not null && a != Unknown).CompareTo(b is not null && b != Unknown);
        if (known != 0 || a is null || b is null || a == Unknown)
        {
            return known;
        }
        var left = a.Split('.', '-', '+');
        var right = b.Split('.', '-', '+');
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            var x = i < left.Length ? left[i] : "";
            var y = i < right.Length ? right[i] : "";
            var order = long.TryParse(x, out var nx) && long.TryParse(y, out var ny) ? nx.CompareTo(ny) : string.CompareOrdinal(x, y);
            if (order != 0)
            {
                return order;
            }
        }
        return 0;
    }
}
