using Microsoft.Extensions.Options;
using QuickTry.Api.RateLimiting;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// Reports runs lost whose executor is gone (its heartbeat lapsed) or never reported them, and expires
/// queued runs nobody started before their start-by. Every replica runs it; each step is atomic, so a run
/// is declared lost or expired once, and never run again.
/// </summary>
public sealed class LostRunSweeper(
    RedisRunQueue queue,
    IConnectionMultiplexer redis,
    IOptions<GatewayQueueOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<LostRunSweeper> logger) : BackgroundService
{
    /// <summary>Entries at the head of each lane looked at per turn (the oldest are the overdue ones).</summary>
    private const int OldestToCheck = 50;

    /// <summary>Until when (ticks of <see cref="TimeProvider.GetTimestamp"/>) lapsed heartbeats are not believed.</summary>
    private long _graceUntil;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var grace = TimeSpan.FromMilliseconds(options.Value.ReaperGraceAfterReconnectMs);
        redis.ConnectionRestored += (_, _) =>
            Interlocked.Exchange(ref _graceUntil, time.GetTimestamp() + (long)(grace.TotalSeconds * time.TimestampFrequency));
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
                // Just after a reconnect a heartbeat may have lapsed only because Redis was away.
                var believeHeartbeats = time.GetTimestamp() >= Interlocked.Read(ref _graceUntil);
                foreach (var id in believeHeartbeats ? await queue.RunningAsync() : [])
                {
                    if (await queue.ReapAsync(id, longestRun) == RunStates.Lost)
                    {
                        logger.LogWarning("Run {RunId} reported lost: its executor is gone", id);
                    }
                }
                foreach (var lane in (RunLane[])[RunLane.Sync, RunLane.Async])
                {
                    if (await queue.ExpireOverdueAsync(lane, OldestToCheck) is > 0 and var expired)
                    {
                        logger.LogWarning("{Count} queued runs expired: nobody started them before their start-by", expired);
                    }
                }
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogDebug("Reaper skipped a turn ({Error})", e.Message);
            }
        }
    }
}
