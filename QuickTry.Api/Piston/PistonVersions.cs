using System.Globalization;
using System.Text.RegularExpressions;
using Semver;

namespace QuickTry.Api.Piston;

/// <summary>
/// Piston selects a runtime with an npm-style semver range (it uses npm's <c>semver.satisfies</c>); QuickTry's
/// versions are what each toolchain reports (<c>3.11.2</c>, <c>6.8.0.105</c>), coerced to semver as npm's
/// <c>semver.coerce</c> would.
/// </summary>
public static partial class PistonVersions
{
    /// <summary>
    /// The first one to three dot-separated numbers of <paramref name="version"/>, missing parts as 0
    /// (<c>20.19</c> → 20.19.0, <c>6.8.0.105</c> → 6.8.0); null when it has none (<c>unknown</c>).
    /// </summary>
    public static SemVersion? Coerce(string? version)
    {
        var match = LeadingNumbers().Match(version ?? "");
        if (!match.Success)
        {
            return null;
        }
        static int Part(Group group) =>
            group.Success && int.TryParse(group.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
        if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var major))
        {
            return null;
        }
        return new SemVersion(major, Part(match.Groups[2]), Part(match.Groups[3]));
    }

    /// <summary>
    /// Whether <paramref name="version"/> (coerced) is in the npm range <paramref name="range"/>:
    /// <c>*</c>, <c>3</c>, <c>3.x</c>, <c>3.11.2</c>, <c>^3.10</c>, <c>~3.11.0</c>, <c>&gt;=3 &lt;4</c>, <c>1 - 2</c>, <c>a || b</c>.
    /// A range npm could not parse matches nothing, as in Piston.
    /// </summary>
    public static bool Satisfies(string? version, string range) =>
        Coerce(version) is { } coerced
        && SemVersionRange.TryParseNpm(range.Trim(), out var parsed)
        && parsed.Contains(coerced);

    [GeneratedRegex(@"(?<![0-9])([0-9]{1,9})(?:\.([0-9]{1,9}))?(?:\.([0-9]{1,9}))?", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingNumbers();
}
