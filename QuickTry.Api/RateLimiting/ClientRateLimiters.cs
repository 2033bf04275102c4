using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using QuickTry.Api.Clients;

namespace QuickTry.Api.RateLimiting;

/// <summary>
/// The token bucket of each client, kept where the RateLimit-* headers and /quota can read it. The
/// rate-limiting middleware owns the buckets' lifetime: it disposes a bucket that has been full (idle)
/// for a while. A disposed bucket reads as full and its entry is swept, so the registry holds only
/// clients that used their bucket lately.
/// </summary>
public sealed class ClientRateLimiters
{
    private const int SweepEvery = 256;

    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _byClient = new(StringComparer.Ordinal);
    private readonly Lock _creating = new();
    private int _creates;

    /// <summary>
    /// The client's bucket: the live one if there is one, so every way in (the middleware's partition for the
    /// run endpoints, a tool call on <c>/mcp</c>) spends from the same bucket; else a new one.
    /// </summary>
    public TokenBucketRateLimiter GetOrCreate(string clientId, PlanOptions plan)
    {
        TokenBucketRateLimiter limiter;
        lock (_creating)
        {
            if (_byClient.TryGetValue(clientId, out var live) && IsLive(live))
            {
                return live;
            }
            limiter = new TokenBucketRateLimiter(Options(plan));
            _byClient[clientId] = limiter;
        }
        if (Interlocked.Increment(ref _creates) % SweepEvery == 0)
        {
            SweepDisposed();
        }
        return limiter;
    }

    public static TokenBucketRateLimiterOptions Options(PlanOptions plan)
    {
        var (tokens, period) = Refill(plan);
        return new()
        {
            TokenLimit = plan.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>Shortest refill period: the limiter's timer does not fire reliably much below this.</summary>
    public static readonly TimeSpan MinimumRefillPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How the plan's bucket refills: <c>tokens</c> every <c>period</c>, exactly
    /// <see cref="PlanOptions.RequestsPerMinute"/> a minute. One token per 60 s / rate would be under a
    /// millisecond above 60000 a minute, where the limiter's timer never fires and a spent bucket stayed
    /// empty for good; so faster plans add several tokens per period of at least 100 ms.
    /// </summary>
    public static (int Tokens, TimeSpan Period) Refill(PlanOptions plan)
    {
        var perMinute = (long)plan.RequestsPerMinute;
        var tokens = Math.Max(1L, (perMinute * MinimumRefillPeriod.Ticks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute);
        return ((int)tokens, TimeSpan.FromTicks(tokens * TimeSpan.TicksPerMinute / perMinute));
    }

    /// <summary>Tokens left for the client, or null when its bucket is full or gone (read: the plan's burst).</summary>
    public long? Available(string clientId)
    {
        if (!_byClient.TryGetValue(clientId, out var limiter))
        {
            return null;
        }
        try
        {
            return limiter.GetStatistics()?.CurrentAvailablePermits;
        }
        catch (ObjectDisposedException)
        {
            // The middleware disposed it because it sat full: forget it.
            _byClient.TryRemove(new KeyValuePair<string, TokenBucketRateLimiter>(clientId, limiter));
            return null;
        }
    }

    /// <summary>Spends a token of the client's bucket, as a request to a run endpoint does.</summary>
    public RateLimitLease AttemptAcquire(ClientIdentity client) => GetOrCreate(client.Id, client.Plan).AttemptAcquire();

    private static bool IsLive(TokenBucketRateLimiter limiter)
    {
        try
        {
            limiter.GetStatistics();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // The middleware disposed it because it sat full.
            return false;
        }
    }

    /// <summary>Clients tracked now (for tests and diagnostics).</summary>
    public int Count => _byClient.Count;

    /// <summary>
    /// Drops buckets the middleware has disposed (it does so once one has sat full for a while). A live
    /// bucket stays even when idle: the middleware keeps using it without asking <see cref="Create"/> again.
    /// </summary>
    public void SweepDisposed()
    {
        foreach (var clientId in _byClient.Keys)
        {
            Available(clientId);
        }
    }
}
