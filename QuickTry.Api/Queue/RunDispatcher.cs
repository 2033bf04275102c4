using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using QuickTry.Api.Live;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;
using QuickTry.Api.Telemetry;
using QuickTry.Protocol;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// Where a synchronous run goes: through the shared queue to whichever executor has a free slot (admitted
/// at once or refused at once), or, when the queue is off or Redis is unreachable, to the configured
/// executors directly. Either way the answer is a result, a refusal, or "nothing ran" — never a guess.
/// </summary>
public sealed class RunDispatcher(
    RedisRunQueue queue,
    RunReplies replies,
    ExecutorClient direct,
    AnnouncedExecutors announced,
    IOptions<GatewayQueueOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<RunDispatcher> logger)
{
    private readonly GatewayQueueOptions _options = options.Value;

    /// <summary>Whether runs can be queued now (on, Redis connected, this replica listening for results).</summary>
    public bool QueueAvailable => _options.Enabled && queue.IsConnected && replies.Listening;

    public Task<ExecutorAnswer> RunAsync(RunRequest request, string runId, ClientIdentity client, LanguageInfo language, CancellationToken cancellationToken) =>
        QueueAvailable ? QueueAsync(request, runId, client, language, null, cancellationToken) : DirectAsync(request, client, cancellationToken);

    /// <summary>
    /// A run whose output <paramref name="observer"/> watches as it is written. A streamed run goes through
    /// the queue like any other (its output is published on the run's live channel); an interactive one
    /// (<paramref name="stdin"/> set) needs a connection to one executor for as long as it runs, so it goes
    /// to an executor directly: those announcing themselves in the queue (most slots first), then the configured ones.
    /// </summary>
    public Task<ExecutorAnswer> RunLiveAsync(RunRequest request, string runId, ClientIdentity client, LanguageInfo language,
        IRunObserver observer, ChannelReader<string>? stdin, CancellationToken cancellationToken) =>
        stdin is null && QueueAvailable
            ? QueueAsync(request, runId, client, language, observer, cancellationToken)
            : DirectLiveAsync(request, runId, client, language, observer, stdin, cancellationToken);

    private async Task<ExecutorAnswer> QueueAsync(RunRequest request, string runId, ClientIdentity client, LanguageInfo language,
        IRunObserver? observer, CancellationToken cancellationToken)
    {
        Task<RunEnd> ended;
        QueueAdmission admission;
        LiveChannel? live = null;
        Task<QueueAdmission> AdmitAsync()
        {
            ended = replies.Expect(runId);
            return queue.AdmitAsync(RunLane.Sync, [new NewRun(ToEntry(runId, request, client, time) with { Live = observer is not null }, client.DisplayName,
                _options.StartTimeoutMs, _options.SyncResultTtlSeconds * 1000L, replies.Channel)]);
        }
        try
        {
            using var enqueue = ApiTelemetry.Source.StartActivity("queue.enqueue", ActivityKind.Producer);
            // A live run's channel is listened to before the run can start, so no output is missed.
            live = observer is null ? null : await LiveChannel.ListenAsync(queue.Subscriber, runId, observer, cancellationToken);
            admission = await AdmitAsync();
            if (admission is QueueAdmission.Duplicate)
            {
                // The trace id came from the caller (a traceparent header) and names a run that exists: this
                // run gets an id of its own, so no caller can reach another's run by choosing its trace.
                replies.Forget(runId);
                runId = Guid.CreateVersion7().ToString("N");
                if (live is not null)
                {
                    await live.DisposeAsync();
                    live = await LiveChannel.ListenAsync(queue.Subscriber, runId, observer!, cancellationToken);
                }
                admission = await AdmitAsync();
            }
            enqueue?.SetTag("quicktry.queue.admission", admission.GetType().Name.ToLowerInvariant());
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            // Nothing was queued (or if the write landed, nobody will start it after its start-by): go direct.
            replies.Forget(runId);
            if (live is not null)
            {
                await live.DisposeAsync();
            }
            logger.LogWarning("The run queue failed ({Error}); running {RunId} on an executor directly", e.Message, runId);
            return observer is null
                ? await DirectAsync(request, client, cancellationToken)
                : await DirectLiveAsync(request, runId, client, language, observer, null, cancellationToken);
        }
        await using var listening = live;
        switch (admission)
        {
            case QueueAdmission.NoExecutor:
                replies.Forget(runId);
                logger.LogInformation("Run {RunId} refused: no executor is announcing itself to the queue", runId);
                return new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(5));
            case QueueAdmission.Full or QueueAdmission.Duplicate:
                replies.Forget(runId);
                return new ExecutorAnswer.Busy(TimeSpan.FromSeconds(1));
        }
        return await WaitAsync(runId, ended, request, language, client, live, cancellationToken);
    }

    /// <summary>The queue entry for a run, carrying the current trace so the executor's spans join it.</summary>
    public static QueuedRun ToEntry(string runId, RunRequest request, ClientIdentity client, TimeProvider time)
    {
        var (isolation, runtime) = PlanWire.Write(client.Plan.Sandbox);
        return new()
        {
            Id = runId,
            Request = JsonSerializer.Serialize(request, ContractJson.Options),
            Client = client.DisplayName,
            Isolation = isolation,
            Runtime = runtime,
            EnqueuedAt = time.GetUtcNow().ToUnixTimeMilliseconds(),
            TraceParent = Activity.Current?.Id,
            TraceState = Activity.Current?.TraceStateString,
        };
    }

    /// <summary>
    /// Waits for a queued run's end. A run is waited for no longer than it can take: its own limits and
    /// <see cref="GatewayQueueOptions.RunGraceMs"/> from its start. Past that a run still marked running is reported
    /// lost (its executor went away, or could not report it); with Redis unreadable, the answer is 503 once the
    /// start-by and that time have passed.
    /// </summary>
    private async Task<ExecutorAnswer> WaitAsync(string runId, Task<RunEnd> ended, RunRequest request, LanguageInfo language,
        ClientIdentity client, LiveChannel? live, CancellationToken cancellationToken)
    {
        var waitedFrom = time.GetTimestamp();
        var startTimeout = TimeSpan.FromMilliseconds(_options.StartTimeoutMs);
        var longestRun = TimeSpan.FromMilliseconds(RunGate.WorstCaseMs(request, language, client.Plan.Sandbox.Runtime) + _options.RunGraceMs);
        var ceiling = startTimeout + TimeSpan.FromSeconds(gateway.Value.ExecutorTimeoutSeconds);
        var giveUpAfter = startTimeout + longestRun < ceiling ? startTimeout + longestRun : ceiling;
        try
        {
            while (true)
            {
                var poll = Task.Delay(TimeSpan.FromMilliseconds(_options.ResultPollMs), time, cancellationToken);
                if (await Task.WhenAny(ended, poll) == ended)
                {
                    if (live is not null)
                    {
                        // The result and the output travel on different channels: pass on all output first.
                        await live.DrainAsync(TimeSpan.FromSeconds(2));
                    }
                    return Ended(await ended, request, language);
                }
                await poll;
                // The safety net: the message may have been missed (a reconnect); the state is authoritative.
                RunRecord? record;
                var unreadable = false;
                try
                {
                    record = await queue.GetAsync(runId);
                }
                catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
                {
                    unreadable = true;
                    record = new RunRecord(runId, RunStates.Running, null, null, null, null, null);
                    logger.LogDebug("Could not read run {RunId} ({Error})", runId, e.Message);
                }
                var waited = time.GetElapsedTime(waitedFrom);
                try
                {
                    switch (record)
                    {
                        case null:
                            // Redis lost the run's state (restarted without its data): nobody can say what happened.
                            return new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(5), Reached: true);
                        case { State: var state } when RunStates.IsFinal(state):
                            return Ended(RunEnd.From(record), request, language);
                        case { State: RunStates.Queued } when waited > startTimeout:
                            var after = await queue.WithdrawAsync(runId, RunLane.Sync, RunStates.Expired,
                                $"No executor started the run within {_options.StartTimeoutMs} ms; it never ran.");
                            if (after == RunStates.Expired)
                            {
                                return new ExecutorAnswer.Busy(TimeSpan.FromSeconds(2));
                            }
                            break;
                        case { State: RunStates.Running } when waited > longestRun && !unreadable:
                            // Lost once it has been running longer than its limits and the grace allow (Redis
                            // knows since when); the end then arrives as any other.
                            if (await queue.ReapAsync(runId, longestRun) == RunStates.Lost)
                            {
                                logger.LogWarning("Run {RunId} reported lost: not reported within {LongestRun} ms of its start",
                                    runId, (long)longestRun.TotalMilliseconds);
                            }
                            break;
                    }
                }
                catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
                {
                    unreadable = true;
                    logger.LogDebug("Could not end run {RunId} ({Error})", runId, e.Message);
                }
                if (waited > ceiling || waited > giveUpAfter && unreadable)
                {
                    return new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(5), Reached: true);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller went away: a run not started yet is withdrawn, so it never starts for nobody.
            try
            {
                await queue.WithdrawAsync(runId, RunLane.Sync, RunStates.Cancelled, "The caller went away before the run started; it never ran.");
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogDebug("Could not withdraw run {RunId} ({Error})", runId, e.Message);
            }
            throw;
        }
        finally
        {
            replies.Forget(runId);
        }
    }

    private ExecutorAnswer Ended(RunEnd end, RunRequest request, LanguageInfo language)
    {
        if (end.State != RunStates.Done)
        {
            logger.LogInformation("Queued run {RunId} ended {State}: {Detail}", end.Id, end.State, end.Text);
        }
        return ToAnswer(end, request, language);
    }

    /// <summary>A run's end as the gateway answers it.</summary>
    public static ExecutorAnswer ToAnswer(RunEnd end, RunRequest request, LanguageInfo language) => end.State switch
    {
        RunStates.Done => JsonSerializer.Deserialize<RunResult>(end.Payload.Span, ContractJson.Options) is { } result
            ? new ExecutorAnswer.Completed(result)
            : new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(1), Reached: true),
        RunStates.Invalid => new ExecutorAnswer.Invalid(
            JsonSerializer.Deserialize<Dictionary<string, string[]>>(end.Payload.Span, ContractJson.Options) ?? []),
        RunStates.Expired => new ExecutorAnswer.Busy(TimeSpan.FromSeconds(2)),
        RunStates.Lost => new ExecutorAnswer.Completed(LostResult(end, request, language)),
        _ => new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(5)),
    };

    /// <summary>
    /// A run whose executor died after starting it: an internal error (not billed), saying so. It is not
    /// re-run, since it may already have had effects.
    /// </summary>
    private static RunResult LostResult(RunEnd end, RunRequest request, LanguageInfo language) =>
        LostResult(end.Id, end.Text, request, language);

    private static RunResult LostResult(string runId, string message, RunRequest request, LanguageInfo language)
    {
        return new RunResult
        {
            RunId = runId,
            Lang = language.Name,
            Version = language.Version,
            Status = RunStatus.InternalError,
            Limits = LimitRules.Apply(request.Limits, language.Limits),
            Message = message,
        };
    }

    /// <summary>A live run on one executor, over a WebSocket held for as long as it runs.</summary>
    private async Task<ExecutorAnswer> DirectLiveAsync(RunRequest request, string runId, ClientIdentity client, LanguageInfo language,
        IRunObserver observer, ChannelReader<string>? stdin, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("quicktry.path", "direct");
        var (socket, refusal) = await direct.StartLiveAsync(request, client.DisplayName, client.Plan.Sandbox, stdin is not null,
            await announced.GetAsync(), cancellationToken);
        if (socket is null)
        {
            return refusal!;
        }
        using var owned = socket.Socket;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var typing = stdin is null ? Task.CompletedTask : ForwardInputAsync(socket, stdin, stop.Token);
        try
        {
            await observer.StartedAsync(runId, cancellationToken);
            while (true)
            {
                LiveMessage? message;
                try
                {
                    message = await socket.ReceiveAsync<LiveMessage>(cancellationToken);
                }
                catch (Exception e) when (e is WebSocketException or InvalidDataException && !cancellationToken.IsCancellationRequested)
                {
                    logger.LogWarning("The live run {RunId} lost its executor ({Error})", runId, e.Message);
                    break;
                }
                // The observer's own failures (its caller is gone) are not the executor's: they go up as they are.
                switch (message)
                {
                    case null:
                        break;
                    case { Type: RunEventNames.Stdout or RunEventNames.Stderr, Text: { } text }:
                        await observer.OutputAsync(message.Type == RunEventNames.Stderr ? OutputStream.Stderr : OutputStream.Stdout, text, cancellationToken);
                        continue;
                    case { Type: RunEventNames.Test, Test: { } test }:
                        await observer.TestCaseAsync(test, cancellationToken);
                        continue;
                    case { Type: RunEventNames.Result, Result: { } result }:
                        return new ExecutorAnswer.Completed(result);
                    default:
                        continue;
                }
                break;
            }
        }
        finally
        {
            await stop.CancelAsync();
            await typing;
            await socket.CloseAsync();
        }
        // The executor kills a run whose socket closes: it did not finish, and what it did is unknown.
        return new ExecutorAnswer.Completed(LostResult(runId,
            "The connection to the executor broke during the run; the run was stopped and its result is unknown.", request, language));
    }

    /// <summary>An interactive run's input, passed on as the caller types it; the caller's end of input closes the program's stdin.</summary>
    private static async Task ForwardInputAsync(LiveSocket socket, ChannelReader<string> stdin, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var text in stdin.ReadAllAsync(cancellationToken))
            {
                await socket.SendAsync(new LiveMessage { Type = RunEventNames.Stdin, Text = text }, cancellationToken);
            }
            await socket.SendAsync(new LiveMessage { Type = RunEventNames.Eof }, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // The run ended, or its socket broke (the read loop reports that).
        }
    }

    private async Task<ExecutorAnswer> DirectAsync(RunRequest request, ClientIdentity client, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("quicktry.path", "direct");
        return await direct.ExecuteAsync(request, client.DisplayName, client.Plan.Sandbox, cancellationToken);
    }
}
