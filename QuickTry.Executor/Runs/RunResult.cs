using System.Text.Json.Serialization;

namespace QuickTry.Executor.Runs;

/// <summary>How a run ended. A fixed set, as Judge0's statuses are, so clients can switch on it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<RunStatus>))]
public enum RunStatus
{
    [JsonStringEnumMemberName("ok")] Ok,
    [JsonStringEnumMemberName("compile_error")] CompileError,
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    [JsonStringEnumMemberName("timeout")] Timeout,
    [JsonStringEnumMemberName("memory_limit")] MemoryLimit,
    [JsonStringEnumMemberName("output_limit")] OutputLimit,
    [JsonStringEnumMemberName("internal_error")] InternalError,
}

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
    public required string RunId { get; init; }
    public required string Lang { get; init; }
    public required string Version { get; init; }
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

    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";

    /// <summary>stdout and stderr interleaved in the order they arrived.</summary>
    public string Output { get; init; } = "";

    public bool StdoutTruncated { get; init; }
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

    public required AppliedLimits Limits { get; init; }

    /// <summary>A sentence for people: which limit cut the run short, or what went wrong.</summary>
    public string? Message { get; init; }
}

public sealed record CompileResult
{
    public int? ExitCode { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";

    /// <summary>Compiler stdout then stderr.</summary>
    public string Output { get; init; } = "";

    public bool Truncated { get; init; }
    public double WallTimeMs { get; init; }
    public bool TimedOut { get; init; }
}
