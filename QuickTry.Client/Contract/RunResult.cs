using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>How a run ended. A fixed set, as Judge0's statuses are, so clients can switch on it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    /// <summary>The program ran and exited with code 0.</summary>
    [JsonStringEnumMemberName("ok")] Ok,
    /// <summary>The compile step failed; the program did not run.</summary>
    [JsonStringEnumMemberName("compile_error")] CompileError,
    /// <summary>The program exited with a non-zero code or was ended by a signal.</summary>
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    /// <summary>The program (or its compile step) reached its time limit and was killed.</summary>
    [JsonStringEnumMemberName("timeout")] Timeout,
    /// <summary>The program reached its memory limit and was killed.</summary>
    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,
    /// <summary>The program wrote more than its output limit and was stopped; the output kept is cut.</summary>
    [JsonStringEnumMemberName("output_limit")] OutputLimit,
    /// <summary>QuickTry failed to run or to follow the program; <see cref="RunResult.Message"/> says what happened.</summary>
    [JsonStringEnumMemberName("internal_error")] InternalError,
}

/// <summary>The wire names of <see cref="RunStatus"/>.</summary>
public static class RunStatusNames
{
    /// <summary>The status as it is written on the wire (<c>compile_error</c>, ...), for traces and metrics.</summary>
    public static string ToWireName(this RunStatus status) => status switch
    {
        RunStatus.Ok => "ok",
        RunStatus.CompileError => "compile_error",
        RunStatus.RuntimeError => "runtime_error",
        RunStatus.Timeout => "timeout",
        RunStatus.MemoryLimit => "memory_limit",
        RunStatus.OutputLimit => "output_limit",
        _ => "internal_error",
    };
}

/// <summary>The outcome of one run. A program that fails is still a result, with its status.</summary>
public sealed record RunResult
{
    /// <summary>The run's id; also the id of its trace.</summary>
    public required string RunId { get; init; }
    /// <summary>The language's name (never an alias).</summary>
    public required string Lang { get; init; }
    /// <summary>The language's version, as its toolchain reports it.</summary>
    public required string Version { get; init; }
    /// <summary>How the run ended.</summary>
    public required RunStatus Status { get; init; }

    /// <summary>How the run was isolated: a reused slot (fresh uid, wiped after) or its own container.</summary>
    public Isolation Isolation { get; init; }

    /// <summary>
    /// The OCI runtime the sandbox ran under: <c>runc</c> (the host's kernel, behind namespaces and
    /// seccomp) or <c>runsc</c> (gVisor's kernel in user space), or another the engine declares.
    /// </summary>
    public string Runtime { get; init; } = "";

    /// <summary>The executor process that ran it (instance name and a per-process suffix).</summary>
    public string? Executor { get; init; }

    /// <summary>Exit code of the program; null when it did not run or was killed by the executor.</summary>
    public int? ExitCode { get; init; }

    /// <summary>Signal that ended the program (e.g. SIGSEGV, SIGKILL), when one did.</summary>
    public string? Signal { get; init; }

    /// <summary>What the program wrote on stdout, up to its output limit.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>What the program wrote on stderr, up to its output limit.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>stdout and stderr interleaved in the order they arrived.</summary>
    public string Output { get; init; } = "";

    /// <summary>stdout went past the output limit: <see cref="Stdout"/> is cut.</summary>
    public bool StdoutTruncated { get; init; }

    /// <summary>stderr went past the output limit: <see cref="Stderr"/> is cut.</summary>
    public bool StderrTruncated { get; init; }

    /// <summary>The compile step for compiled languages; null for interpreted ones.</summary>
    public CompileResult? Compile { get; init; }

    /// <summary>Wall time of the run step.</summary>
    public double WallTimeMs { get; init; }

    /// <summary>CPU time of the run step, where the engine reports it.</summary>
    public double? CpuTimeMs { get; init; }

