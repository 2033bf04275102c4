using System.Threading.Channels;

namespace QuickTry.Sandbox.Runs;

/// <summary>
/// The live side of a run: its output as the program writes it and, for an interactive run, its stdin as
/// the caller types it. A run without one is collected and answered whole.
/// </summary>
/// <param name="Output">
/// Called on the run's read loop with each piece of output (capped as the result is, marks removed); it
/// must not block. What it receives, joined, is exactly the result's <c>stdout</c> and <c>stderr</c>.
/// </param>
/// <param name="Stdin">
/// For an interactive run: text for the program's stdin as it comes; completing the channel ends the
/// program's stdin. An interactive run gets a container of its own (a slot's stdin carries its next job).
/// </param>
/// <param name="CaseFinished">
/// For a judged run: called on the read loop with each test case's result as it ends (program output then
/// comes only in these, not through <paramref name="Output"/>); it must not block.
/// </param>
public sealed record LiveRun(Action<OutputStream, string> Output, ChannelReader<string>? Stdin = null, Action<TestCaseResult>? CaseFinished = null)
{
    public bool Interactive => Stdin is not null;
}
