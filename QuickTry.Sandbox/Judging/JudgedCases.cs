namespace QuickTry.Sandbox.Judging;

/// <summary>A test case that passed validation: its name, input and (kept outside the sandbox) expected output.</summary>
public sealed record PreparedCase(string Name, string Stdin, IReadOnlyList<string> Args, string? ExpectedOutput);

/// <summary>A judged run's cases and how their outputs are compared.</summary>
/// <param name="Compare">One of <see cref="OutputComparisons.All"/>.</param>
/// <param name="Tolerance">For <see cref="OutputComparisons.Numbers"/>: absolute or relative.</param>
/// <param name="StopOnFirstFailure">The cases after the first one not accepted are skipped.</param>
public sealed record JudgedCases(IReadOnlyList<PreparedCase> Cases, string Compare, double Tolerance, bool StopOnFirstFailure);
