using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace QuickTry.Client;

/// <summary>
/// A run that is going on (<c>/run/ws</c>): write to its stdin as it runs, read its output as it is
/// written, then its result. Disposing it before the result closes the socket, which kills the run.
/// Start one with <see cref="QuickTryClient.StartInteractiveAsync"/>.
/// </summary>
public sealed class InteractiveRun : IAsyncDisposable
{
    // A result carries at most the output caps (1 MiB each by default) and the compiler's output.
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private readonly ClientWebSocket _webSocket;
    private readonly LiveSocket _socket;

    private InteractiveRun(ClientWebSocket webSocket)
    {
        _webSocket = webSocket;
        _socket = new LiveSocket(webSocket, MaxMessageBytes);
    }

    /// <summary>Opens the socket, sends the request and waits until a sandbox took the run.</summary>
    /// <exception cref="QuickTryException">The API refused the run (see its subclasses).</exception>
    internal static async Task<InteractiveRun> StartAsync(Uri address, HttpMessageInvoker http, string? apiKeyHeader, string? apiKey,
        RunRequest request, CancellationToken cancellationToken)
    {
        var webSocket = new ClientWebSocket();
        if (apiKey is not null)
        {
            webSocket.Options.SetRequestHeader(apiKeyHeader!, apiKey);
        }
        var run = new InteractiveRun(webSocket);
        try
        {
            await webSocket.ConnectAsync(address, http, cancellationToken);
            await run._socket.SendAsync(request, cancellationToken);
            var first = await run._socket.ReceiveAsync<LiveMessage>(cancellationToken)
                ?? throw new HttpRequestException("The API closed the interactive run before it started.");
            if (first.Type == RunEventNames.Error)
            {
                throw QuickTryException.From((HttpStatusCode)(first.Status ?? 500), first.Title, first.Detail, type: null,
                    first.Errors?.ToDictionary() ?? new Dictionary<string, string[]>(),
                    first.RetryAfter is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            }
            if (first.Type != RunEventNames.Started)
            {
                throw new QuickTryException(HttpStatusCode.OK, "The API answered an interactive run with an unexpected message.", first.Type, null);
            }
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends <paramref name="text"/> to the program's stdin (add <c>\n</c> to end a line).</summary>
    public Task WriteAsync(string text, CancellationToken cancellationToken = default) =>
        _socket.SendAsync(new LiveMessage { Type = RunEventNames.Stdin, Text = text }, cancellationToken);

    /// <summary>Ends the program's stdin: a program reading to the end of its input ends its loop.</summary>
    public Task EndInputAsync(CancellationToken cancellationToken = default) =>
        _socket.SendAsync(new LiveMessage { Type = RunEventNames.Eof }, cancellationToken);

    /// <summary>The output as it is written (<see cref="RunOutput"/>), then the result (<see cref="RunCompleted"/>), which ends the sequence.</summary>
    /// <exception cref="HttpRequestException">The socket closed before the result.</exception>
    public async IAsyncEnumerable<RunEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            LiveMessage? message;
            try
            {
                message = await _socket.ReceiveAsync<LiveMessage>(cancellationToken);
            }
            catch (WebSocketException e)
            {
                throw new HttpRequestException("The interactive run's socket broke before its result.", e);
            }
            switch (message)
            {
                case null:
                    throw new HttpRequestException("The API closed the interactive run before its result.");
                case { Type: RunEventNames.Stdout or RunEventNames.Stderr, Text: { } text }:
                    yield return new RunOutput(message.Type == RunEventNames.Stderr ? OutputStream.Stderr : OutputStream.Stdout, text);
                    break;
                case { Type: RunEventNames.Test, Test: { } test }:
                    yield return new TestCaseEnded(test);
                    break;
                case { Type: RunEventNames.Result, Result: { } result }:
                    yield return new RunCompleted(result);
                    await _socket.CloseAsync();
                    yield break;
            }
        }
    }

    /// <summary>Closes the socket: a run that has not ended is killed.</summary>
    public async ValueTask DisposeAsync()
    {
        await _socket.CloseAsync();
        _webSocket.Dispose();
    }
}
