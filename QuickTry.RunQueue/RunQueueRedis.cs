using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace QuickTry.RunQueue;

public static class RunQueueRedis
{
    /// <summary>
    /// The Redis client (<c>ConnectionStrings:redis</c>) as every QuickTry service uses it, and the run queue on it:
    /// the service starts without Redis and keeps trying (the direct path and in-process quotas serve meanwhile),
    /// and no operation waits longer than <paramref name="operationTimeout"/>.
    /// </summary>
    public static IHostApplicationBuilder AddRunQueueRedis(this IHostApplicationBuilder builder, TimeSpan operationTimeout)
    {
        builder.AddRedisClient("redis",
            settings => settings.DisableHealthChecks = true,
            options =>
            {
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 2_000;
                options.AsyncTimeout = (int)operationTimeout.TotalMilliseconds;
                options.SyncTimeout = (int)operationTimeout.TotalMilliseconds;
            });
        builder.Services.AddSingleton<RedisRunQueue>();
        return builder;
    }
}
