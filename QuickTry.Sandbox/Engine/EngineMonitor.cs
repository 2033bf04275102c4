using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Engine;

/// <summary>
/// Follows the Docker engine's event stream for this instance's containers. A warm container that dies
/// leaves the pool at once; OOM kills are noted for the runs that ask (<see cref="OomReports"/>). When the
/// stream breaks the engine is marked down and every warm container is dropped (an engine restart kills
/// them all); when the engine answers again the pool reaps what is left, and only then is the engine
/// marked up (runs taken, pools refilled). Between streams the engine is pinged every <see cref="PingInterval"/>.
/// </summary>
internal sealed class EngineMonitor(
    IDockerClient docker,
    EngineState engine,
    ContainerPool pool,
    OomReports oomReports,
    IOptions<ExecutorOptions> executorOptions,
    ILogger<EngineMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RuntimesRefresh = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wasUp = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using (var ping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    ping.CancelAfter(PingTimeout);
                    await docker.System.PingAsync(ping.Token);
                }
                var runtimes = await ReadRuntimesAsync(stoppingToken);
                // Subscribe before declaring the engine up, so no death between the two goes unseen.
                using var stream = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var events = docker.System.MonitorEventsAsync(new ContainerEventsParameters
                {
                    Filters = new Dictionary<string, IDictionary<string, bool>>
                    {
                        ["type"] = new Dictionary<string, bool> { ["container"] = true },
                        ["event"] = new Dictionary<string, bool> { ["die"] = true, ["destroy"] = true, ["oom"] = true },
                        ["label"] = new Dictionary<string, bool> { [$"{SandboxLabels.Instance}={executorOptions.Value.InstanceName}"] = true },
                    },
                }, new Progress(pool, oomReports), stream.Token);
                if (wasUp)
                {
                    // Before runs are taken again: what the outage left is gone before any run or refill
                    // starts a container the reap could mistake for it.
                    logger.LogWarning("Docker engine is back; reaping stale sandboxes and refilling the pools");
                    await pool.RecoverAsync(stoppingToken);
                }
                engine.MarkUp(runtimes);
                wasUp = true;
                // Runtimes are re-read now and then: a reload of the engine's configuration (scripts/setup.sh
                // --gvisor sends one) declares new ones without a restart, and so without a new stream.
                while (await Task.WhenAny(events, Task.Delay(RuntimesRefresh, stoppingToken)) != events)
                {
                    engine.MarkUp(await ReadRuntimesAsync(stoppingToken));
                }
                await events;
                // The engine closed the stream: it is stopping.
                Lost("the engine closed its event stream");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Lost(e.GetType().Name + ": " + e.Message);
                try
                {
                    await Task.Delay(PingInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<IReadOnlySet<string>> ReadRuntimesAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(PingTimeout);
        var info = await docker.System.GetSystemInfoAsync(timeout.Token);
        return (info.Runtimes?.Keys ?? []).ToHashSet(StringComparer.Ordinal);
    }

    private void Lost(string reason)
    {
        if (engine.MarkDown(reason))
        {
            logger.LogError("Docker engine lost ({Reason}); refusing runs until it is back", reason);
            pool.DropAllWarm();
        }
    }

    /// <summary>Called on the stream's thread for each event; must not block.</summary>
    private sealed class Progress(ContainerPool pool, OomReports oomReports) : IProgress<Message>
    {
        public void Report(Message value)
        {
            if (value.Actor?.ID is not { } id)
            {
                return;
            }
            switch (value.Action)
            {
                case "oom":
                    oomReports.Reported(id);
                    break;
                case "destroy":
                    oomReports.Forget(id);
                    pool.Evict(id);
                    break;
                default:
                    pool.Evict(id);
                    break;
            }
        }
    }
}
