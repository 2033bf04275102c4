using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.Live;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Piston;

/// <summary>
/// Piston's interactive WebSocket, <c>/api/v2/connect</c> (api/src/api/v2.js): an <c>init</c> message
/// within a second, then <c>runtime</c>, <c>stage</c>, <c>data</c> and <c>exit</c> messages from the
/// server and <c>data</c> (stdin) and <c>signal</c> messages from the client; closed with Piston's codes
/// (4999 when the job completed, 4002 after an <c>error</c> message, ...). An interpreted language's
/// output is sent as it is written; a compiled one's is sent when the run ends, so that the compile
/// stage's messages come first, as Piston orders them. Any signal kills the run.
/// </summary>
public static class PistonConnect
{
    private static readonly HashSet<string> Signals =
    [
        "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCONT", "SIGFPE", "SIGHUP", "SIGILL", "SIGINT", "SIGIO", "SIGKILL",
        "SIGPIPE", "SIGPROF", "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP",
        "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGWINCH", "SIGXCPU", "SIGXFSZ",
    ];

    public static async Task<IResult> RunAsync(HttpContext context, LanguageDirectory languages, SyncRunner runner,
        IOptions<GatewayOptions> gateway, CancellationToken cancellationToken)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.BadRequest(new PistonMessage("/api/v2/connect speaks WebSocket"));
        }
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new LiveSocket(webSocket, gateway.Value.MaxBodyBytes);
        var (code, reason) = await ServeAsync(context, socket, languages, runner, cancellationToken);
        await socket.CloseAsync((WebSocketCloseStatus)code, reason);
        return TypedResults.Empty;
    }

    private static async Task<(int Code, string Reason)> ServeAsync(HttpContext context, LiveSocket socket, LanguageDirectory languages,
        SyncRunner runner, CancellationToken cancellationToken)
    {
        JsonObject? init;
        using (var initWait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            initWait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                init = await socket.ReceiveAsync<JsonObject>(initWait.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (4001, "Initialization Timeout");
            }
            catch (InvalidDataException e)
            {
                return await NotifyAsync(socket, e.Message, cancellationToken);
            }
        }
        string? type;
        PistonExecuteRequest? request;
        try
        {
            type = init?.Deserialize<ConnectMessage>()?.Type;
            request = init?.Deserialize<PistonExecuteRequest>();
        }
        catch (JsonException e)
        {
            return await NotifyAsync(socket, e.Message, cancellationToken);
        }
        switch (type)
        {
            case null:
                return (1000, "");
            case "data" or "signal":
                return (4003, "Not yet initialized");
            case not "init":
                return (1000, "");
        }
        var (run, language, problem, unavailable) = await PistonApi.TranslateAsync(request!, languages, cancellationToken);
        // Piston writes an interactive job's stdin only as data messages arrive: init's own stdin is not used.
        run = run is null ? null : run with { Stdin = "" };
        if (problem is not null || unavailable)
        {
            return await NotifyAsync(socket, problem ?? "The executor is unavailable; retry in a few seconds.", cancellationToken);
        }
        await SendAsync(socket, new
        {
            type = "runtime",
            language = PistonRuntimes.PistonName(language!),
            version = PistonVersions.Coerce(language!.Version)?.ToString() ?? language.Version,
        }, cancellationToken);

        using var closed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = LiveSocket.InputChannel();
        var closing = new TaskCompletionSource<(int, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = ReadClientAsync(socket, stdin.Writer, closed, closing);
        // Closed before the reader is stopped: cancelling a pending receive aborts the socket, and could lose the last messages.
        async Task<(int, string)> EndAsync(int code, string reason)
        {
            await socket.FinishAsync(reading, closed, (WebSocketCloseStatus)code, reason);
            return (code, reason);
        }
        var observer = new PistonObserver(socket, language.Compiled);
        RunResult? result;
        Refusal? refusal;
        try
        {
            (result, refusal) = await runner.RunAsync(context, run!, closed.Token, observer, stdin.Reader);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client closed, broke the protocol or sent a signal: the run was killed with its socket.
            var (code, reason) = closing.Task.IsCompleted ? closing.Task.Result : (1000, "");
            return await EndAsync(code, reason);
        }
        if (result is null)
        {
            await NotifyAsync(socket, refusal!.StatusCode == StatusCodes.Status429TooManyRequests ? "Too many requests; retry later." : "The run could not start; retry later.", cancellationToken);
            return await EndAsync(4002, "Notified Error");
        }
        var response = PistonTranslation.ToResponse(result, language);
        if (response.Compile is { } compile)
        {
            await SendAsync(socket, new { type = "stage", stage = "compile" }, cancellationToken);
            await SendOutputAsync(socket, compile.Stdout, compile.Stderr, cancellationToken);
            await SendAsync(socket, new { type = "exit", stage = "compile", code = compile.Code, signal = compile.Signal }, cancellationToken);
            if (compile.Code != 0)
            {
                return await EndAsync(4999, "Job Completed");
            }
            await SendAsync(socket, new { type = "stage", stage = "run" }, cancellationToken);
            await SendOutputAsync(socket, response.Run.Stdout, response.Run.Stderr, cancellationToken);
        }
        await SendAsync(socket, new { type = "exit", stage = "run", code = response.Run.Code, signal = response.Run.Signal }, cancellationToken);
        return await EndAsync(4999, "Job Completed");
    }

    /// <summary>Piston's error: a message, then close 4002 (a close reason is limited to 123 bytes).</summary>
    private static async Task<(int, string)> NotifyAsync(LiveSocket socket, string message, CancellationToken cancellationToken)
    {
        await SendAsync(socket, new { type = "error", message }, cancellationToken);
        return (4002, "Notified Error");
    }

    private static async Task SendOutputAsync(LiveSocket socket, string stdout, string stderr, CancellationToken cancellationToken)
    {
        if (stdout.Length > 0)
        {
            await SendAsync(socket, new { type = "data", stream = "stdout", data = stdout }, cancellationToken);
        }
        if (stderr.Length > 0)
        {
            await SendAsync(socket, new { type = "data", stream = "stderr", data = stderr }, cancellationToken);
        }
    }

    private static Task SendAsync(LiveSocket socket, object message, CancellationToken cancellationToken) =>
        socket.SendAsync(message, cancellationToken);

    /// <summary>The client's messages while the job runs: stdin, signals (which kill the run), and Piston's protocol errors.</summary>
    private static async Task ReadClientAsync(LiveSocket socket, ChannelWriter<string> stdin, CancellationTokenSource closed,
        TaskCompletionSource<(int, string)> closing)
    {
        try
        {
            while (await socket.ReceiveAsync<ConnectMessage>(closed.Token) is { } message)
            {
                (int, string)? end = message switch
                {
                    { Type: "init" } => (4000, "Already Initialized"),
                    { Type: "data", Stream: "stdin" } => null,
                    { Type: "data" } => (4004, "Can only write to stdin"),
                    { Type: "signal", Signal: { } signal } when Signals.Contains(signal) => (1000, "Killed by " + signal),
                    { Type: "signal" } => (4005, "Invalid signal"),
                    _ => null,
                };
                if (end is { } close)
                {
                    closing.TrySetResult(close);
                    break;
                }
                if (message.Data is not null)
                {
                    await stdin.WriteAsync(message.Data, closed.Token);
                }
            }
            await closed.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // The job ended.
        }
        catch (Exception e) when (e is WebSocketException or InvalidDataException or ObjectDisposedException)
        {
            await closed.CancelAsync();
        }
        finally
        {
            stdin.TryComplete();
        }
    }

    /// <summary>Output as Piston's <c>data</c> messages: live for an interpreted language (after <c>stage run</c>); a compiled one's waits for the result.</summary>
    private sealed class PistonObserver(LiveSocket socket, bool compiled) : IRunObserver
    {
        public Task StartedAsync(string runId, CancellationToken cancellationToken) =>
            compiled ? Task.CompletedTask : SendAsync(socket, new { type = "stage", stage = "run" }, cancellationToken);

        public Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken) =>
            compiled ? Task.CompletedTask
                : SendAsync(socket, new { type = "data", stream = stream == OutputStream.Stderr ? "stderr" : "stdout", data = text }, cancellationToken);

        // Piston's requests have no test cases: there are none to pass on.
        public Task TestCaseAsync(TestCaseResult result, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// A message of Piston's WebSocket protocol from the client. <c>init</c> carries the fields of
    /// <c>execute</c> beside its type, read as a <see cref="PistonExecuteRequest"/> from the same JSON.
    /// </summary>
    private sealed record ConnectMessage
    {
        [JsonPropertyName("type")] public string? Type { get; init; }
        [JsonPropertyName("stream")] public string? Stream { get; init; }
        [JsonPropertyName("data")] public string? Data { get; init; }
        [JsonPropertyName("signal")] public string? Signal { get; init; }
    }
}
