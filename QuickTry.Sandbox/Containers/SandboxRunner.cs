using System.Diagnostics;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Judging;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// Runs one prepared job in one warm container: attach, send the job, read output under caps. The runner
/// inside kills the program at its time limit; if it has not reported a grace period later, or output
/// went past its cap, or the caller left, the whole container is killed (cancelling a stream would leave
/// the process running). A slot that ended its run normally is handed back once its wipe is verified.
/// </summary>
public sealed class SandboxRunner(
    IDockerClient docker,
    SandboxContainerFactory containers,
    MemoryPeakReset memoryPeak,
    OomReports oomReports,
    IOptions<SandboxOptions> sandboxOptions,
    TimeProvider time,
    ILogger<SandboxRunner> logger)
{
    // How long a killed container may take to close its streams before we stop waiting for it.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);
    // How long a slot may take to wipe and verify after a run before it is given up.
    private static readonly TimeSpan WipeTimeout = TimeSpan.FromSeconds(10);
    private const int ReadBufferBytes = 16 * 1024;
    // How long a sandbox that died of a SIGKILL nobody here sent waits for the engine's OOM report.
    private static readonly TimeSpan OomReportWait = TimeSpan.FromSeconds(1);
    private const int ExitBySigKill = 128 + 9;

    private readonly SandboxOptions _sandbox = sandboxOptions.Value;

    /// <summary>
    /// Runs <paramref name="run"/> in <paramref name="container"/>. A one-run container is spent afterwards;
    /// a slot may serve again if <see cref="SandboxOutcome.Reusable"/> completes with true.
    /// </summary>
    internal async Task<SandboxOutcome> RunAsync(SandboxContainer container, PreparedRun run, CancellationToken cancellationToken, LiveRun? live = null)
    {
        // Only a one-run container may hand its stdin to the program; a slot's carries its next job.
        var interactive = live?.Interactive == true && container.Isolation == Isolation.Container;
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var isSlot = container.Isolation == Isolation.Slot;
        // RLIMIT_NPROC counts per uid in one kernel: a slot's uid is its run's alone; under gVisor every
        // container has a kernel of its own. Under runc, one-run containers share uid 10001 across the host
        // and rely on the container's PID limit instead.
        var perUidProcesses = isSlot || container.Runtime == SandboxRuntimes.Gvisor ? run.Limits.Pids : 0;
        var payload = RunPayload.Build(run, nonce, _sandbox.CompileOutputBytes, perUidProcesses, interactive);
        MultiplexedStream stream;
        bool peakIsRunOwn;
        try
        {
            await containers.ApplyLimitsAsync(container, run.Limits, cancellationToken);
            stream = await docker.Containers.AttachContainerAsync(container.Id, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true }, cancellationToken);
            // A fresh container's peak is this run's; a slot's must be reset first, or it spans earlier runs.
            peakIsRunOwn = container.Runs == 0 || memoryPeak.TryReset(container.Id);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The job has not been sent: nothing ran, and the caller may try another container.
            throw new SandboxNotStartedException(container.Id, e);
        }
        // A judged run's output reaches a live caller case by case, in the cases' results.
        var judging = run.Judged is null ? null : new JudgedRun(run.Judged, run.Limits, live?.CaseFinished);
        var collector = new OutputCollector(run.Limits.OutputBytes, run.Language.IsCompiled, _sandbox.CompileOutputBytes, nonce,
            judging is null ? live?.Output : null, RunPayload.ExpectsArtifacts(run) ? run.Limits.ArtifactBytes : 0);
        SandboxOutcome? outcome = null;
        try
        {
            outcome = await ExchangeAsync(container, run, payload, nonce, interactive ? live!.Stdin : null, judging, collector, stream, peakIsRunOwn, cancellationToken);
            return outcome;
        }
        finally
        {
            // A slot that may serve again hands both to the reader of its wipe verdict.
            if (outcome?.Reusable is null)
            {
                stream.Dispose();
                (judging?.Collector ?? collector).Dispose();
            }
        }
    }

    private async Task<SandboxOutcome> ExchangeAsync(SandboxContainer container, PreparedRun run, byte[] payload, string nonce,
        System.Threading.Channels.ChannelReader<string>? stdin, JudgedRun? judging, OutputCollector collector, MultiplexedStream stream,
        bool peakIsRunOwn, CancellationToken cancellationToken)
    {
        Activity.Current?.SetTag("quicktry.isolation", container.Isolation.ToWireName());
        Activity.Current?.SetTag("quicktry.runtime", container.Runtime);
        Activity.Current?.SetTag("quicktry.sandbox.uid", container.Isolation == Isolation.Slot ? container.NextUid : SandboxContainerFactory.ProgramUid);
        container.Runs++;
        Activity.Current?.SetTag("quicktry.sandbox.run_index", container.Runs);
        var killer = new Killer(this, container.Id, stream);
        var started = time.GetTimestamp();
        long? runStarted = run.Language.IsCompiled ? null : started;
        var grace = _sandbox.WatchdogGraceMs;
        // Until the compile step reports, the program may take the compile limit plus its own.
        var firstDeadline = TimeSpan.FromMilliseconds(run.Language.IsCompiled
            ? run.Limits.CompileTimeMs + run.Limits.TimeMs + grace
            : run.Limits.TimeMs + grace);
        using var deadline = new CancellationTokenSource(firstDeadline, time);
        using var onDeadline = deadline.Token.Register(() => killer.Kill(KillReason.TimeLimit));
        using var onCancel = cancellationToken.Register(() => killer.Kill(KillReason.Cancelled));

        // Compile and execute are siblings under the run's span; they are started and ended by hand
        // because both are open while the same read loop runs.
        var stages = new Stages(container.Id);
        stages.Begin(run.Language.IsCompiled ? "sandbox.compile" : "sandbox.execute");

        using var stopTyping = new CancellationTokenSource();
        // A judged run's runner reads "next" before each case after the first: its stdin stays open.
        var writing = stdin is null
            ? WritePayloadAsync(stream, payload, closeStdin: container.Isolation == Isolation.Container && judging is null, killer)
            : WriteInteractiveAsync(stream, payload, run.Stdin, stdin, killer, stopTyping.Token);
        var buffer = new byte[ReadBufferBytes];
        try
        {
            while (true)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
                if (read.EOF)
                {
                    break;
                }
                collector.Append(read.Target == MultiplexedStream.TargetStream.StandardError, buffer.AsSpan(0, read.Count));
                if (runStarted is null && collector.CompileFinished)
                {
                    runStarted = time.GetTimestamp();
                    deadline.CancelAfter(TimeSpan.FromMilliseconds(run.Limits.TimeMs + grace));
                    stages.Current?.SetTag("quicktry.compile.exit_code", collector.CompileExitCode);
                    if (collector.CompileExitCode != 0)
                    {
                        stages.Current?.SetStatus(ActivityStatusCode.Error, "compile_error");
                    }
                    stages.Begin("sandbox.execute");
                }
                if (collector.CapExceeded)
                {
                    killer.Kill(KillReason.OutputLimit);
                }
                if (collector.Complete)
                {
                    if (judging is not null && judging.ProgramRan(collector) && !judging.AllReported)
                    {
                        // A test case reported: judge it, then tell the runner whether to run the next one.
                        var proceed = judging.CaseEnded(collector.Finish(), killed: null, time.GetElapsedTime(runStarted!.Value).TotalMilliseconds);
                        if (proceed)
                        {
                            await writing;
                            await stream.WriteAsync(JudgedRun.Next, 0, JudgedRun.Next.Length, CancellationToken.None);
                            collector = judging.NextCollector(collector, run.Limits.OutputBytes, _sandbox.CompileOutputBytes, nonce);
                            runStarted = time.GetTimestamp();
                            deadline.CancelAfter(TimeSpan.FromMilliseconds(run.Limits.TimeMs + grace));
                            continue;
                        }
                        if (!judging.AllReported)
                        {
                            await writing;
                            await stream.WriteAsync(JudgedRun.Stop, 0, JudgedRun.Stop.Length, CancellationToken.None);
                        }
                    }
                    // Everything arrived; the engine would take ~40 ms more to close the streams.
                    break;
                }
            }
        }
        catch (Exception e) when (killer.Reason is not null && e is IOException or ObjectDisposedException)
        {
            // The killer closed the stream after the container did not close it in time.
        }
        var finished = time.GetTimestamp();
        // The streams ended: a deadline passing from now on must not relabel a finished run.
        onDeadline.Dispose();
        onCancel.Dispose();
        // The program is gone: what the caller types from now on reaches nobody.
        await stopTyping.CancelAsync();
        await writing;

        CollectedOutput output;
        if (judging is null)
        {
            output = collector.Finish();
        }
        else
        {
            // A case the sandbox ended during, without its report (the watchdog, the output cap, the caller
            // leaving, the kernel's OOM killer taking the sandbox, or a runner that could not start the case
            // clean), is judged by what happened to it: the engine says whether the OOM killer struck.
            var unfinished = judging.LastFinished ? null : collector.Finish();
            var oomKilled = unfinished is { Trailer: null } && judging.ProgramRan(collector)
                && (await ExitStateAsync(container.Id, null, killer.Reason is not null, cancellationToken)).OomKilled;
            output = judging.Settle(unfinished, judging.ProgramRan(collector), killer.Reason, oomKilled,
                runStarted is { } began ? time.GetElapsedTime(began, finished).TotalMilliseconds : 0);
        }
        // A container that stopped or was removed under the run (by hand, by a reap) before its watchdog
        // found it silent never reported: the run's outcome is unknown, not a limit the program reached.
        var vanished = killer.Reason == KillReason.TimeLimit && output.Trailer is null && !await killer.WasRunning;
        // The runner killing the program at its limit is the time limit, as the watchdog's kill is; either
        // is told on the stage it cut short.
        var killed = killer.Reason ?? (output.Trailer?.TimedOut == true ? KillReason.TimeLimit : null);
        if (killed is { } reason)
        {
            stages.Current?.SetTag("quicktry.sandbox.killed", reason.ToString());
            stages.Current?.SetStatus(ActivityStatusCode.Error, reason == KillReason.TimeLimit ? "timeout" : reason.ToString());
        }
        stages.Begin("sandbox.collect");
        stages.Current?.SetTag("quicktry.run.truncated", output.StdoutTruncated || output.StderrTruncated);
        var state = await ExitStateAsync(container.Id, output.Trailer, killer.Reason is not null, cancellationToken);
        stages.Current?.SetTag("quicktry.sandbox.oom_killed", state.OomKilled);
        stages.End();
        if (collector.ProtocolError is { } protocolError)
        {
            logger.LogWarning("Sandbox {ContainerId} broke the runner protocol: {Error}", container.Id, protocolError);
        }
        // Only a slot whose runner reported normally, untouched by the watchdog, can serve again, and only
        // after it says its wipe was verified.
        var reusable = container.Isolation == Isolation.Slot && killer.Reason is null && collector.Complete
            && collector.ProtocolError is null && !container.Exhausted
            ? AwaitWipeAsync(container, stream, collector, buffer)
            : null;
        return new SandboxOutcome(
            output,
            killed,
            state.ExitCode,
            state.OomKilled,
            runStarted is { } s ? time.GetElapsedTime(s, finished).TotalMilliseconds : 0,
            collector.ProtocolError,
            peakIsRunOwn,
            reusable,
            judging?.Results(killer.Reason),
            vanished);
    }

    /// <summary>Reads the slot's verdict on its wipe; owns (and then disposes) the stream and collector.</summary>
    private async Task<bool> AwaitWipeAsync(SandboxContainer container, MultiplexedStream stream, OutputCollector collector, byte[] buffer)
    {
        try
        {
            using var timeout = new CancellationTokenSource(WipeTimeout, time);
            // Stream reads may ignore cancellation; a disposed stream always ends them.
            using var onTimeout = timeout.Token.Register(stream.Dispose);
            while (collector.WipeVerdict is null)
            {
                var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, CancellationToken.None);
                if (read.EOF)
                {
                    break;
                }
                collector.Append(read.Target == MultiplexedStream.TargetStream.StandardError, buffer.AsSpan(0, read.Count));
            }
            if (collector.WipeVerdict != "ok")
            {
                logger.LogWarning("Slot {ContainerId} ({Language}) is replaced after run {Run}: the wipe reported {Verdict}",
                    container.Id, container.Language, container.Runs, collector.WipeVerdict ?? "nothing");
            }
            return collector.WipeVerdict == "ok";
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or DockerApiException or HttpRequestException)
        {
            logger.LogWarning(e, "Slot {ContainerId} did not report its wipe; it is replaced", container.Id);
            return false;
        }
        finally
        {
            stream.Dispose();
            collector.Dispose();
        }
    }

    /// <param name="closeStdin">
    /// A one-run container's stdin ends with its job. A slot's must stay open: the engine ends the whole
    /// attach (output included) when its stdin closes, and the next job comes on a later attach.
    /// </param>
    private static async Task WritePayloadAsync(MultiplexedStream stream, byte[] payload, bool closeStdin, Killer killer)
    {
        try
        {
            await stream.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
            if (closeStdin)
            {
                stream.CloseWrite();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && killer.Reason is not null)
        {
            // The container was killed while we were still sending: the outcome already says why.
        }
    }

    /// <summary>
    /// An interactive run: the job, the request's stdin, then what the caller types as it comes; the
    /// caller's end of input closes the program's stdin. Stops when the program has ended.
    /// </summary>
    private static async Task WriteInteractiveAsync(MultiplexedStream stream, byte[] payload, string firstInput,
        System.Threading.Channels.ChannelReader<string> typed, Killer killer, CancellationToken programEnded)
    {
        try
        {
            await stream.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
            if (firstInput.Length > 0)
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(firstInput);
                await stream.WriteAsync(bytes, 0, bytes.Length, CancellationToken.None);
            }
            await foreach (var text in typed.ReadAllAsync(programEnded))
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(text);
                await stream.WriteAsync(bytes, 0, bytes.Length, programEnded);
            }
            stream.CloseWrite();
        }
        catch (OperationCanceledException) when (programEnded.IsCancellationRequested)
        {
            // The program ended before its input did.
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && (killer.Reason is not null || programEnded.IsCancellationRequested))
        {
            // The container was killed or ended while we were still sending.
        }
    }

    /// <summary>
    /// The program's exit code and whether the kernel's OOM killer struck. The runner's trailer carries
    /// both (the OOM kills counted during this run); the engine is asked only when there is no trailer.
    /// </summary>
    private async Task<(int? ExitCode, bool OomKilled)> ExitStateAsync(
        string containerId, RunnerTrailer? trailer, bool killed, CancellationToken cancellationToken)
    {
        if (trailer is not null)
        {
            return (trailer.ExitCode, trailer.OomKilled);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(KillGrace);
            await docker.Containers.WaitContainerAsync(containerId, timeout.Token);
            var inspect = await docker.Containers.InspectContainerAsync(containerId, cancellationToken);
            var oomKilled = inspect.State.OOMKilled;
            if (!oomKilled && !killed && inspect.State.ExitCode == ExitBySigKill)
            {
                // Killed whole from outside (under gVisor the host's OOM killer takes the sandbox): the
                // engine may have handled the exit before the runtime's OOM report.
                oomKilled = await oomReports.WaitAsync(containerId, OomReportWait, cancellationToken);
            }
            return (killed ? null : (int?)inspect.State.ExitCode, oomKilled);
        }
        catch (Exception e) when (e is DockerApiException or OperationCanceledException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not read the exit state of sandbox {ContainerId}", containerId);
            return (null, false);
        }
    }

    /// <summary>Kills a container; false when it was not running (or the engine no longer has it at all).</summary>
    private async Task<bool> KillContainerAsync(string containerId)
    {
        try
        {
            await docker.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" });
        }
        catch (DockerApiException e) when (e.StatusCode is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Conflict)
        {
            // 404: removed; 409: not running. An attach to a container that is not running waits for a
            // start that never comes, so such a run hears nothing until its watchdog.
            return false;
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            // The engine is gone or refused; removal follows either way.
            logger.LogDebug(e, "Killing sandbox {ContainerId} failed", containerId);
        }
        return true;
    }

    /// <summary>Kills a container once, for the first reason given, and closes its stream if it lingers.</summary>
    private sealed class Killer(SandboxRunner runner, string containerId, MultiplexedStream stream)
    {
        private int _killed;

        public KillReason? Reason { get; private set; }

        /// <summary>The kill's call to the engine, once killed: false when the container was no longer running.</summary>
        public Task<bool> WasRunning { get; private set; } = Task.FromResult(true);

        public void Kill(KillReason reason)
        {
            if (Interlocked.Exchange(ref _killed, 1) == 1)
            {
                return;
            }
            Reason = reason;
            WasRunning = Task.Run(() => runner.KillContainerAsync(containerId));
            _ = Task.Run(async () =>
            {
                // Stream reads may not notice; a closed stream always ends them. A container that was not
                // running never closes them at all.
                if (await WasRunning)
                {
                    await Task.Delay(KillGrace);
                }
                stream.Dispose();
            });
        }
    }
}