    /// <summary>
    /// Peak memory of this run: the sandbox's memory peak during the run (its cgroup, page cache of its
    /// files included) or, when that cannot be reset between the runs of a slot, the largest resident size
    /// of the run's processes. Null where neither is known.
    /// </summary>
    public long? MemoryBytes { get; init; }

    /// <summary>Time spent waiting for a free slot before the run started (in the shared queue and at the executor).</summary>
    public double QueueTimeMs { get; init; }

    /// <summary>Time from admission (to the shared queue, or at the executor) to result.</summary>
    public double TotalTimeMs { get; init; }

    /// <summary>The limits the run got.</summary>
    public required AppliedLimits Limits { get; init; }

    /// <summary>A sentence for people: which limit cut the run short, or what went wrong.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// A judged run (one with <c>tests</c>): the first case's verdict that is not <c>accepted</c>, else
    /// <c>accepted</c>. <see cref="Status"/> still says how the run as a whole ended (<c>compile_error</c>,
    /// or the first failed case's status); <see cref="WallTimeMs"/> and <see cref="CpuTimeMs"/> are the
    /// cases' sums, <see cref="MemoryBytes"/> their largest.
    /// </summary>
    public Verdict? Verdict { get; init; }

    /// <summary>A judged run: how many cases were accepted.</summary>
    public int? Passed { get; init; }

    /// <summary>A judged run: how many cases were sent.</summary>
    public int? Total { get; init; }

    /// <summary>A judged run: every case's result, in the order sent.</summary>
    public IReadOnlyList<TestCaseResult>? Tests { get; init; }

    /// <summary>
    /// The regular files the program wrote under <c>out/</c> in its working folder (in a session, those
    /// written during this run), up to <c>limits.artifactBytes</c>; null when there were none.
    /// </summary>
    public IReadOnlyList<Artifact>? Artifacts { get; init; }

    /// <summary>The files under <c>out/</c> went past <c>limits.artifactBytes</c>: some are left out.</summary>
    public bool ArtifactsTruncated { get; init; }

    /// <summary>
    /// A Python session's run (its Jupyter kernel): the value of the cell's last expression and what it
    /// displayed (a figure, a DataFrame), each in the forms the kernel gave (<c>text/plain</c>,
    /// <c>text/html</c>, <c>image/png</c> base64, ...), in order. Null for other runs.
    /// </summary>
    public IReadOnlyList<RichOutput>? Outputs { get; init; }
}

/// <summary>One form of a value a Jupyter kernel displayed.</summary>
/// <param name="MimeType">e.g. <c>text/plain</c>, <c>text/html</c>, <c>image/png</c>.</param>
/// <param name="Data">The text, or for an image base64.</param>
public sealed record RichOutput(string MimeType, string Data);

/// <summary>A file the program wrote under <c>out/</c>, e.g. a figure.</summary>
/// <param name="Path">Its path under <c>out/</c>, e.g. <c>plot.png</c>.</param>
/// <param name="MimeType">Its media type, from its extension (<c>image/png</c>; <c>application/octet-stream</c> when unknown).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Data">Its content, base64.</param>
public sealed record Artifact(string Path, string MimeType, long Size, string Data);

/// <summary>The compile step of a compiled language.</summary>
public sealed record CompileResult
{
    /// <summary>The compiler's exit code; null when it was killed.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The compiler's stdout, up to the compile output cap.</summary>
    public string Stdout { get; init; } = "";

    /// <summary>The compiler's stderr, up to the compile output cap.</summary>
    public string Stderr { get; init; } = "";

    /// <summary>Compiler stdout then stderr.</summary>
    public string Output { get; init; } = "";

    /// <summary>The compiler's output went past its cap and is cut.</summary>
    public bool Truncated { get; init; }

    /// <summary>Wall time of the compile step.</summary>
    public double WallTimeMs { get; init; }

    /// <summary>The compile step reached its time limit.</summary>
    public bool TimedOut { get; init; }
}
