using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>
/// What to run: the body of <c>POST /run</c> (and of the executor's <c>POST /runs</c>). Only the language and
/// <see cref="Code"/> are required. Besides the current names it accepts those the original QuickTry used:
/// <c>language</c> for <c>lang</c> and <c>params</c> for <c>stdin</c>.
/// </summary>
public record RunRequest
{
    /// <summary>Language name or alias (see <c>GET /languages</c>), e.g. <c>python3</c>, <c>py</c>, <c>js</c>.</summary>
    public string? Lang { get; init; }

    /// <summary>Synonym of <see cref="Lang"/>.</summary>
    public string? Language { get; init; }

    /// <summary>
    /// The language's version (see <c>GET /languages</c>): exact, or a prefix ending at a dot such as <c>3</c>
    /// or <c>3.11</c>, whose newest match runs. Unset, the newest version runs.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>The main source file's content.</summary>
    public string? Code { get; init; }

    /// <summary>What the program reads on its standard input.</summary>
    public string? Stdin { get; init; }

    /// <summary>Synonym of <see cref="Stdin"/>.</summary>
    [JsonPropertyName("params")]
    public string? Params { get; init; }

    /// <summary>Command-line arguments, passed as an array (never through a shell).</summary>
    public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>Extra files placed beside the main file.</summary>
    public IReadOnlyList<RunFile?>? Files { get; init; }

    /// <summary>Limits to run under; unset ones take the language's defaults.</summary>
    public RequestedLimits? Limits { get; init; }

    /// <summary>
    /// Test cases: the program compiles once and runs once per case, each with the run's limits and a clean
    /// working folder; the result then has a verdict per case. Unset, the program runs once.
    /// </summary>
    public IReadOnlyList<TestCase?>? Tests { get; init; }

    /// <summary>How test cases' outputs are compared: <c>lines</c> (default), <c>exact</c>, <c>tokens</c> or <c>numbers</c>.</summary>
    public string? Compare { get; init; }

    /// <summary>For <c>numbers</c>: how far two numbers may differ, absolutely or relatively (default 1e-6).</summary>
    public double? Tolerance { get; init; }

    /// <summary>Stop at the first test case not accepted; the cases after it are <c>skipped</c>.</summary>
    public bool? StopOnFirstFailure { get; init; }

    /// <summary>The language asked for, whichever name carried it.</summary>
    [JsonIgnore]
    public string? EffectiveLang => string.IsNullOrWhiteSpace(Lang) ? Language : Lang;

    /// <summary>The program's stdin, whichever name carried it.</summary>
    [JsonIgnore]
    public string? EffectiveStdin => Stdin ?? Params;
}

/// <summary>An extra file placed beside the main file (a relative path inside the sandbox's folder).</summary>
/// <param name="Name">Relative path, e.g. <c>lib/util.py</c>.</param>
/// <param name="Content">UTF-8 text content.</param>
public sealed record RunFile(string? Name, string? Content);

/// <summary>Limits a request asks for; unset ones take the language's or the global default.</summary>
public sealed record RequestedLimits
{
    /// <summary>Wall time of the run step, in milliseconds.</summary>
    public int? TimeMs { get; init; }

    /// <summary>Wall time of the compile step, in milliseconds.</summary>
    public int? CompileTimeMs { get; init; }

    /// <summary>Memory of the sandbox, in MiB.</summary>
    public int? MemoryMb { get; init; }

    /// <summary>Processes and threads the program may have at once.</summary>
    public int? Pids { get; init; }

    /// <summary>Bytes kept of stdout and of stderr, each; the run is stopped when a stream goes past it.</summary>
    public int? OutputBytes { get; init; }

    /// <summary>
    /// Bytes of the files the program writes under <c>out/</c> returned as <c>artifacts</c> (the archive
    /// holding them); 0 returns none. What does not fit is left out and the result says so.
    /// </summary>
    public int? ArtifactBytes { get; init; }
}

