using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// Healthy with live executors behind the queue; Degraded (still serving) while Redis is down and runs go
/// to executors directly, or while no executor announces itself (runs then get 503 at once).
/// </summary>
internal sealed class RunQueueHealthCheck(RedisRunQueue queue, IOptions<GatewayQueueOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!options.Value.Enabled)
        {
            return HealthCheckResult.Healthy("The run queue is off (Queue:Enabled): runs go to the configured executors directly.");
        }
        if (!queue.IsConnected)
        {
            return HealthCheckResult.Degraded("Redis is not connected: runs go to the configured executors directly.");
        }
        try
        {
            var live = await queue.LiveExecutorsAsync();
            var data = new Dictionary<string, object>
            {
                ["executors"] = live.Select(e => $"{e.Identity} ({e.Capacity} runs at once, queue {e.Queue}{(e.Url.Length > 0 ? ", " + e.Url : "")})").ToArray(),
                ["waiting"] = await queue.WaitingAsync(),
            };
            return live.Any(e => e.Capacity > 0)
                ? HealthCheckResult.Healthy($"{live.Count} executor(s), {live.Sum(e => e.Capacity)} runs at once", data)
                : HealthCheckResult.Degraded("No executor is announcing itself: runs are refused with 503.", data: data);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return HealthCheckResult.Degraded("The run queue failed: runs go to the configured executors directly. " + e.Message);
        }
    }
}
