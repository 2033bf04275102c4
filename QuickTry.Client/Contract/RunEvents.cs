using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>
/// One piece of a live run. <c>POST /run</c> with <c>Accept: text/event-stream</c> sends them as server-sent
/// events: <c>event: stdout</c> / <c>event: stderr</c> with <c>data: {"text": "..."}</c> as the program
/// writes, then one <c>event: result</c> whose data is the <see cref="RunResult"/>. The interactive
/// WebSocket (<c>/run/ws</c>) sends the same as JSON messages with a <c>type</c> of <c>stdout</c>,
/// <c>stderr</c> or <c>result</c>.
/// </summary>
public abstract record RunEvent;

/// <summary>Output the program wrote, in the order it arrived (the caps of the run apply).</summary>
/// <param name="Stream">Which stream it was written on.</param>
/// <param name="Text">The text (UTF-8; a character split across two writes arrives whole in the later one).</param>
public sealed record RunOutput(OutputStream Stream, string Text) : RunEvent;

/// <summary>
/// A judged run's test case ended: its result, as the run's result will list it. Sent instead of the
/// program's output for judged runs, once per case in order.
/// </summary>
/// <param name="Case">The case's result.</param>
public sealed record TestCaseEnded(TestCaseResult Case) : RunEvent;

/// <summary>The run ended: its result, as <c>POST /run</c> would have answered it. Always the last event.</summary>
/// <param name="Result">The result.</param>
public sealed record RunCompleted(RunResult Result) : RunEvent;

/// <summary>The stream a piece of output was written on.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OutputStream>))]
public enum OutputStream
{
    /// <summary>Standard output.</summary>
    [JsonStringEnumMemberName("stdout")] Stdout,

    /// <summary>Standard error.</summary>
    [JsonStringEnumMemberName("stderr")] Stderr,
}

/// <summary>The names of live events on the wire (server-sent event names and WebSocket message types).</summary>
public static class RunEventNames
{
    /// <summary>Output on stdout: <c>{"text": "..."}</c>.</summary>
    public const string Stdout = "stdout";

    /// <summary>Output on stderr: <c>{"text": "..."}</c>.</summary>
    public const string Stderr = "stderr";

    /// <summary>The result: a <see cref="RunResult"/>.</summary>
    public const string Result = "result";

    /// <summary>A judged run's test case ended: a <see cref="TestCaseResult"/> (WebSocket: in the message's <c>test</c>).</summary>
    public const string Test = "test";

    /// <summary>
    /// A sandbox took the run and its job is being sent: <c>{"runId": "..."}</c> (server-sent events, where an
    /// interactive run adds <c>"stdin": "/run/{id}/stdin"</c>) or <c>{"type": "started", "runId": "..."}</c> (WebSocket).
    /// </summary>
    public const string Started = "started";

    /// <summary>WebSocket only, client to server: <c>{"type": "stdin", "text": "..."}</c>, input for the running program.</summary>
    public const string Stdin = "stdin";

    /// <summary>WebSocket only, client to server: <c>{"type": "eof"}</c>, the program's stdin ends.</summary>
    public const string Eof = "eof";

    /// <summary>WebSocket only, server to client: the run could not start; <c>{"type": "error", "status": 400, "title": "...", "detail": "...", "retryAfter": 5}</c>, then the socket closes.</summary>
    public const string Error = "error";

    /// <summary>The event name of an output stream.</summary>
    public static string Of(OutputStream stream) => stream == OutputStream.Stderr ? Stderr : Stdout;
}
