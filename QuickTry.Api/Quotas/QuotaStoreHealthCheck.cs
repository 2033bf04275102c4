using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace QuickTry.Api.Quotas;

/// <summary>Degraded (still serving) while Redis is unreachable and quotas are kept in process.</summary>
internal sealed class QuotaStoreHealthCheck(ResilientQuotaStore store, IConnectionMultiplexer redis) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store.UsingFallback)
        {
            return Task.FromResult(HealthCheckResult.Degraded($"Redis failed, quotas kept in process: {store.LastError}"));
        }
        return Task.FromResult(redis.IsConnected
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded("Redis is not connected; quotas will be kept in process."));
    }
}
