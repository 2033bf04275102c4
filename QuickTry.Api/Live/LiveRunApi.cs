using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Live;

/// <summary>
/// <c>/run/ws</c>: an interactive run over a WebSocket. The client sends the run request, then stdin as
/// the program runs (<c>stdin</c>, <c>eof</c>); it receives <c>started</c>, the output as it is written and
/// the <c>result</c> (or an <c>error</c> with the status <c>POST /run</c> would have answered). Closing the
/// socket kills the run. Rate limits and quotas are those of <c>POST /run</c>.
/// </summary>
public static class LiveRunApi
{
    public static RouteGroupBuilder MapLiveRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/run/ws").WithTags("Runs").RequirePerClientRateLimit();
        group.Map("", RunAsync)
            .WithName("RunInteractive")
            .WithSummary("Runs a snippet interactively over a WebSocket: stdin as it runs, output as it is written.")
            .ExcludeFromDescription();
        app.MapPost("/run/{id}/stdin", SendInputAsync)
            .WithTags("Runs")
            .WithName("RunInput")
            .WithSummary("Sends input to an interactive run streamed by POST /run?interactive=true (for clients without WebSockets).")
            .WithDescription("The body is the text, as it is (add a newline to end a line); ?eof=true then ends the program's input.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return group;
    }

    // One piece of typed input; a run's input has no other limit than its time limit.
    private const int MaxInputBytes = 64 * 1024;

    public static async Task<Results<NoContent, ProblemHttpResult>> SendInputAsync(
        string id, bool? eof, HttpContext context, InteractiveInputs inputs, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxInputBytes)
            {
                return TypedResults.Problem(title: "The input is too large.", detail: $"Send at most {MaxInputBytes} bytes at a time.",
                    statusCode: StatusCodes.Status413PayloadTooLarge);
            }
            buffer.Write(chunk, 0, read);
        }
        var text = System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        return await inputs.SendAsync(id, context.Client(), text, eof == true, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "No such interactive run is taking input.",
                detail: "Input goes to a run of yours streamed by POST /run?interactive=true, while it runs and before its input ended.",
                statusCode: StatusCodes.Status404NotFound);
    }

    public static async Task<IResult> RunAsync(
        HttpContext context, SyncRunner runner, IOptions<GatewayOptions> gateway, CancellationToken cancellationToken)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(title: "This endpoint speaks WebSocket.",
                detail: "Open a WebSocket to /run/ws, send the run request as JSON, then stdin messages.",
                statusCode: StatusCodes.Status400BadRequest);
        }
        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        var socket = new LiveSocket(webSocket, gateway.Value.MaxBodyBytes);
        await RelayAsync(context, socket, runner, cancellationToken);
        // After a run, RelayAsync has closed already; after a refusal of the request, this closes.
        await socket.CloseAsync();
        return TypedResults.Empty;
    }

    private static async Task RelayAsync(HttpContext context, LiveSocket socket, SyncRunner runner, CancellationToken cancellationToken)
    {
        RunRequest? request;
        try
        {
            request = await socket.ReceiveAsync<RunRequest>(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            await socket.SendAsync(LiveMessage.Refused(StatusCodes.Status400BadRequest, "The run request is invalid.", e.Message), cancellationToken);
            return;
        }
        if (request is null)
        {
            return;
        }
        using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stdin = LiveSocket.InputChannel();
        var typing = socket.ReadInputAsync(stdin.Writer, gone);
        RunResult? result;
        Refusal? refusal;
        try
        {
            (result, refusal) = await runner.RunAsync(context, request, gone.Token, new SocketObserver(socket), stdin.Reader);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The caller closed the socket: the executor killed the run when its own socket closed.
            await gone.CancelAsync();
            await typing;
            return;
        }
        finally
        {
            stdin.Writer.TryComplete();
        }
        await socket.SendAsync(result is not null ? LiveMessage.Completed(result) : refusal!.ToMessage(), cancellationToken);
        await socket.FinishAsync(typing, gone);
    }

    private sealed class SocketObserver(LiveSocket socket) : IRunObserver
    {
        public Task StartedAsync(string runId, CancellationToken cancellationToken) =>
            socket.SendAsync(new LiveMessage { Type = RunEventNames.Started, RunId = runId }, cancellationToken);

        public Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken) =>
            socket.SendAsync(LiveMessage.Output(stream, text), cancellationToken);

        public Task TestCaseAsync(TestCaseResult result, CancellationToken cancellationToken) =>
            socket.SendAsync(LiveMessage.CaseEnded(result), cancellationToken);
    }
}
