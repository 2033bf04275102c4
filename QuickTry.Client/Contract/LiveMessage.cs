namespace QuickTry.Client;

/// <summary>
/// One message of a live run over a WebSocket (<c>/run/ws</c>), as JSON text. The client sends the
/// <see cref="RunRequest"/> first, then <c>stdin</c> and <c>eof</c> messages; the server sends
/// <c>started</c> once a sandbox took the run, <c>stdout</c>/<c>stderr</c> as the program writes,
/// then <c>result</c> (or <c>error</c> if the run could not start) and closes.
/// </summary>
public sealed record LiveMessage
{
    /// <summary>What the message is: one of <see cref="RunEventNames"/>.</summary>
    public required string Type { get; init; }

    /// <summary>In a <c>started</c> message: the run's id (its result's <c>runId</c>, the id of its trace).</summary>
    public string? RunId { get; init; }

    /// <summary>Output (<c>stdout</c>, <c>stderr</c>) or input (<c>stdin</c>).</summary>
    public string? Text { get; init; }

    /// <summary>The run's result, in a <c>result</c> message.</summary>
    public RunResult? Result { get; init; }

    /// <summary>A judged run's test case, in a <c>test</c> message.</summary>
    public TestCaseResult? Test { get; init; }

    /// <summary>In an <c>error</c> message: the HTTP status <c>POST /run</c> would have answered (400, 429, 503, ...).</summary>
    public int? Status { get; init; }

    /// <summary>In an <c>error</c> message: what went wrong.</summary>
    public string? Title { get; init; }

    /// <summary>In an <c>error</c> message: more about it.</summary>
    public string? Detail { get; init; }

    /// <summary>In an <c>error</c> message for 429 or 503: seconds to wait before trying again.</summary>
    public int? RetryAfter { get; init; }

    /// <summary>In an <c>error</c> message for 400: the invalid fields and why.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }

    /// <summary>A piece of output.</summary>
    public static LiveMessage Output(OutputStream stream, string text) => new() { Type = RunEventNames.Of(stream), Text = text };

    /// <summary>A judged run's test case ended.</summary>
    public static LiveMessage CaseEnded(TestCaseResult test) => new() { Type = RunEventNames.Test, Test = test };

    /// <summary>The run's result.</summary>
    public static LiveMessage Completed(RunResult result) => new() { Type = RunEventNames.Result, Result = result };

    /// <summary>The run could not start.</summary>
    public static LiveMessage Refused(int status, string title, string? detail = null, TimeSpan? retryAfter = null, IDictionary<string, string[]>? errors = null) => new()
    {
        Type = RunEventNames.Error,
        Status = status,
        Title = title,
        Detail = detail,
        RetryAfter = retryAfter is { } wait ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : null,
        Errors = errors,
    };
}
