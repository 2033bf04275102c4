namespace QuickTry.Api.Live;

/// <summary>Who watches a live run: told when a sandbox took it, then each piece of output in order.</summary>
public interface IRunObserver
{
    /// <summary>The run <paramref name="runId"/> started: from here on it has a result (the refusals, 400/429/503, come before).</summary>
    Task StartedAsync(string runId, CancellationToken cancellationToken);

    /// <summary>A piece of output, as the program wrote it (capped as the result is).</summary>
    Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken);

    /// <summary>A judged run's test case ended (such runs send their output in these, not as output).</summary>
    Task TestCaseAsync(TestCaseResult result, CancellationToken cancellationToken);
}
