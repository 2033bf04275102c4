using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Pool;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Telemetry;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Executor.Queue;

/// <summary>
/// This executor's part in the shared run queue: it announces itself (identity, slots, queue) every
/// heartbeat, pulls as many entries as it has free slots (synchronous lane first; submissions never take
/// the reserved slots), takes over entries of executors that are gone, and runs each through
/// <see cref="RunService"/> with the queue's start step as the gate just before the job reaches a sandbox.
/// Woken by a message when a run is queued, with a short poll as a safety net.
/// </summary>
public sealed class QueueWorker(
    RedisRunQueue queue,
    RunService runs,
    ContainerPool pool,
    RunAdmission admission,
    EngineState engine,
    Microsoft.AspNetCore.Hosting.Server.IServer server,
    IOptions<QueueWorkerOptions> queueOptions,
    IOptions<PoolOptions> poolOptions,
    ExecutorIdentity identity,
    ILogger<QueueWorker> logger) : BackgroundService
{
    /// <summary>How long a result waits for Redis to store it: long enough to outlast an engine restart that takes Redis along.</summary>
    private static readonly TimeSpan ReportFor = TimeSpan.FromSeconds(60);

    private readonly QueueWorkerOptions _options = queueOptions.Value;
    private readonly int _capacity = poolOptions.Value.MaxConcurrentRuns;
    private readonly WakeSignal _wake = new();
    private readonly Lock _inFlightLock = new();
    private readonly HashSet<Task> _inFlight = [];
    private int _running;
    private int _asyncRunning;
    private readonly TaskCompletionSource _announced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A run that names no version gets its language's newest, so entries are taken only once every
        // present image's version is known (seconds after start-up; at most a minute on a cold machine):
        // taken earlier, a run would be refused a version its image has.
        var versionsKnownBy = DateTime.UtcNow.AddMinutes(1);
        while (!stoppingToken.IsCancellationRequested && DateTime.UtcNow < versionsKnownBy
            && pool.Status() is var status && (!status.Any(s => s.Version is not null) || status.Any(s => s.ImagePresent && s.Version is null)))
        {
            await Task.Delay(250, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        var heartbeat = HeartbeatAsync(stoppingToken);
        var subscribed = false;
        var groupsReady = false;
        var lastClaim = DateTime.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Redis may be down when the executor starts: it serves direct calls meanwhile and joins later
                // (the client re-subscribes by itself after a reconnect, once subscribed).
                if (!subscribed)
                {
                    await queue.Subscriber.SubscribeAsync(RunQueueKeys.Wake, (_, _) => _wake.Set());
                    subscribed = true;
                }
                if (!groupsReady)
                {
                    await queue.EnsureGroupsAsync();
                    groupsReady = true;
                }
                var took = 0;
                // Nothing is started before the first heartbeat has landed: a run marked running under an
                // identity the queue has never heard of is taken for an executor that is gone, and reaped
                // (the soak saw runs an executor had just restarted for reported lost while they ran).
                if (engine.IsUp && _announced.Task.IsCompleted)
                {
                    if (DateTime.UtcNow - lastClaim > TimeSpan.FromMilliseconds(_options.ClaimIdleMs / 2.0))
                    {
                        lastClaim = DateTime.UtcNow;
                        took += await PullAsync((lane, count) => queue.ClaimFromDeadAsync(lane, identity.Name, TimeSpan.FromMilliseconds(_options.ClaimIdleMs), count));
                    }
                    took += await PullAsync((lane, count) => queue.ReadAsync(lane, identity.Name, count));
                }
                if (took == 0)
                {
                    await _wake.WaitAsync(TimeSpan.FromMilliseconds(_options.PollIntervalMs), stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data (restarted without persistence): the groups come back on the next turn.
                groupsReady = false;
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogWarning("The run queue is unreachable ({Error}); retrying", e.Message);
                await Task.Delay(1_000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        await heartbeat;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Runs already started finish and report (within the host's shutdown timeout); then leave, so
        // admission stops counting this executor at once instead of after its heartbeat lapses.
        Task[] inFlight;
        lock (_inFlightLock)
        {
            inFlight = [.. _inFlight];
        }
        await Task.WhenAll(inFlight).WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        try
        {
            await queue.LeaveAsync(identity.Name);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            logger.LogInformation("Could not leave the run queue ({Error}); the heartbeat lapses by itself", e.Message);
        }
    }

    /// <summary>Reads from the synchronous lane, then the asynchronous one within its share; starts each entry.</summary>
    private async Task<int> PullAsync(Func<RunLane, int, Task<IReadOnlyList<QueueEntry>>> read)
    {
        var took = 0;
        foreach (var lane in (RunLane[])[RunLane.Sync, RunLane.Async])
        {
            var free = FreeCapacity(lane);
            if (free <= 0)
            {
                continue;
            }
            foreach (var entry in await read(lane, free))
            {
                Interlocked.Increment(ref _running);
                if (lane == RunLane.Async)
                {
                    Interlocked.Increment(ref _asyncRunning);
                }
                Track(ProcessAsync(entry));
                took++;
            }
        }
        return took;
    }

    private int FreeCapacity(RunLane lane)
    {
        // Runs on the direct path (the gateway's fallback while Redis was away) hold slots too.
        var busy = Math.Max(Volatile.Read(ref _running), admission.Running + admission.Waiting);
        var free = _capacity - busy;
        return lane == RunLane.Sync ? free : Math.Min(free, _capacity - _options.SyncReservedRuns - Volatile.Read(ref _asyncRunning));
    }

    private void Track(Task task)
    {
        lock (_inFlightLock)
        {
            _inFlight.Add(task);
        }
        task.ContinueWith(t =>
        {
            lock (_inFlightLock)
            {
                _inFlight.Remove(t);
            }
        }, TaskScheduler.Default);
    }

    private async Task ProcessAsync(QueueEntry entry)
    {
        await Task.Yield();
        var run = entry.Run;
        // Clocks of different hosts may disagree a little; a negative wait is none.
        var queuedMs = Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - run.EnqueuedAt);
        var parent = ActivityContext.TryParse(run.TraceParent, run.TraceState, isRemote: true, out var context) ? context : default;
        // The wait in the queue as its own span of the caller's trace, then the run under a consumer span.
        using (var wait = ExecutorTelemetry.Source.StartActivity("queue.wait", ActivityKind.Internal, parent,
            startTime: DateTimeOffset.FromUnixTimeMilliseconds(run.EnqueuedAt)))
        {
            wait?.SetTag("quicktry.queue.lane", entry.Lane == RunLane.Sync ? "sync" : "async");
            wait?.SetTag("quicktry.queue.requeues", run.Requeues);
        }
        using var consume = ExecutorTelemetry.Source.StartActivity("queue.consume", ActivityKind.Consumer, parent);
        consume?.SetTag("quicktry.run.id", run.Id);
        consume?.SetTag("quicktry.executor", identity.Name);
        // Where the start step stands: not asked, applied (the run is ours, as "running"), or unknown (Redis
        // failed while it was asked). A run that is ours never stays "running" without an end.
        var start = StartStep.NotAsked;
        try
        {
            RunRequest? request = null;
            try
            {
                request = JsonSerializer.Deserialize<RunRequest>(run.Request, ContractJson.Options);
            }
            catch (JsonException)
            {
                // Refused below.
            }
            if (request is null)
            {
                await queue.RefuseAsync(entry, RunStates.Invalid, JsonSerializer.Serialize(
                    new Dictionary<string, string[]> { [""] = ["The run request is not valid JSON for the executor."] }, ContractJson.Options));
                return;
            }
            // The plan as a direct call's headers would carry it, read the same way: a runtime that is not a
            // runtime name is refused, as the direct call refuses it, not run under this executor's default.
            if (!PlanWire.TryRead(run.Isolation, run.Runtime, out var plan, out var planError))
            {
                await queue.RefuseAsync(entry, RunStates.Invalid, JsonSerializer.Serialize(
                    new Dictionary<string, string[]> { ["runtime"] = [planError!] }, ContractJson.Options));
                return;
            }
            // A live run's output goes out as it is read, fire-and-forget on one connection, so it arrives in order.
            var channel = RunQueueKeys.Live(run.Id);
            void Publish(LiveMessage message) =>
                queue.Subscriber.Publish(channel, JsonSerializer.SerializeToUtf8Bytes(message, ContractJson.Options), CommandFlags.FireAndForget);
            var live = run.Live
                ? new LiveRun((stream, text) => Publish(LiveMessage.Output(stream, text)), CaseFinished: test => Publish(LiveMessage.CaseEnded(test)))
                : null;
            var outcome = await runs.ExecuteAsync(request, run.Client, plan, CancellationToken.None, run.Id,
                async _ =>
                {
                    start = StartStep.Unknown;
                    var started = await queue.StartAsync(entry, identity.Name) == RunStates.Running;
                    start = started ? StartStep.Applied : StartStep.NotAsked;
                    if (started && live is not null)
                    {
                        Publish(new LiveMessage { Type = RunEventNames.Started });
                    }
                    return started;
                }, live);
            if (live is not null)
            {
                Publish(new LiveMessage { Type = RunQueueKeys.LiveEnd });
            }
            switch (outcome)
            {
                case RunOutcome.Completed completed:
                    var json = JsonSerializer.SerializeToUtf8Bytes(completed.Result with
                    {
                        Executor = identity.Name,
                        // The wait in the shared queue is part of the run's wait for a slot.
                        QueueTimeMs = completed.Result.QueueTimeMs + queuedMs,
                        TotalTimeMs = completed.Result.TotalTimeMs + queuedMs,
                    }, ContractJson.Options);
                    var state = await FinishAsync(run.Id, json);
                    if (state != RunStates.Done)
                    {
                        logger.LogWarning("Run {RunId} ended here but the queue has it {State}; its result is dropped", run.Id, state);
                    }
                    break;
                case RunOutcome.Invalid invalid:
                    await queue.RefuseAsync(entry, RunStates.Invalid, JsonSerializer.Serialize(invalid.Errors, ContractJson.Options));
                    break;
                case RunOutcome.Busy or RunOutcome.Unavailable when run.Requeues < _options.MaxRequeues:
                    // Nothing ran here: another executor may have a slot or a working engine.
                    if (await queue.RequeueAsync(entry) is var requeued and not "queued")
                    {
                        logger.LogWarning("Run {RunId} could not go back to the queue: it is {State}", run.Id, requeued);
                    }
                    break;
                case RunOutcome.Unavailable unavailable:
                    await queue.RefuseAsync(entry, RunStates.Unavailable, "Nothing ran: " + unavailable.Reason);
                    break;
                case RunOutcome.Busy:
                    await queue.RefuseAsync(entry, RunStates.Unavailable, "Nothing ran: every executor that took the run was busy.");
                    break;
                case RunOutcome.NotStarted:
                    consume?.SetTag("quicktry.queue.withdrawn", true);
                    break;
            }
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            logger.LogWarning("Run {RunId}: the run queue failed ({Error})", run.Id, e.Message);
            ExecutorTelemetry.Fail(consume, e);
            if (start is StartStep.Unknown or StartStep.NotAsked)
            {
                // The start step may have been applied with its answer lost, before the job was sent; or it was
                // never asked and the entry, still pending here, could not be put back or refused: nobody takes
                // over a live executor's pending entries, so it would stay "queued" until its start-by (ten
                // minutes for a submission; seen in RedisEngineRestartTests). Once Redis answers, the run is
                // ended "unavailable" (nothing ran) or put back in the queue.
                await SettleUnknownStartAsync(entry);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Run {RunId} from the queue failed", run.Id);
            ExecutorTelemetry.Fail(consume, e);
            // Not left pending or running under a live executor (nobody would take it over, and the reaper only
            // after the longest run): a run not started yet ends unavailable; one started here ends lost.
            try
            {
                if (start == StartStep.NotAsked)
                {
                    await queue.RefuseAsync(entry, RunStates.Unavailable, "Nothing ran: the executor failed before starting the run.");
                }
                else
                {
                    await queue.AbandonAsync(run.Id, identity.Name, RunStates.Lost,
                        $"The executor failed during the run ({e.GetType().Name}). The run may have started; its result is gone and it is not run again.");
                }
            }
            catch (Exception again) when (RunQueueRedis.IsUnavailable(again))
            {
                logger.LogWarning("Run {RunId} could not be ended ({Error})", run.Id, again.Message);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            if (entry.Lane == RunLane.Async)
            {
                Interlocked.Decrement(ref _asyncRunning);
            }
            _wake.Set();
        }
    }

    /// <summary>
    /// A run the queue failed under before its job was sent (the start step's answer lost, or the entry never
    /// started and not yet put back), settled once Redis answers (for as long as a result would be waited
    /// for): a run the start step made ours ends "unavailable", since no job was sent; an entry still queued
    /// goes back to the queue for any executor.
    /// </summary>
    private async Task SettleUnknownStartAsync(QueueEntry entry)
    {
        var since = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                var state = (await queue.GetAsync(entry.Run.Id))?.State;
                var settled = state switch
                {
                    RunStates.Running => await queue.AbandonAsync(entry.Run.Id, identity.Name, RunStates.Unavailable,
                        "Nothing ran: the run queue failed as the run was starting."),
                    RunStates.Queued => await queue.RequeueAsync(entry),
                    _ => state,
                };
                logger.LogInformation("Run {RunId}, whose start step went unanswered, is {State}", entry.Run.Id, settled ?? "gone");
                return;
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e) && Stopwatch.GetElapsedTime(since) < ReportFor)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogWarning("Run {RunId}, whose start step went unanswered, is left to the reaper ({Error})", entry.Run.Id, e.Message);
                return;
            }
        }
    }

    private enum StartStep
    {
        NotAsked,
        Unknown,
        Applied,
    }

    /// <summary>
    /// A result is worth waiting for Redis: a run that happened must be reported, not left to the reaper, when
    /// Redis is away for a while (the engine hosting it restarting takes ~10 s). The gateway waiting for the run
    /// gives up after the run's own limits and its grace; a report later than that finds the run lost.
    /// </summary>
    private async Task<string> FinishAsync(string id, byte[] json)
    {
        var since = Stopwatch.GetTimestamp();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await queue.FinishAsync(id, identity.Name, json);
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e) && Stopwatch.GetElapsedTime(since) < ReportFor)
            {
                if (attempt == 1)
                {
                    logger.LogWarning("Run {RunId} ended but its result could not be stored ({Error}); trying until Redis answers", id, e.Message);
                }
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250 * attempt, 1_000)));
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken stoppingToken)
    {
        var url = _options.AdvertisedUrl;
        var failing = false;
        var ttl = TimeSpan.FromMilliseconds(_options.HeartbeatTtlMs);
        long? lastBeat = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            url ??= server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            // An executor whose engine is down offers nothing, so admission does not count it.
            var offer = engine.IsUp
                ? new ExecutorOffer(identity.Name, _capacity, poolOptions.Value.MaxQueueLength, url ?? "")
                : new ExecutorOffer(identity.Name, 0, 0, url ?? "");
            try
            {
                // Bounded: a heartbeat stuck on a dead connection must not hold the next ones back.
                await queue.HeartbeatAsync(offer, ttl).WaitAsync(ttl / 2, stoppingToken);
                if (failing)
                {
                    logger.LogInformation("The run queue is reachable again; executor {identity.Name} announced", identity.Name);
                }
                else if (lastBeat is { } last && Stopwatch.GetElapsedTime(last) > ttl)
                {
                    // Admission and the reaper took this executor for gone meanwhile: its running runs were reported lost.
                    logger.LogWarning("Heartbeat {Gap} ms after the last one, past its {Ttl} ms lifetime", (long)Stopwatch.GetElapsedTime(last).TotalMilliseconds, _options.HeartbeatTtlMs);
                }
                lastBeat = Stopwatch.GetTimestamp();
                failing = false;
                _announced.TrySetResult();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                if (!failing)
                {
                    logger.LogWarning("Heartbeat failed ({Error}); runs reach this executor directly until Redis is back", e.Message);
                }
                failing = true;
            }
            await Task.Delay(_options.HeartbeatIntervalMs, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
