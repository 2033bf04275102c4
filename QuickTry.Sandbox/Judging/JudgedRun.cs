using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Judging;

/// <summary>
/// A judged run in progress on the read loop: each case's collector, the cases judged so far, and what the
/// runner is told after each.
/// </summary>
internal sealed class JudgedRun(JudgedCases judged, AppliedLimits limits, Action<TestCaseResult>? caseFinished)
{
    public static readonly byte[] Next = "next\n"u8.ToArray();
    public static readonly byte[] Stop = "stop\n"u8.ToArray();

    private readonly List<TestCaseResult> _results = [];
    // The first case's collector holds the compile step; later cases' hold only their own output.
    private CollectedOutput? _first;

    /// <summary>The collector of the case now running, once the first has been replaced.</summary>
    public OutputCollector? Collector { get; private set; }

    /// <summary>The current collector's output has been taken (its case judged).</summary>
    public bool LastFinished { get; private set; }

    public bool AllReported => _results.Count == judged.Cases.Count;

    /// <summary>The program runs (no compile step, or one that succeeded): what the collector reports is a case.</summary>
    public bool ProgramRan(OutputCollector collector) =>
        Collector is not null || !collector.ExpectsCompile || collector.CompileExitCode == 0;

    /// <summary>Judges the case that just ended; true when the runner should run the next one.</summary>
    public bool CaseEnded(CollectedOutput output, KillReason? killed, double measuredMs, bool oomKilled = false)
    {
        _first ??= output;
        LastFinished = true;
        var result = CaseJudge.Judge(judged.Cases[_results.Count], judged, output, killed, oomKilled, measuredMs, limits);
        _results.Add(result);
        caseFinished?.Invoke(result);
        return !AllReported && killed is null && (!judged.StopOnFirstFailure || result.Verdict == Verdict.Accepted);
    }

    /// <summary>Replaces the collector of the case that was judged with one for the next case.</summary>
    public OutputCollector NextCollector(OutputCollector judgedCase, int outputCap, int compileCap, string nonce)
    {
        judgedCase.Dispose();
        Collector = new OutputCollector(outputCap, compiled: false, compileCap, nonce);
        LastFinished = false;
        return Collector;
    }

    /// <summary>
    /// Once the streams ended: judges the case the sandbox ended during, if any (<paramref name="unfinished"/>,
    /// the last collector's output when it was not taken as a case yet; <paramref name="programRan"/> when it is
    /// a case's rather than a failed compile step's). Returns the run's output as a whole: the first case's,
    /// which holds the compile step.
    /// </summary>
    public CollectedOutput Settle(CollectedOutput? unfinished, bool programRan, KillReason? killed, bool oomKilled, double measuredMs)
    {
        if (unfinished is not null)
        {
            if (programRan && !AllReported)
            {
                CaseEnded(unfinished, killed, measuredMs, oomKilled);
            }
            _first ??= unfinished;
        }
        return _first!;
    }

    /// <summary>Every case: those judged, then the rest skipped with the reason they did not run.</summary>
    public IReadOnlyList<TestCaseResult> Results(KillReason? killed)
    {
        var why = _results.Count == 0
            ? "Not run: the program was not built."
            : killed is not null || _results[^1].Verdict == Verdict.Skipped
                ? $"Not run: the sandbox ended during case '{_results[^1].Name}'."
                : $"Not run: case '{_results[^1].Name}' was not accepted and the run stops at the first failure.";
        return [.. _results, .. judged.Cases.Skip(_results.Count).Select(c => CaseJudge.Skipped(c, why))];
    }
}
