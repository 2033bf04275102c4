using QuickTry.Api.Clients;
using StackExchange.Redis;

namespace QuickTry.Api.Quotas;

/// <summary>
/// Quota counters in Redis, one hash per client and window (fields <c>runs</c>, <c>ms</c>), changed only
/// by Lua scripts so check-and-charge is atomic across API replicas. Every key gets an expiry when created.
/// </summary>
public sealed class RedisQuotaStore(IConnectionMultiplexer redis, TimeProvider time) : IQuotaStore
{
    // KEYS[1] hash; ARGV: max runs, max ms, reserve ms, ttl ms.
    // Returns {granted (1) | runs exhausted (0) | time exhausted (-1), runs, ms, pttl}.
    private static readonly LuaScript Reserve = LuaScript.Prepare("""
        local runs = tonumber(redis.call('HGET', @key, 'runs') or '0')
        local ms = tonumber(redis.call('HGET', @key, 'ms') or '0')
        local pttl = redis.call('PTTL', @key)
        if runs + 1 > tonumber(@maxRuns) then return {0, runs, ms, pttl} end
        if ms + tonumber(@reserveMs) > tonumber(@maxMs) then return {-1, runs, ms, pttl} end
        runs = redis.call('HINCRBY', @key, 'runs', 1)
        ms = redis.call('HINCRBY', @key, 'ms', @reserveMs)
        if pttl < 0 then
          redis.call('PEXPIRE', @key, @ttlMs)
          pttl = tonumber(@ttlMs)
        end
        return {1, runs, ms, pttl}
        """);

    // Applies the difference between reservation and use; a key whose window has ended is left gone.
    private static readonly LuaScript Settle = LuaScript.Prepare("""
        if redis.call('EXISTS', @key) == 0 then return 0 end
        redis.call('HINCRBY', @key, 'ms', @msDelta)
        redis.call('HINCRBY', @key, 'runs', @runsDelta)
        return 1
        """);

    public async Task<QuotaDecision> ReserveAsync(ClientIdentity client, long reserveMs, CancellationToken cancellationToken)
    {
        var plan = client.Plan;
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), plan.WindowSeconds);
        var key = QuotaWindow.Key(client, index);
        // Keys outlive their window by a minute so late settlements still land; then they expire.
        var ttlMs = (long)resetsIn.TotalMilliseconds + 60_000;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Reserve, new
        {
            key = (RedisKey)key,
            maxRuns = plan.RunsPerWindow,
            maxMs = (long)plan.RunSecondsPerWindow * 1000,
            reserveMs,
            ttlMs,
        }))!;
        var usage = new QuotaUsage((long)result[1], (long)result[2], resetsIn);
        return (int)result[0] switch
        {
            1 => new QuotaDecision.Granted(new QuotaReservation(client, key, reserveMs, this), usage),
            0 => new QuotaDecision.Exhausted("runs", usage),
            _ => new QuotaDecision.Exhausted("run time", usage),
        };
    }

    public Task SettleAsync(QuotaReservation reservation, long usedMs, bool countRun, CancellationToken cancellationToken) =>
        SettleAsync(reservation.Key, reservation.ReservedMs, usedMs, countRun);

    /// <summary>Settles a reservation known only by its key and size (made by another replica).</summary>
    public async Task SettleAsync(string key, long reservedMs, long usedMs, bool countRun)
    {
        var charge = Math.Clamp(usedMs, 0, reservedMs);
        await redis.GetDatabase().ScriptEvaluateAsync(Settle, new
        {
            key = (RedisKey)key,
            msDelta = charge - reservedMs,
            runsDelta = countRun ? 0 : -1,
        });
    }

    public async Task<QuotaUsage> UsageAsync(ClientIdentity client, CancellationToken cancellationToken)
    {
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), client.Plan.WindowSeconds);
        var values = await redis.GetDatabase().HashGetAsync(QuotaWindow.Key(client, index), ["runs", "ms"]);
        return new QuotaUsage((long?)values[0] ?? 0, (long?)values[1] ?? 0, resetsIn);
    }
}
