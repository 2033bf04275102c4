using System.Text.Json.Serialization;

namespace QuickTry.Executor.Runs;

/// <summary>Headers of the gateway → executor call.</summary>
public static class RunHeaders
{
    /// <summary>Which client a run is for, as the gateway names it (the key's name or a hashed IP, never a key); for traces.</summary>
    public const string Client = "X-QuickTry-Client";

    /// <summary>
    /// The isolation the caller's plan asks for (<c>slot</c> or <c>container</c>); set by the gateway from
    /// its configuration, never from the request. The executor applies the stricter of this and its own.
    /// </summary>
    public const string Isolation = "X-QuickTry-Isolation";

    /// <summary>
    /// The OCI runtime the caller's plan asks for (e.g. <c>runsc</c>); set by the gateway from its
    /// configuration, never from the request. When set it decides over the executor's own choice.
    /// </summary>
    public const string Runtime = "X-QuickTry-Runtime";
}

/// <summary>What the caller's plan asks of the sandbox; unset parts leave it to the executor.</summary>
public sealed record PlanSandbox(Isolation? Isolation = null, string? Runtime = null)
{
    public static readonly PlanSandbox None = new();
}

/// <summary>The OCI runtimes a sandbox can run under, as the Docker engine names them.</summary>
public static class SandboxRuntimes
{
    /// <summary>The engine's own: Linux namespaces, cgroups and seccomp on the host's kernel.</summary>
    public const string Runc = "runc";

    /// <summary>gVisor: a kernel in user space between the program and the host's kernel.</summary>
    public const string Gvisor = "runsc";

    /// <summary>A runtime name as engines accept them (letters, digits, <c>.</c>, <c>_</c>, <c>-</c>).</summary>
    public static bool IsValidName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}

/// <summary>What to run. Only <see cref="Lang"/> and <see cref="Code"/> are required.</summary>
public sealed record RunRequest
{
    /// <summary>Language name or alias (see <c>GET /languages</c>).</summary>
    public string? Lang { get; init; }

    /// <summary>The main source file's content.</summary>
    public string? Code { get; init; }

    public string? Stdin { get; init; }

    /// <summary>Command-line arguments, passed as an array (never through a shell).</summary>
    public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>Extra files placed beside the main file.</summary>
    public IReadOnlyList<RunFile?>? Files { get; init; }

    public RequestedLimits? Limits { get; init; }
}

public sealed record RunFile(string? Name, string? Content);

/// <summary>Limits a request asks for; unset ones take the language's or the global default.</summary>
public sealed record RequestedLimits
{
    public int? TimeMs { get; init; }
    public int? CompileTimeMs { get; init; }
    public int? MemoryMb { get; init; }
    public int? Pids { get; init; }
    public int? OutputBytes { get; init; }
}

/// <summary>The limits a run actually got.</summary>
public sealed record AppliedLimits(int TimeMs, int CompileTimeMs, int MemoryMb, int Pids, int OutputBytes);

/// <summary>
/// The rule for a requested limit, in the contract so the executor (which owns the ceilings and
/// publishes them in <c>GET /languages</c>) and the gateway (which must refuse a limit above its ceiling
/// before it prices the run against a quota) apply the same one.
/// </summary>
public static class LimitRules
{
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

/// <summary>How a run is isolated from the runs before and after it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Isolation>))]
public enum Isolation
{
    /// <summary>A reused sandbox; a fresh uid per run; everything of a run killed, wiped and verified after it.</summary>
    [JsonStringEnumMemberName("slot")] Slot,

    /// <summary>A fresh container per run, removed afterwards.</summary>
    [JsonStringEnumMemberName("container")] Container,
}

public static class IsolationNames
{
    public static string ToWireName(this Isolation isolation) => isolation == Isolation.Container ? "container" : "slot";

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
