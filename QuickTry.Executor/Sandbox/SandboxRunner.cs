using System.Diagnostics;
using System.Security.Cryptography;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Executor.Runs;
using QuickTry.Executor.Telemetry;

namespace QuickTry.Executor.Sandbox;

/// <summary>
/// Runs one prepared job in one warm container: attach, send the job, read output under caps, and
/// enforce the time limit by killing the container (cancelling a stream leaves the process running).
/// </summary>
public sealed class SandboxRunner(
    IDockerClient docker,
    SandboxContainerFactory containers,
    IOptions<SandboxOptions> sandboxOptions,
    TimeProvider time,
    ILogger<SandboxRunner> logger)
{
    // How long a killed container may take to close its streams before we stop waiting for it.
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(5);
    private const int ReadBufferBytes = 16 * 1024;

    private readonly SandboxOptions _sandbox = sandboxOptions.Value;

    /// <summary>Runs <paramref name="run"/> in <paramref name="container"/>. The container is spent afterwards.</summary>
    internal async Task<SandboxOutcome> RunAsync(SandboxContainer container, PreparedRun run, CancellationToken cancellationToken)
    {
        var nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        var payload = RunPayload.Build(run, nonce, _sandbox.CompileOutputBytes, _sandbox.InSandboxGraceMs);
        using var collector = new OutputCollector(run.Limits.OutputBytes, run.Language.IsCompiled, _sandbox.CompileOutputBytes, nonce);

        MultiplexedStream attached;
        try
        {
            await containers.ApplyLimitsAsync(container, run.Limits, cancellationToken);
            attached = await docker.Containers.AttachContainerAsync(container.Id, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true }, cancellationToken);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The job has not been sent: nothing ran, and the caller may try another container.
            throw new SandboxNotStartedException(container.Id, e);
        }
        using var stream = attached;

        var killer = new Killer(this, container.Id, stream);
        var started = time.GetTimestamp();
        long? runStarted = run.Language.IsCompiled ? null : started;
        // Until the compile step reports, the program may take the compile limit plus its own.
        var firstDeadline = TimeSpan.FromMilliseconds(run.Language.IsCompiled ? run.Limits.CompileTimeMs + run.Limits.TimeMs + 1_000 : run.Limits.TimeMs);
        using var deadline = new CancellationTokenSource(firstDeadline, time);
        using var onDeadline = deadline.Token.Register(() => killer.Kill(KillReason.TimeLimit));
        using var onCancel = cancellationToken.Register(() => killer.Kill(KillReason.Cancelled));

        // Compile and execute are siblings under the run's span; they are started and ended by hand
        // because both are open while the same read loop runs.
        var stages = new Stages(container.Id);
        stages.Begin(run.Language.IsCompiled ? "sandbox.compile" : "sandbox.execute");

        var writing = WritePayloadAsync(stream, payload, killer);
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
                    deadline.CancelAfter(TimeSpan.FromMilliseconds(run.Limits.TimeMs));
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
        if (killer.Reason is { } reason)
        {
            stages.Current?.SetTag("quicktry.sandbox.killed", reason.ToString());
            stages.Current?.SetStatus(ActivityStatusCode.Error, reason == KillReason.TimeLimit ? "timeout" : reason.ToString());
        }
        await writing;

        stages.Begin("sandbox.collect");
        var output = collector.Finish();
        stages.Current?.SetTag("quicktry.run.truncated", output.StdoutTruncated || output.StderrTruncated);
        var state = await ExitStateAsync(container.Id, output.Trailer, killer.Reason is not null, cancellationToken);
        stages.Current?.SetTag("quicktry.sandbox.oom_killed", state.OomKilled);
        stages.End();
        if (collector.ProtocolError is { } protocolError)
        {
            logger.LogWarning("Sandbox {ContainerId} broke the runner protocol: {Error}", container.Id, protocolError);
        }
        return new SandboxOutcome(
            output,
            killer.Reason,
            state.ExitCode,
            state.OomKilled,
            runStarted is { } s ? time.GetElapsedTime(s, finished).TotalMilliseconds : 0,
            collector.ProtocolError);
    }

    private static async Task WritePayloadAsync(MultiplexedStream stream, byte[] payload, Killer killer)
    {
        try
        {
            await stream.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
            stream.CloseWrite();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException && killer.Reason is not null)
        {
            // The container was killed while we were still sending: the outcome already says why.
        }
    }

    /// <summary>
    /// The program's exit code and whether the kernel's OOM killer struck. The runner's trailer carries the
    /// code; the engine is asked only when there is no trailer or the code looks like a SIGKILL.
    /// </summary>
    private async Task<(int? ExitCode, bool OomKilled)> ExitStateAsync(
        string containerId, RunnerTrailer? trailer, bool killed, CancellationToken cancellationToken)
    {
        if (trailer is not null && trailer.ExitCode != 137)
        {
            return (trailer.ExitCode, false);
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(KillGrace);
            await docker.Containers.WaitContainerAsync(containerId, timeout.Token);
            var inspect = await docker.Containers.InspectContainerAsync(containerId, cancellationToken);
            var code = trailer?.ExitCode ?? (killed ? null : (int?)inspect.State.ExitCode);
            return (code, inspect.State.OOMKilled);
        }
        catch (Exception e) when (e is DockerApiException or OperationCanceledException or HttpRequestException)
        {
            logger.LogWarning(e, "Could not read the exit state of sandbox {ContainerId}", containerId);
            return (trailer?.ExitCode, false);
        }
    }

    private async Task KillContainerAsync(string containerId)
    {
        try
        {
            await docker.Containers.KillContainerAsync(containerId, new ContainerKillParameters { Signal = "KILL" });
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException)
        {
            // Not running any more, or the engine is gone; removal follows either way.
            logger.LogDebug(e, "Killing sandbox {ContainerId} failed", containerId);
        }
    }

    /// <summary>Kills a container once, for the first reason given, and closes its stream if it lingers.</summary>
    private sealed class Killer(SandboxRunner runner, string containerId, MultiplexedStream stream)
    {
        private int _killed;

        public KillReason? Reason { get; private set; }

        public void Kill(KillReason reason)
        {
            if (Interlocked.Exchange(ref _killed, 1) == 1)
            {
                return;
            }
            Reason = reason;
            _ = Task.Run(async () =>
            {
                await runner.KillContainerAsync(containerId);
                // Stream reads may not notice; a closed stream always ends them.
                await Task.Delay(KillGrace);
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

internal sealed record SandboxOutcome(
    CollectedOutput Output,
    KillReason? Killed,
    int? ExitCode,
    bool OomKilled,
    double MeasuredRunMs,
    string? ProtocolError);
