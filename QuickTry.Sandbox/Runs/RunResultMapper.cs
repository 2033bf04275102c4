using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Runs;

/// <summary>Decides a run's status from what the sandbox reported, and says which limit ended it.</summary>
internal static class RunResultMapper
{
    private const int SigKill = 9;

    public static RunResult ToResult(PreparedRun run, string runId, SandboxKind kind, SandboxOutcome outcome,
        string version, TimeSpan queueTime, TimeSpan totalTime)
    {
        var output = outcome.Output;
        var limits = run.Limits;
        var compile = output.Compile is { } c
            ? new CompileResult
            {
                ExitCode = c.ExitCode,
                Stdout = c.Stdout,
                Stderr = c.Stderr,
                Output = c.Stdout + c.Stderr,
                Truncated = c.Truncated,
                WallTimeMs = Math.Round(c.WallTimeMs, 2),
                TimedOut = c.ExitCode == 128 + SigKill && c.WallTimeMs >= limits.CompileTimeMs - 50,
            }
            : null;

        var (status, message) = Decide(run, outcome, compile);
        var exitCode = outcome.Killed is null ? outcome.ExitCode : null;
        var ranProgram = compile is null || compile.ExitCode == 0;
        if (outcome.Cases is { } cases && !outcome.Vanished)
        {
            return Judged(run, runId, kind, version, queueTime, totalTime, compile, cases, ranProgram ? null : (status, message));
        }
        var (artifacts, artifactsCut) = ArtifactArchive.Read(output.Artifacts, output.ArtifactsTruncated);
        if (artifactsCut && status == RunStatus.Ok)
        {
            message = $"The files under out/ went past the {limits.ArtifactBytes}-byte artifact limit; some are left out.";
        }
        return Identity(run, runId, kind, version, status, message) with
        {
            Artifacts = artifacts,
            ArtifactsTruncated = artifactsCut,
            ExitCode = ranProgram ? exitCode : null,
            Signal = !ranProgram || outcome.Vanished ? null : outcome.Killed is not null ? "SIGKILL" : SignalName(exitCode),
            Stdout = output.Stdout,
            Stderr = output.Stderr,
            Output = output.Output,
            StdoutTruncated = output.StdoutTruncated,
            StderrTruncated = output.StderrTruncated,
            Compile = run.Language.IsCompiled ? compile ?? new CompileResult { TimedOut = outcome.Killed == KillReason.TimeLimit && !outcome.Vanished } : null,
            WallTimeMs = Math.Round(WallTimeMs(output.Trailer, outcome.MeasuredRunMs), 2),
            CpuTimeMs = output.Trailer?.CpuTimeMs is { } cpu ? Math.Round(cpu, 2) : null,
            // The cgroup's peak when it is this run's; else (a peak that spans runs, or none: gVisor shows the
            // program no cgroup) the largest resident size of the run's processes.
            MemoryBytes = (outcome.PeakIsRunOwn ? output.Trailer?.PeakMemoryBytes : null) ?? output.Trailer?.LargestRssBytes,
            QueueTimeMs = Math.Round(queueTime.TotalMilliseconds, 2),
            TotalTimeMs = Math.Round(totalTime.TotalMilliseconds, 2),
        };
    }

    /// <summary>
    /// The runner's figure (precise), never more than the executor's own clock saw from sending the job
    /// to the end of the output: what is billed is bounded by what the executor measured itself.
    /// </summary>
    internal static double WallTimeMs(RunnerTrailer? trailer, double measuredMs) =>
        trailer is null ? measuredMs
        : measuredMs > 0 ? Math.Min(trailer.WallTimeMs, measuredMs)
        : trailer.WallTimeMs;

    private static (RunStatus, string?) Decide(PreparedRun run, SandboxOutcome outcome, CompileResult? compile)
    {
        var limits = run.Limits;
        if (outcome.Vanished)
        {
            return (RunStatus.InternalError, "The sandbox stopped before the run reported; what the program did is unknown.");
        }
        if (run.Language.IsCompiled && (compile is null || compile.ExitCode != 0))
        {
            if (compile is null && outcome.Killed == KillReason.TimeLimit || compile?.TimedOut == true)
            {
                return (RunStatus.Timeout, $"Compilation exceeded the {limits.CompileTimeMs} ms compile time limit.");
            }
            if (outcome.OomKilled)
            {
                return (RunStatus.MemoryLimit, $"The compiler exceeded the {limits.MemoryMb} MB memory limit.");
            }
            if (compile is null)
            {
                return (RunStatus.InternalError, "The sandbox ended before the compile step reported.");
            }
            return (RunStatus.CompileError, "Compilation failed.");
        }
        if (outcome.Killed == KillReason.OutputLimit || outcome.Output.StdoutTruncated || outcome.Output.StderrTruncated)
        {
            return (RunStatus.OutputLimit, $"Output exceeded {limits.OutputBytes} bytes on a stream; the program was stopped and the output cut there.");
        }
        if (outcome.Killed == KillReason.TimeLimit)
        {
            return (RunStatus.Timeout, $"The program exceeded the {limits.TimeMs} ms time limit and was killed.");
        }
        if (outcome.OomKilled)
        {
            return (RunStatus.MemoryLimit, $"The program exceeded the {limits.MemoryMb} MB memory limit and was killed.");
        }
        if (outcome.Killed == KillReason.Cancelled)
        {
            return (RunStatus.InternalError, "The run was cancelled before it finished.");
        }
        return outcome.ExitCode switch
        {
            0 => (RunStatus.Ok, null),
            null => (RunStatus.InternalError, outcome.ProtocolError is null
                ? "The sandbox ended without reporting an exit code."
                : "The sandbox did not follow the runner protocol."),
            var code => (RunStatus.RuntimeError, SignalName(code) is { } signal
                ? $"The program was killed by {signal}."
                : $"The program exited with code {code}."),
        };
    }

