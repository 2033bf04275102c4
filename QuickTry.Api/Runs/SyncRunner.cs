using System.Diagnostics;
using System.Threading.Channels;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Live;
using QuickTry.Api.Queue;
using QuickTry.Api.Telemetry;

namespace QuickTry.Api.Runs;

/// <summary>
/// One synchronous run from a request that has been read: the gate (validation, ceilings, quota), the
/// dispatcher (queue or direct), and settlement. Shared by <c>POST /run</c> and Piston's
/// <c>POST /api/v2/execute</c>, so both see the same client identity, limits and quotas.
/// </summary>
public sealed class SyncRunner(RunGate gate, RunDispatcher dispatcher, ApiTelemetry telemetry, TimeProvider time)
{
    /// <summary>The run's result, or why it was refused (400, 429 or 503) when nothing ran.</summary>
    /// <param name="observer">Watches the output as it is written (a live run), when set.</param>
    /// <param name="stdin">The program's input as the caller types it (an interactive run), when set.</param>
    public async Task<(RunResult? Result, Refusal? Refusal)> RunAsync(HttpContext context, RunRequest request, CancellationToken cancellationToken,
        IRunObserver? observer = null, ChannelReader<string>? stdin = null)
    {
        var client = context.Client();
        Activity.Current?.SetTag("quicktry.client", client.DisplayName);
        var (ticket, refusal) = await gate.PassAsync(client, request, cancellationToken);
        if (ticket is null)
        {
            return (null, refusal!);
        }
        var (executorRequest, language, reservation) = ticket;

        // The run id is the trace id, so a user's report leads straight to the trace.
        var runId = Activity.Current?.TraceId.ToHexString() ?? Guid.CreateVersion7().ToString("N");
        ExecutorAnswer answer;
        if (observer is null)
        {
            answer = await dispatcher.RunAsync(executorRequest, runId, client, language, cancellationToken);
        }
        else
        {
            var watched = new StartWatch(observer, time);
            try
            {
                answer = await dispatcher.RunLiveAsync(executorRequest, runId, client, language, watched, stdin, cancellationToken);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested || e is OperationCanceledException or IOException or System.Net.WebSockets.WebSocketException)
            {
                // The caller left a live run, which killed it: billed for as long as it ran, not its worst case.
                await gate.SettleAbandonedAsync(reservation, watched.RanFor);
                throw;
            }
        }
        if (answer is ExecutorAnswer.Completed completed)
        {
            // Settling only returns unused reservation: it need not hold up the response.
            context.Response.OnCompleted(() => gate.SettleAsync(reservation, completed.Result));
            Activity.Current?.SetTag("quicktry.run.id", completed.Result.RunId);
            Activity.Current?.SetTag("quicktry.run.status", completed.Result.Status.ToWireName());
            return (completed.Result, null);
        }

        // Nothing ran: give the reservation back.
        await gate.SettleAsync(reservation, null);
        telemetry.Rejected(answer is ExecutorAnswer.Busy ? "busy" : answer is ExecutorAnswer.Invalid ? "invalid" : "unavailable");
        Activity.Current?.SetStatus(ActivityStatusCode.Error, answer.GetType().Name.ToLowerInvariant());
        return (null, answer switch
        {
            ExecutorAnswer.Invalid invalid => Refusal.Invalid(invalid.Errors),
            ExecutorAnswer.Busy busy => Refusal.Unavailable(busy.RetryAfter, "The executor is busy."),
            ExecutorAnswer.Unavailable down => Refusal.Unavailable(down.RetryAfter, "The executor is unavailable."),
            _ => throw new InvalidOperationException($"Unexpected answer {answer.GetType().Name}."),
        });
    }

    /// <summary>Passes a live run's events on, and notes when it started (a sandbox took it).</summary>
    private sealed class StartWatch(IRunObserver observer, TimeProvider time) : IRunObserver
    {
        private long? _startedAt;

        /// <summary>How long the run has been running, or null if it never started.</summary>
        public TimeSpan? RanFor => _startedAt is { } started ? time.GetElapsedTime(started) : null;

        public Task StartedAsync(string runId, CancellationToken cancellationToken)
        {
            _startedAt ??= time.GetTimestamp();
            return observer.StartedAsync(runId, cancellationToken);
        }

        public Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken) =>
            observer.OutputAsync(stream, text, cancellationToken);

        public Task TestCaseAsync(TestCaseResult result, CancellationToken cancellationToken) =>
            observer.TestCaseAsync(result, cancellationToken);
    }
}
