using Microsoft.Extensions.Options;
using QuickTry.Protocol;

namespace QuickTry.Sandbox.Runs;

/// <summary>A limit a request may choose, up to a ceiling; a request above the ceiling is refused.</summary>
public sealed class LimitRange
{
    public int Default { get; set; }
    public int Max { get; set; }
}

/// <summary>Limits of a run (section <c>Executor:Limits</c>). Each has a default and a ceiling.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Executor:Limits";

    /// <summary>Wall-clock time of the run step.</summary>
    public LimitRange TimeMs { get; set; } = new() { Default = 3_000, Max = 20_000 };

    /// <summary>Wall-clock time of the compile step (languages raise the default in their definition).</summary>
    public LimitRange CompileTimeMs { get; set; } = new() { Default = 10_000, Max = 60_000 };

    /// <summary>Memory of the whole sandbox, swap included (Memory == MemorySwap).</summary>
    public LimitRange MemoryMb { get; set; } = new() { Default = 128, Max = 1_024 };

    /// <summary>Processes and threads in the sandbox.</summary>
    public LimitRange Pids { get; set; } = new() { Default = 64, Max = 512 };

    /// <summary>Bytes kept of each of stdout and stderr; a program that writes more is stopped.</summary>
    public LimitRange OutputBytes { get; set; } = new() { Default = 64 * 1024, Max = 1024 * 1024 };

    /// <summary>Bytes of the files a run writes under <c>out/</c> returned as artifacts (0: none).</summary>
    public LimitRange ArtifactBytes { get; set; } = new() { Default = 1024 * 1024, Max = 8 * 1024 * 1024 };

    public int MaxCodeBytes { get; set; } = 64 * 1024;
    public int MaxStdinBytes { get; set; } = 1024 * 1024;
    public int MaxFiles { get; set; } = 20;
    /// <summary>Code, stdin, files and arguments together.</summary>
    public int MaxTotalBytes { get; set; } = 4 * 1024 * 1024;
    public int MaxArgs { get; set; } = 64;
    public int MaxArgBytes { get; set; } = 4 * 1024;

    /// <summary>
    /// Test cases one judged run may have (the gateway's plans may allow fewer). Each runs under the run's
    /// time limit; their inputs and expected outputs count toward <see cref="MaxTotalBytes"/>.
    /// </summary>
    public int MaxTestCases { get; set; } = 100;

    /// <summary>
    /// The output a judged run keeps in all: every case's stdout and stderr together. A judged run without
    /// an output limit of its own gets an equal share per stream (at most the default); one that names a
    /// limit over its share is refused. Bounds the result every party holds and sends (2 MiB: 64 KiB per
    /// stream for up to 16 cases).
    /// </summary>
    public int MaxJudgedOutputBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// Factor on the default run and compile time limits of runs under a runtime, by the runtime's name
    /// (<c>Executor:Limits:TimeFactorByRuntime:runsc</c>). gVisor starts every process several times slower
    /// than runc (measured here: a JVM or BEAM hello world no longer fits 3 s), so a language's defaults
    /// would not hold there. The ceilings stay as they are, and a limit a request names is taken as named.
    /// </summary>
    public Dictionary<string, double> TimeFactorByRuntime { get; set; } = new(StringComparer.Ordinal)
    {
        [SandboxRuntimes.Gvisor] = 3,
    };

    /// <summary>The factor on default time limits under <paramref name="runtime"/> (1 unless configured).</summary>
    public double TimeFactorOf(string runtime) => TimeFactorByRuntime.GetValueOrDefault(runtime, 1);
}

/// <summary>Refuses to start on limits that contradict each other, naming the configuration key.</summary>
internal sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        Check(options.TimeMs, nameof(options.TimeMs), minimum: 100);
        Check(options.CompileTimeMs, nameof(options.CompileTimeMs), minimum: 1_000);
        // Docker refuses memory limits below 6 MiB.
        Check(options.MemoryMb, nameof(options.MemoryMb), minimum: 16);
        Check(options.Pids, nameof(options.Pids), minimum: 8);
        Check(options.OutputBytes, nameof(options.OutputBytes), minimum: 1_024);
        Check(options.ArtifactBytes, nameof(options.ArtifactBytes), minimum: 0);
        Positive(options.MaxCodeBytes, nameof(options.MaxCodeBytes));
        Positive(options.MaxStdinBytes, nameof(options.MaxStdinBytes));
        Positive(options.MaxFiles, nameof(options.MaxFiles));
        Positive(options.MaxTotalBytes, nameof(options.MaxTotalBytes));
        Positive(options.MaxArgs, nameof(options.MaxArgs));
        Positive(options.MaxArgBytes, nameof(options.MaxArgBytes));
        Positive(options.MaxTestCases, nameof(options.MaxTestCases));
        Positive(options.MaxJudgedOutputBytes, nameof(options.MaxJudgedOutputBytes));
        if (options.ArtifactBytes.Max > 64 * 1024 * 1024)
        {
            // The archive passes through the runner's root-only scratch space and the result, whole.
            failures.Add($"{LimitsOptions.Section}:{nameof(options.ArtifactBytes)}:Max must be at most 67108864 (is {options.ArtifactBytes.Max}).");
        }
        if (options.MaxTestCases > 9_999)
        {
            // The runner reads the count as at most four digits.
            failures.Add($"{LimitsOptions.Section}:{nameof(options.MaxTestCases)} must be at most 9999 (is {options.MaxTestCases}).");
        }
        foreach (var (runtime, factor) in options.TimeFactorByRuntime)
        {
            if (!SandboxRuntimes.IsValidName(runtime))
            {
                failures.Add($"{LimitsOptions.Section}:{nameof(options.TimeFactorByRuntime)}: '{runtime}' is not a runtime name.");
            }
            if (factor is < 1 or > 20 || double.IsNaN(factor))
            {
                failures.Add($"{LimitsOptions.Section}:{nameof(options.TimeFactorByRuntime)}:{runtime} must be 1..20 (is {factor}).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void Check(LimitRange range, string key, int minimum)
        {
            if (range.Default < minimum)
            {
                failures.Add($"{LimitsOptions.Section}:{key}:Default must be at least {minimum} (is {range.Default}).");
            }
            if (range.Max < range.Default)
            {
                failures.Add($"{LimitsOptions.Section}:{key}:Max ({range.Max}) must not be below {LimitsOptions.Section}:{key}:Default ({range.Default}).");
            }
        }

        void Positive(int value, string key)
        {
            if (value <= 0)
            {
                failures.Add($"{LimitsOptions.Section}:{key} must be positive (is {value}).");
            }
        }
    }
}
