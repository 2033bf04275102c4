using QuickTry.RunQueue;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Telemetry;
using StackExchange.Redis;

namespace QuickTry.Api.Quotas;

/// <summary>
/// Redis first; when Redis fails or is slower than <see cref="QuotaOptions.RedisTimeoutMs"/>, the
/// in-process store answers and Redis is left alone for <see cref="QuotaOptions.RetryRedisAfterSeconds"/>.
/// The API never fails a request because Redis did; it reports itself Degraded instead.
/// </summary>
public sealed class ResilientQuotaStore(
    RedisQuotaStore redis,
    InMemoryQuotaStore fallback,
    IOptions<QuotaOptions> options,
    TimeProvider time,
    ApiTelemetry telemetry,
    ILogger<ResilientQuotaStore> logger) : IQuotaStore
{
    private readonly QuotaOptions _options = options.Value;
    private long _redisAvoidedUntilTicks;

    /// <summary>True while the fallback is answering; read by the health check.</summary>
    public bool UsingFallback => time.GetUtcNow().UtcTicks < Interlocked.Read(ref _redisAvoidedUntilTicks);

    /// <summary>The last Redis failure, for the health report.</summary>
    public string? LastError { get; private set; }

    public Task<QuotaDecision> ReserveAsync(ClientIdentity client, long reserveMs, CancellationToken cancellationToken) =>
        WithFallback("reserve", s => s.ReserveAsync(client, reserveMs, cancellationToken));

    public async Task SettleAsync(QuotaReservation reservation, long usedMs, bool countRun, CancellationToken cancellationToken)
    {
        // Settle where the reservation was made; a failed Redis settle leaves the worst case charged.
        try
        {
            await reservation.Store.SettleAsync(reservation, usedMs, countRun, cancellationToken).WaitAsync(Timeout, CancellationToken.None);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            Trip("settle", e);
        }
    }

    public Task<QuotaUsage> UsageAsync(ClientIdentity client, CancellationToken cancellationToken) =>
        WithFallback("usage", s => s.UsageAsync(client, cancellationToken));

    private TimeSpan Timeout => TimeSpan.FromMilliseconds(_options.RedisTimeoutMs);

    private async Task<T> WithFallback<T>(string name, Func<IQuotaStore, Task<T>> operation)
    {
        if (!UsingFallback)
        {
            try
            {
                return await operation(redis).WaitAsync(Timeout, CancellationToken.None);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                Trip(name, e);
            }
        }
        Activity.Current?.SetTag("quicktry.quota.store", "in-process fallback");
        return await operation(fallback);
    }

    private void Trip(string operation, Exception e)
    {
        telemetry.QuotaStoreFailed(operation);
        Activity.Current?.AddException(e);
        LastError = e.GetType().Name + ": " + e.Message;
        Interlocked.Exchange(ref _redisAvoidedUntilTicks, (time.GetUtcNow() + TimeSpan.FromSeconds(_options.RetryRedisAfterSeconds)).UtcTicks);
        logger.LogWarning("Quota store Redis failed ({Error}); using the in-process fallback for {Seconds} s", LastError, _options.RetryRedisAfterSeconds);
    }

    private static bool IsRedisFailure(Exception e) => RunQueueRedis.IsUnavailable(e);
}
