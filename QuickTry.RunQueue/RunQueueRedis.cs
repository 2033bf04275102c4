using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

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

    /// <summary>
    /// Whether a Redis call failed because Redis could not be reached or did not answer, so the caller
    /// degrades and tries again: the client's own exceptions and timeouts, a disposed client, and the pipe
    /// error the client lets through when it tears a connection down under a command (seen in the soak after
    /// "dead socket detected": <c>InvalidOperationException</c> "Reading is not allowed after reader was
    /// completed", which stopped an executor whose loop let it escape).
    /// </summary>
    public static bool IsUnavailable(Exception e) =>
        e is RedisException or TimeoutException or ObjectDisposedException
        || e is InvalidOperationException { Source: "System.IO.Pipelines" or "Pipelines.Sockets.Unofficial" };
}
