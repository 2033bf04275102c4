using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Judging;

/// <summary>
/// The verdict on one test case from what its sandbox reported, in the order <see cref="RunResultMapper"/>
/// decides a run's status (a limit that ended the case first, then its exit code, then its output).
/// </summary>
internal static class CaseJudge
{
    /// <param name="killed">Why the executor ended the sandbox during this case, if it did.</param>
    /// <param name="oomKilled">The engine says the kernel's OOM killer ended the sandbox (a case without a report).</param>
    /// <param name="measuredMs">The executor's own clock from the case's start to its report.</param>
    public static TestCaseResult Judge(PreparedCase test, JudgedCases judged, CollectedOutput output, KillReason? killed,
        bool oomKilled, double measuredMs, AppliedLimits limits)
    {
        var trailer = output.Trailer;
        var exitCode = killed is null ? trailer?.ExitCode : null;
        var (verdict, message) = (killed, trailer) switch
        {
            _ when killed == KillReason.OutputLimit || output.StdoutTruncated || output.StderrTruncated =>
                (Verdict.OutputLimit, $"Output exceeded {limits.OutputBytes} bytes on a stream; the program was stopped."),
            _ when killed == KillReason.TimeLimit || trailer?.TimedOut == true =>
                (Verdict.Timeout, $"The program exceeded the {limits.TimeMs} ms time limit and was killed."),
            _ when trailer?.OomKilled == true || oomKilled =>
                (Verdict.MemoryLimit, $"The program exceeded the {limits.MemoryMb} MB memory limit and was killed."),
            (not null, _) or (_, null) =>
                (Verdict.Skipped, "The sandbox failed during this case; it has no verdict."),
            (_, { ExitCode: not 0 }) =>
                (Verdict.RuntimeError, RunResultMapper.SignalName(trailer.ExitCode) is { } signal
                    ? $"The program was killed by {signal}." : $"The program exited with code {trailer.ExitCode}."),
            _ => (Verdict.Accepted, null),
        };
        OutputDifference? difference = null;
        var compared = verdict == Verdict.Accepted && test.ExpectedOutput is not null;
        if (compared)
        {
            difference = OutputComparer.FirstDifference(test.ExpectedOutput!, output.Stdout, judged.Compare, judged.Tolerance);
            if (difference is not null)
            {
                verdict = Verdict.WrongAnswer;
                message = $"The output differs from the expected one at {(judged.Compare is OutputComparisons.Tokens or OutputComparisons.Numbers ? "token" : "line")} {difference.Line}.";
            }
        }
        return new TestCaseResult
        {
            Name = test.Name,
            Verdict = verdict,
            Compared = compared,
            ExitCode = exitCode,
            Signal = killed is not null ? "SIGKILL" : RunResultMapper.SignalName(exitCode),
            Stdout = output.Stdout,
            Stderr = output.Stderr,
            StdoutTruncated = output.StdoutTruncated,
            StderrTruncated = output.StderrTruncated,
            WallTimeMs = Math.Round(RunResultMapper.WallTimeMs(trailer, measuredMs), 2),
            CpuTimeMs = trailer?.CpuTimeMs is { } cpu ? Math.Round(cpu, 2) : null,
            // The container's peak spans the compile step and earlier cases; the case's own processes are its figure.
            MemoryBytes = trailer?.LargestRssBytes,
            Difference = difference,
            Message = message,
        };
    }

    /// <summary>A case that did not run, and why.</summary>
    public static TestCaseResult Skipped(PreparedCase test, string why) => new()
    {
        Name = test.Name,
        Verdict = Verdict.Skipped,
        Message = why,
    };
}
