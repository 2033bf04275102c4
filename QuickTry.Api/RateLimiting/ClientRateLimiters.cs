using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using QuickTry.Api.Clients;

namespace QuickTry.Api.RateLimiting;

/// <summary>
/// The token bucket of each client, kept where the RateLimit-* headers can read it. The rate-limiting
/// middleware owns the buckets' lifetime; this only remembers the newest one per client.
/// </summary>
public sealed class ClientRateLimiters
{
    private readonly ConcurrentDictionary<string, TokenBucketRateLimiter> _byClient = new(StringComparer.Ordinal);

    public TokenBucketRateLimiter Create(string clientId, PlanOptions plan)
    {
        var limiter = new TokenBucketRateLimiter(Options(plan));
        _byClient[clientId] = limiter;
        return limiter;
    }

    public static TokenBucketRateLimiterOptions Options(PlanOptions plan) => new()
    {
        TokenLimit = plan.Burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1) / plan.RequestsPerMinute,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    /// <summary>Tokens left for the client, or null if it has made no limited request yet.</summary>
    public long? Available(string clientId) =>
        _byClient.TryGetValue(clientId, out var limiter) ? limiter.GetStatistics()?.CurrentAvailablePermits : null;
}