    /// <summary>
    /// A judged run: its status is the build's when that failed, else the first case's that did not end
    /// normally (a wrong answer ran normally); times are the cases' sums, memory their largest.
    /// </summary>
    private static RunResult Judged(PreparedRun run, string runId, SandboxKind kind, string version, TimeSpan queueTime,
        TimeSpan totalTime, CompileResult? compile, IReadOnlyList<TestCaseResult> cases, (RunStatus, string?)? buildFailed)
    {
        var ran = cases.Where(c => c.Verdict != Verdict.Skipped || c.WallTimeMs > 0).ToList();
        var failed = cases.FirstOrDefault(c => c.Verdict is not (Verdict.Accepted or Verdict.WrongAnswer));
        var stoppedAfterWrongAnswer = failed is { Verdict: Verdict.Skipped }
            && cases.TakeWhile(c => c != failed).Any(c => c.Verdict == Verdict.WrongAnswer);
        var (status, message) = buildFailed ?? (failed is null || stoppedAfterWrongAnswer
            ? (RunStatus.Ok, null)
            : (failed.Verdict switch
            {
                Verdict.Timeout => RunStatus.Timeout,
                Verdict.MemoryLimit => RunStatus.MemoryLimit,
                Verdict.OutputLimit => RunStatus.OutputLimit,
                Verdict.RuntimeError => RunStatus.RuntimeError,
                _ => RunStatus.InternalError,
            }, $"Test case '{failed.Name}': {failed.Message}"));
        var deciding = failed is { Verdict: not Verdict.Skipped } ? failed : ran.LastOrDefault();
        return Identity(run, runId, kind, version, status, message) with
        {
            ExitCode = deciding?.ExitCode,
            Signal = deciding?.Signal,
            Compile = run.Language.IsCompiled ? compile ?? new CompileResult() : null,
            WallTimeMs = Math.Round(cases.Sum(c => c.WallTimeMs), 2),
            CpuTimeMs = ran.Count > 0 && ran.All(c => c.CpuTimeMs is not null) ? Math.Round(ran.Sum(c => c.CpuTimeMs!.Value), 2) : null,
            MemoryBytes = ran.Max(c => c.MemoryBytes),
            QueueTimeMs = Math.Round(queueTime.TotalMilliseconds, 2),
            TotalTimeMs = Math.Round(totalTime.TotalMilliseconds, 2),
            Verdict = cases.FirstOrDefault(c => c.Verdict != Verdict.Accepted)?.Verdict ?? Verdict.Accepted,
            Passed = cases.Count(c => c.Verdict == Verdict.Accepted),
            Total = cases.Count,
            Tests = cases,
        };
    }

    public static RunResult InternalError(PreparedRun run, string runId, SandboxKind kind, string version, string message) =>
        Identity(run, runId, kind, version, RunStatus.InternalError, message);

    /// <summary>What every result says whatever happened: which run, what ran it and how, its status and limits.</summary>
    internal static RunResult Identity(PreparedRun run, string runId, SandboxKind kind, string version, RunStatus status, string? message) => new()
    {
        RunId = runId,
        Lang = run.Language.Name,
        Version = version,
        Status = status,
        Isolation = kind.Isolation,
        Runtime = kind.Runtime,
        Limits = run.Limits,
        Message = message,
    };

    /// <summary>Shells report death by signal N as exit code 128+N.</summary>
    internal static string? SignalName(int? exitCode) => exitCode switch
    {
        128 + 1 => "SIGHUP",
        128 + 2 => "SIGINT",
        128 + 3 => "SIGQUIT",
        128 + 4 => "SIGILL",
        128 + 5 => "SIGTRAP",
        128 + 6 => "SIGABRT",
        128 + 7 => "SIGBUS",
        128 + 8 => "SIGFPE",
        128 + 9 => "SIGKILL",
        128 + 10 => "SIGUSR1",
        128 + 11 => "SIGSEGV",
        128 + 12 => "SIGUSR2",
        128 + 13 => "SIGPIPE",
        128 + 14 => "SIGALRM",
        128 + 15 => "SIGTERM",
        128 + 24 => "SIGXCPU",
        128 + 25 => "SIGXFSZ",
        _ => null,
    };
}