/// <summary>The limits a run actually got (or, in <c>GET /languages</c>, the defaults and ceilings).</summary>
/// <param name="TimeMs">Wall time of the run step, in milliseconds.</param>
/// <param name="CompileTimeMs">Wall time of the compile step, in milliseconds.</param>
/// <param name="MemoryMb">Memory of the sandbox, in MiB.</param>
/// <param name="Pids">Processes and threads the program may have at once.</param>
/// <param name="OutputBytes">Bytes kept of stdout and of stderr, each.</param>
/// <param name="ArtifactBytes">Bytes of the files under <c>out/</c> returned as artifacts (0: none).</param>
public sealed record AppliedLimits(int TimeMs, int CompileTimeMs, int MemoryMb, int Pids, int OutputBytes, int ArtifactBytes = 0);

/// <summary>
/// The rule for a requested limit, in the contract so the executor (which owns the ceilings and
/// publishes them in <c>GET /languages</c>) and the gateway (which must refuse a limit above its ceiling
/// before it prices the run against a quota) apply the same one.
/// </summary>
public static class LimitRules
{
    /// <summary>
    /// The limits a run gets: what the request asked for where it asked, <paramref name="defaults"/> (the
    /// language's under the run's runtime) elsewhere. Computed here alone, by the gateway (to price and
    /// wait for a run) and the executor (to run it), so both count with the same figures.
    /// </summary>
    public static AppliedLimits Apply(RequestedLimits? asked, AppliedLimits defaults) => new(
        asked?.TimeMs ?? defaults.TimeMs,
        asked?.CompileTimeMs ?? defaults.CompileTimeMs,
        asked?.MemoryMb ?? defaults.MemoryMb,
        asked?.Pids ?? defaults.Pids,
        asked?.OutputBytes ?? defaults.OutputBytes,
        asked?.ArtifactBytes ?? defaults.ArtifactBytes);

    /// <summary>The smallest value a request may ask for, per limit.</summary>
    public static readonly AppliedLimits Minimums = new(TimeMs: 100, CompileTimeMs: 1_000, MemoryMb: 16, Pids: 8, OutputBytes: 1);

    /// <summary>Every requested limit outside [minimum, ceiling], keyed by its field, with the reason.</summary>
    public static IEnumerable<(string Field, string Error)> Violations(RequestedLimits? asked, AppliedLimits ceilings)
    {
        if (asked is null)
        {
            yield break;
        }
        (string, int?, int, int)[] fields =
        [
            ("limits.timeMs", asked.TimeMs, Minimums.TimeMs, ceilings.TimeMs),
            ("limits.compileTimeMs", asked.CompileTimeMs, Minimums.CompileTimeMs, ceilings.CompileTimeMs),
            ("limits.memoryMb", asked.MemoryMb, Minimums.MemoryMb, ceilings.MemoryMb),
            ("limits.pids", asked.Pids, Minimums.Pids, ceilings.Pids),
            ("limits.outputBytes", asked.OutputBytes, Minimums.OutputBytes, ceilings.OutputBytes),
            ("limits.artifactBytes", asked.ArtifactBytes, Minimums.ArtifactBytes, ceilings.ArtifactBytes),
        ];
        foreach (var (field, value, minimum, maximum) in fields)
        {
            if (value < minimum)
            {
                yield return (field, $"Must be at least {minimum} (asked {value}).");
            }
            else if (value > maximum)
            {
                yield return (field, $"Must be at most {maximum} (asked {value}).");
            }
        }
    }
}

