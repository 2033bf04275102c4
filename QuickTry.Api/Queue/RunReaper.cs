using Microsoft.Extensions.Options;
using QuickTry.Api.RateLimiting;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// Reports runs lost whose executor is gone (its heartbeat lapsed) or never reported them: every replica
/// runs it, and the step is atomic, so a run is declared lost once, and never run again.
/// </summary>
public sealed class RunReaper(
    RedisRunQueue queue,
    IOptions<RunQueueOptions> options,
    IOptions<GatewayOptions> gateway,
    ILogger<RunReaper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The longest a started run can take at an executor (compile and run included), with room to report.
        var longestRun = TimeSpan.FromSeconds(gateway.Value.ExecutorTimeoutSeconds + 30);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.ReaperIntervalMs));
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled, TaskScheduler.Default))
        {
            if (!queue.IsConnected)
            {
                continue;
            }
            try
            {
                foreach (var id in await queue.RunningAsync())
                {
                    if (await queue.ReapAsync(id, longestRun) == RunStates.Lost)
                    {
                        logger.LogWarning("Run {RunId} reported lost: its executor is gone", id);
                    }
                }
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogDebug("Reaper skipped a turn ({Error})", e.Message);
            }
        }
    }
}
