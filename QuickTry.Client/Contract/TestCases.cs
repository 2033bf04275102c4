using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>
/// One test case of a judged run (<see cref="RunRequest.Tests"/>): the program, compiled once, runs once
/// per case with the case's stdin and arguments in a clean working folder, and its stdout is compared with
/// <see cref="ExpectedOutput"/> outside the sandbox.
/// </summary>
public sealed record TestCase
{
    /// <summary>The case's name in the result; its position (1, 2, ...) when unset.</summary>
    public string? Name { get; init; }

    /// <summary>What the program reads on its standard input in this case.</summary>
    public string? Stdin { get; init; }

    /// <summary>Command-line arguments of this case (the run's own <c>args</c> are not added).</summary>
    public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>What stdout must be for the case to be accepted; unset, the case is only run.</summary>
    public string? ExpectedOutput { get; init; }
}

/// <summary>How a test case's stdout is compared with its expected output (<see cref="RunRequest.Compare"/>).</summary>
public static class OutputComparisons
{
    /// <summary>Line by line, spaces and tabs at the end of a line, trailing empty lines and CR before LF ignored (the default).</summary>
    public const string Lines = "lines";

    /// <summary>Byte for byte.</summary>
    public const string Exact = "exact";

    /// <summary>The whitespace-separated tokens, in order.</summary>
    public const string Tokens = "tokens";

    /// <summary>Tokens, where two numeric tokens are equal within <see cref="RunRequest.Tolerance"/> (absolute or relative).</summary>
    public const string Numbers = "numbers";

    /// <summary>Every comparison a request may name.</summary>
    public static IReadOnlyList<string> All { get; } = [Lines, Exact, Tokens, Numbers];

    /// <summary>The tolerance of <see cref="Numbers"/> when the request names none.</summary>
    public const double DefaultTolerance = 1e-6;
}

/// <summary>The verdict on one test case, or on a judged run as a whole (its first case not accepted).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    /// <summary>The program exited with code 0 and its output matched (or there was nothing to compare).</summary>
    [JsonStringEnumMemberName("accepted")] Accepted,
    /// <summary>The program exited with code 0 but its output did not match.</summary>
    [JsonStringEnumMemberName("wrong_answer")] WrongAnswer,
    /// <summary>The program reached the time limit and was killed.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,
    /// <summary>The program reached the memory limit and was killed.</summary>
    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,
    /// <summary>The program exited with a non-zero code or was ended by a signal.</summary>
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    /// <summary>The program wrote more than the output limit and was stopped.</summary>
    [JsonStringEnumMemberName("output_limit")] OutputLimit,
    /// <summary>Not run: compilation failed, or an earlier case failed under <c>stopOnFirstFailure</c>.</summary>
    [JsonStringEnumMemberName("skipped")] Skipped,
}

/// <summary>The wire names of <see cref="Verdict"/>.</summary>
public static class VerdictNames
{
    /// <summary>The verdict as it is written on the wire (<c>wrong_answer</c>, ...), for traces and metrics.</summary>
    public static string ToWireName(this Verdict verdict) => verdict switch
    {
        Verdict.Accepted => "accepted",
        Verdict.WrongAnswer => "wrong_answer",
        Verdict.Timeout => "timeout",
        Verdict.MemoryLimit => "memory_limit",
        Verdict.RuntimeError => "runtime_error",
        Verdict.OutputLimit => "output_limit",
        _ => "skipped",
    };
}

/// <summary>How one test case ended.</summary>
public sealed record TestCaseResult
{
    /// <summary>The case's name (its position when the request named none).</summary>
    public required string Name { get; init; }

    /// <summary>The verdict.</summary>
    public required Verdict Verdict { get; init; }

    /// <summary>The output was compared (the case had an expected output and the program exited with code 0).</summary>
    public bool Compared { get; init; }

    /// <summary>The program's exit code; null when it was killed at a limit or did not run.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Signal that ended the program, when one did.</summary>
    public string? Signal { get; init; }

    /// <summary>What the program wrote on stdout, up to the output limit.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>What the program wrote on stderr, up to the output limit.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>stdout went past the output limit and is cut.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>stderr went past the output limit and is cut.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>Wall time of this case.</summary>
    public double WallTimeMs { get; init; }

    /// <summary>CPU time of this case, where the engine reports it.</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>The largest resident size of this case's processes, where known.</summary>
    public long? MemoryBytes { get; init; }

    /// <summary>For a wrong answer: where the output first differs from the expected one.</summary>
    public OutputDifference? Difference { get; init; }

    /// <summary>A sentence for people: which limit ended the case, or why it was skipped.</summary>
    public string? Message { get; init; }
}

/// <summary>
/// The first difference between a case's output and its expected output: the 1-based line (for
/// <c>tokens</c> and <c>numbers</c>, the 1-based token), and what each side has there (empty when that
/// side has ended; long lines are cut).
/// </summary>
public sealed record OutputDifference(int Line, string Expected, string Actual);
