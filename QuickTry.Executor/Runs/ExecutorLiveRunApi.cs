using System.Net.WebSockets;
using System.Threading.Channels;

namespace QuickTry.Executor.Runs;

/// <summary>
/// The executor's live runs, called by QuickTry.Api: a WebSocket at <c>/runs/live</c> that takes a
/// <see cref="RunRequest"/>, then (with <c>?interactive=true</c>) stdin as the caller types it, and sends
/// <c>started</c>, the output as it is written and the result (see <see cref="LiveMessage"/>). A socket
/// closed before the result kills the run.
/// </summary>
public static class ExecutorLiveRunApi
{
    // A request is code, files and stdin: the executor's own caps (LimitsOptions) apply after this one.
    private const int MaxMessageBytes = 8 * 1024 * 1024;

    public static IEndpointRouteBuilder MapExecutorLiveRunApi(this IEndpointRouteBuilder app)
    {
        app.Map("/runs/live", RunAsync).WithTags("Runs").WithName("RunLive").ExcludeFromDescription();
        return app;
    }

    public static async Task RunAsync(HttpContext context, RunService runs, ExecutorIdentity identity)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        if (!ExecutorRunApi.TryReadPlan(context.Request, out var client, out var plan, out var problem))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(problem!);
            return;
        }
        var interactive = string.Equals(context.Request.Query["interactive"], "true", StringComparison.OrdinalIgnoreCase);
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new LiveSocket(webSocket, MaxMessageBytes);
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        RunRequest? request;
        try
        {
            request = await socket.ReceiveAsync<RunRequest>(gone.Token);
        }
        catch (Exception e) when (e is InvalidDataException or WebSocketException)
        {
            await socket.SendAsync(LiveMessage.Refused(StatusCodes.Status400BadRequest, "The run request is invalid.", e.Message), CancellationToken.None);
            await socket.CloseAsync();
            return;
        }
        if (request is null)
        {
            return;
        }

        // Output is queued here and sent by one loop, so the read loop of the sandbox never waits on the network.
        var outgoing = Channel.CreateUnbounded<LiveMessage>(new UnboundedChannelOptions { SingleReader = true });
        var stdin = interactive ? LiveSocket.InputChannel() : null;
        var sending = SendAllAsync(socket, outgoing.Reader, gone);
        var receiving = socket.ReadInputAsync(stdin?.Writer, gone);
        var live = new LiveRun((stream, text) => outgoing.Writer.TryWrite(LiveMessage.Output(stream, text)), stdin?.Reader,
            test => outgoing.Writer.TryWrite(LiveMessage.CaseEnded(test)));
        var outcome = await runs.ExecuteAsync(request, client, plan, gone.Token, startGate: _ =>
        {
            outgoing.Writer.TryWrite(new LiveMessage { Type = RunEventNames.Started });
            return Task.FromResult(true);
        }, live: live);
        outgoing.Writer.TryWrite(outcome switch
        {
            RunOutcome.Completed completed => LiveMessage.Completed(completed.Result with { Executor = identity.Name }),
            RunOutcome.Invalid invalid => LiveMessage.Refused(StatusCodes.Status400BadRequest, "The run request is invalid.", errors: invalid.Errors),
            RunOutcome.Busy busy => LiveMessage.Refused(StatusCodes.Status503ServiceUnavailable, "The executor is busy.",
                "Every sandbox slot is taken and the queue is full.", busy.RetryAfter),
            RunOutcome.Unavailable down => LiveMessage.Refused(StatusCodes.Status503ServiceUnavailable, "The executor cannot run sandboxes right now.",
                $"Nothing ran: {down.Reason}.", down.RetryAfter),
            _ => LiveMessage.Refused(StatusCodes.Status503ServiceUnavailable, "The run did not start.", retryAfter: TimeSpan.FromSeconds(1)),
        });
        outgoing.Writer.Complete();
        await sending;
        await socket.FinishAsync(receiving, gone);
    }

    private static async Task SendAllAsync(LiveSocket socket, ChannelReader<LiveMessage> messages, CancellationTokenSource gone)
    {
        try
        {
            await foreach (var message in messages.ReadAllAsync(CancellationToken.None))
            {
                await socket.SendAsync(message, gone.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller is gone: the run is killed through the token.
            await gone.CancelAsync();
        }
    }

}