/// <summary>A sandbox failed before the job reached it: nothing ran.</summary>
internal sealed class SandboxNotStartedException(string containerId, Exception inner)
    : Exception($"Sandbox {containerId} could not take the job: {inner.Message}", inner);

internal enum KillReason { TimeLimit, OutputLimit, Cancelled }

/// <summary>One span per stage of a run in its sandbox, each a child of the run's span, one after another.</summary>
internal sealed class Stages(string containerId)
{
    private readonly Activity? _parent = Activity.Current;

    public Activity? Current { get; private set; }

    public void Begin(string name)
    {
        End();
        Current = ExecutorTelemetry.Source.StartActivity(name, ActivityKind.Internal, _parent?.Context ?? default);
        Current?.SetTag("container.id", containerId);
    }

    public void End()
    {
        Current?.Dispose();
        Current = null;
        // Stopping a span makes its parent current again only if it was current; make sure.
        Activity.Current = _parent;
    }
}

/// <param name="PeakIsRunOwn">The trailer's memory peak is this run's alone (a fresh container, or a reset slot).</param>
/// <param name="Reusable">For a slot that ended normally: completes with true once its wipe is verified.</param>
/// <param name="Cases">A judged run's cases, each judged or skipped.</param>
/// <param name="Vanished">The container was no longer running when it was to be killed: nothing it did is known.</param>
internal sealed record SandboxOutcome(
    CollectedOutput Output,
    KillReason? Killed,
    int? ExitCode,
    bool OomKilled,
    double MeasuredRunMs,
    string? ProtocolError,
    bool PeakIsRunOwn,
    Task<bool>? Reusable,
    IReadOnlyList<TestCaseResult>? Cases = null,
    bool Vanished = false);