/// <summary>
/// What a run request must be whoever checks it: when both names of a field are sent they agree, and a
/// language and code are there. The gateway and the executor (and the sandbox library) check it here
/// alone, with one wording; the rest (the language's catalog, sizes, limits) each checks against its own.
/// </summary>
public static class RequestRules
{
    /// <summary>Every rule the request breaks, keyed by its field, with the reason.</summary>
    public static IEnumerable<(string Field, string Error)> Violations(RunRequest request)
    {
        if (!string.IsNullOrWhiteSpace(request.Lang) && !string.IsNullOrWhiteSpace(request.Language)
            && !string.Equals(request.Lang, request.Language, StringComparison.OrdinalIgnoreCase))
        {
            yield return ("lang", "'lang' and 'language' disagree; send one of them.");
        }
        if (!string.IsNullOrEmpty(request.Stdin) && !string.IsNullOrEmpty(request.Params) && request.Stdin != request.Params)
        {
            yield return ("stdin", "'stdin' and 'params' disagree; send one of them.");
        }
        if (string.IsNullOrWhiteSpace(request.EffectiveLang))
        {
            yield return ("lang", "A language is required ('lang').");
        }
        if (string.IsNullOrWhiteSpace(request.Code))
        {
            yield return ("code", "Code is required and must not be empty.");
        }
        foreach (var violation in TestViolations(request))
        {
            yield return violation;
        }
    }

    /// <summary>The longest name a test case may have.</summary>
    public const int MaxTestNameLength = 100;

    private static IEnumerable<(string Field, string Error)> TestViolations(RunRequest request)
    {
        if (request.Compare is { } compare && !OutputComparisons.All.Contains(compare))
        {
            yield return ("compare", $"'{compare}' is not a comparison; use one of: {string.Join(", ", OutputComparisons.All)}.");
        }
        if (request.Tolerance is { } tolerance && (!double.IsFinite(tolerance) || tolerance < 0 || tolerance > 1))
        {
            yield return ("tolerance", "The tolerance must be a number from 0 to 1.");
        }
        if (request.Tests is not { } tests)
        {
            if (request.Compare is not null || request.Tolerance is not null || request.StopOnFirstFailure is not null)
            {
                yield return ("tests", "'compare', 'tolerance' and 'stopOnFirstFailure' apply to test cases; send 'tests' with them.");
            }
            yield break;
        }
        if (tests.Count == 0)
        {
            yield return ("tests", "'tests' must hold at least one test case (or be left out).");
        }
        if (request.Args is { Count: > 0 })
        {
            yield return ("args", "With 'tests', each test case carries its own 'args'.");
        }
        if (!string.IsNullOrEmpty(request.EffectiveStdin))
        {
            yield return ("stdin", "With 'tests', each test case carries its own 'stdin'.");
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < tests.Count; i++)
        {
            var test = tests[i];
            if (test is null)
            {
                yield return ($"tests[{i}]", "A test case must be an object.");
                continue;
            }
            if (test.Name is { } name && (name.Length is 0 or > MaxTestNameLength || name.Any(char.IsControl)))
            {
                yield return ($"tests[{i}].name", $"A test case's name must be 1 to {MaxTestNameLength} characters, none of them control characters.");
            }
            else if (!names.Add(test.Name ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            {
                yield return ($"tests[{i}].name", $"Two test cases are named '{test.Name ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}'.");
            }
            if (test.Args is { } args && args.Any(a => a is null || a.Contains('\0')))
            {
                yield return ($"tests[{i}].args", "Arguments must be strings without NUL characters.");
            }
        }
    }
}

/// <summary>How a run is isolated from the runs before and after it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Isolation>))]
public enum Isolation
{
    /// <summary>A reused sandbox; a fresh uid per run; everything of a run killed, wiped and verified after it.</summary>
    [JsonStringEnumMemberName("slot")] Slot,

    /// <summary>A fresh container per run, removed afterwards.</summary>
    [JsonStringEnumMemberName("container")] Container,
}

/// <summary>The wire names of <see cref="Isolation"/>.</summary>
public static class IsolationNames
{
    /// <summary>The isolation as it is written on the wire: <c>slot</c> or <c>container</c>.</summary>
    public static string ToWireName(this Isolation isolation) => isolation == Isolation.Container ? "container" : "slot";

    /// <summary>Reads a wire name (any case, surrounding spaces ignored).</summary>
    public static bool TryParse(string? value, out Isolation isolation)
    {
        isolation = Isolation.Slot;
        switch (value?.Trim().ToLowerInvariant())
        {
            case "slot":
                return true;
            case "container":
                isolation = Isolation.Container;
                return true;
            default:
                return false;
        }
    }
}
