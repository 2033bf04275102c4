using System.Diagnostics;
using Docker.DotNet;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox.Runs;

/// <summary>
/// A run's lifecycle: validate → admit (bounded) → take a warm sandbox of the run's isolation → execute →
/// hand it back (a slot, once its wipe is verified) or remove it. Cleanup is in <c>finally</c>, so a failed
/// run never keeps an admission or a container. A run that could not
/// start because the engine failed is "unavailable" (503, nothing ran, nothing billed), unless its start gate
/// had already let it start (the queue cannot give it to another executor); a run the engine failed after its
/// job was sent, or after that gate, is an <c>internal_error</c> result.
/// </summary>
public sealed class RunService(
    RunValidator validator,
    EngineState engine,
    RunAdmission admission,
    ContainerPool pool,
    SandboxRunner runner,
    IOptions<IsolationOptions> isolationOptions,
    TimeProvider time,
    ExecutorTelemetry telemetry,
    ILogger<RunService> logger)
{
    /// <summary>Runs <paramref name="request"/> with the sandbox's own isolation and runtime (no caller plan).</summary>
    public Task<RunOutcome> ExecuteAsync(RunRequest request, CancellationToken cancellationToken = default) =>
        ExecuteAsync(request, client: null, PlanSandbox.None, cancellationToken);

    /// <param name="client">Who the run is for, as the gateway names it (never an API key); for traces.</param>
    /// <param name="plan">
    /// What the caller's plan asks of the sandbox: the stricter of its isolation and the executor's applies;
    /// its runtime, when it names one, decides.
    /// </param>
    /// <param name="runId">The run's id when the caller assigned one (the queue's); else the trace id.</param>
    /// <param name="startGate">
    /// Asked once a sandbox is ready, just before the job is sent: false means the run must not start
    /// (the queue gave it to someone else, or its caller gave up). Nothing has run at that point.
    /// </param>
    /// <param name="live">Where the output goes as it is written, and for an interactive run where its stdin comes from.</param>
    public async Task<RunOutcome> ExecuteAsync(RunRequest request, string? client, PlanSandbox plan, CancellationToken cancellationToken,
        string? runId = null, Func<CancellationToken, Task<bool>>? startGate = null, LiveRun? live = null)
    {
        await pool.LearnVersionsAsync(request.EffectiveLang, cancellationToken);
        if (!validator.TryPrepare(request, plan.Runtime, out var run, out var errors))
        {
            return new RunOutcome.Invalid(errors);
        }
        if (live?.Interactive == true && run.Judged is not null)
        {
            // A judged run's stdin carries the executor's word between cases: nothing typed may reach it.
            return new RunOutcome.Invalid(new Dictionary<string, string[]>
            {
                ["tests"] = ["A run with test cases cannot be interactive: each case's input is its 'stdin'."],
            });
        }
        var language = run.Language.Name;
        using var activity = ExecutorTelemetry.Source.StartActivity($"run {language}");
        activity?.SetTag("quicktry.language", language);
        activity?.SetTag("quicktry.client", client);
        ExecutorTelemetry.DescribeLimits(activity, run.Limits);
        // An interactive run needs a stdin of its own, which only a one-run container has.
        var isolation = live?.Interactive == true ? Isolation.Container : isolationOptions.Value.For(language, plan.Isolation);
        var kind = new SandboxKind(isolation, run.Runtime);
        activity?.SetTag("quicktry.run.live", live is null ? null : live.Interactive ? "interactive" : "stream");
        activity?.SetTag("quicktry.isolation", kind.Isolation.ToWireName());
        activity?.SetTag("quicktry.runtime", kind.Runtime);
        // The run id is the trace id, so a user's report leads straight to the trace.
        runId ??= activity?.TraceId.ToHexString() ?? Guid.CreateVersion7().ToString("N");
        activity?.SetTag("quicktry.run.id", runId);

        if (!engine.IsUp && engine.LastError is null)
        {
            // Just started: the engine's first check takes milliseconds; a run that came first waits for it.
            try
            {
                await engine.WaitUntilUpAsync(cancellationToken).WaitAsync(FirstCheckWait, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Still unknown: answered below as unavailable.
            }
        }
        if (!engine.IsUp)
        {
            return Unavailable(activity, language, $"the Docker engine is not reachable ({engine.LastError ?? "not checked yet"})");
        }
        if (!engine.Declares(kind.Runtime))
        {
            // Never a quiet fallback to another runtime: the caller's result would claim a sandbox it did not get.
            return Unavailable(activity, language, $"the Docker engine does not declare the runtime '{kind.Runtime}' these runs need"
                + (kind.Runtime == SandboxRuntimes.Gvisor ? " (scripts/setup.sh --gvisor registers gVisor's)" : ""));
        }
        var queued = time.GetTimestamp();
        if (!await EnterAsync(cancellationToken))
        {
            telemetry.Rejected(language, "busy");
            activity?.SetStatus(ActivityStatusCode.Error, "busy: no sandbox slot free and the queue is full");
            return new RunOutcome.Busy(admission.RetryAfter);
        }
        var queueTime = time.GetElapsedTime(queued);
        SandboxContainer? container = null;
        SandboxOutcome? outcome = null;
        // Once the gate has said go, the queue holds the run as started here and will not hand it to anyone
        // else: if no sandbox can then take it, its end is an internal error saying nothing ran, not "unavailable".
        var started = false;
        string? notStarted = null;
        RunResult result;
        try
        {
            // A container that turns out dead before the job reached it ran nothing: one more try on a
            // fresh one is not a second run. Past the job's sending, a failure is the run's result.
            var sending = false;
            for (var attempt = 1; outcome is null && notStarted is null; attempt++)
            {
                try
                {
                    container = await pool.TakeAsync(run.Language, kind, run.Limits, cancellationToken);
                    if (startGate is not null && !await startGate(cancellationToken))
                    {
                        // Nothing was sent to the sandbox: it goes back to the pool untouched.
                        pool.Return(container, Task.FromResult(true));
                        container = null;
                        activity?.SetStatus(ActivityStatusCode.Error, "not started: the queue withdrew the run");
                        return new RunOutcome.NotStarted();
                    }
                    started |= startGate is not null;
                    startGate = null;
                    sending = true;
                    outcome = await runner.RunAsync(container, run, cancellationToken, live);
                }
                catch (Exception e) when (e is SandboxNotStartedException || IsEngineFailure(e) && !sending)
                {
                    sending = false;
                    if (container is not null)
                    {
                        pool.Return(container, reusable: null);
                        container = null;
                    }
                    if (attempt == 2 || !engine.IsUp)
                    {
                        logger.LogWarning(e, "Run {RunId} in {Language} could not start a sandbox", runId, language);
                        ExecutorTelemetry.Fail(activity, e);
                        if (!started)
                        {
                            return Unavailable(activity, language, "no sandbox could be started: " + e.Message);
                        }
                        notStarted = $"No sandbox could be started for the run ({e.Message}); nothing ran.";
                    }
                }
            }
            var version = pool.VersionOf(language) ?? LanguageVersions.Unknown;
            result = outcome is null
                ? RunResultMapper.InternalError(run, runId, kind, version, notStarted!)
                : RunResultMapper.ToResult(run, runId, kind, outcome, version, queueTime, time.GetElapsedTime(queued));
            if (outcome is not null && result.Status == RunStatus.InternalError && !engine.IsUp)
            {
                result = result with { Message = "The Docker engine went away during the run; the run did not complete." };
            }
        }
        catch (Exception e) when (IsEngineFailure(e))
        {
            logger.LogError(e, "Run {RunId} in {Language} failed in the sandbox engine", runId, language);
            ExecutorTelemetry.Fail(activity, e);
            result = RunResultMapper.InternalError(run, runId, kind, pool.VersionOf(language) ?? LanguageVersions.Unknown,
                "The sandbox engine failed; the run did not complete.");
        }
        finally
        {
            if (container is not null)
            {
                pool.Return(container, outcome?.Reusable);
            }
            admission.Exit();
        }
        ExecutorTelemetry.Describe(activity, result);
        telemetry.RunEnded(result, queueTime, time.GetElapsedTime(queued));
        // Status, sizes and timings only: code, stdin and output never reach the logs.
        logger.LogInformation("Run {RunId} in {Language} ended {Status} (exit {ExitCode}) in {WallTimeMs} ms after {QueueTimeMs} ms queued",
            runId, language, result.Status.ToWireName(), result.ExitCode, result.WallTimeMs, result.QueueTimeMs);
        return new RunOutcome.Completed(result);
    }

    private static bool IsEngineFailure(Exception e) =>
        e is DockerApiException or HttpRequestException or IOException or TimeoutException;

    private RunOutcome.Unavailable Unavailable(Activity? activity, string language, string reason)
    {
        telemetry.Rejected(language, "unavailable");
        activity?.SetStatus(ActivityStatusCode.Error, "unavailable: " + reason);
        return new RunOutcome.Unavailable(UnavailableRetryAfter, reason);
    }

    private static readonly TimeSpan FirstCheckWait = TimeSpan.FromSeconds(5);

    /// <summary>How soon to try again when the engine failed: it restarts in seconds, the pool refills after.</summary>
    private static readonly TimeSpan UnavailableRetryAfter = TimeSpan.FromSeconds(5);

    private async Task<bool> EnterAsync(CancellationToken cancellationToken)
    {
        using var queue = ExecutorTelemetry.Source.StartActivity("queue");
        var entered = await admission.TryEnterAsync(cancellationToken);
        queue?.SetTag("quicktry.queue.waiting", admission.Waiting);
        queue?.SetTag("quicktry.queue.admitted", entered);
        if (!entered)
        {
            queue?.SetStatus(ActivityStatusCode.Error, "busy");
        }
        return entered;
    }
}

/// <summary>What <see cref="RunService"/> can answer: a result, a refusal for bad input, or busy.</summary>
public abstract record RunOutcome
{
    private RunOutcome() { }

    public sealed record Completed(RunResult Result) : RunOutcome;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : RunOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : RunOutcome;

    /// <summary>The sandbox engine could not start the run; nothing ran.</summary>
    public sealed record Unavailable(TimeSpan RetryAfter, string Reason) : RunOutcome;

    /// <summary>The start gate said no (the run was taken, withdrawn or expired in the queue); nothing ran.</summary>
    public sealed record NotStarted : RunOutcome;
}
