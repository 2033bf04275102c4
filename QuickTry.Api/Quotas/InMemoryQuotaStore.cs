using System.Collections.Concurrent;
using QuickTry.Api.Clients;

namespace QuickTry.Api.Quotas;

/// <summary>
/// The same counters in this process only: the fallback while Redis is unreachable. A client can then
/// spend at most its plan's quota per replica per window. One counter per client, for its current
/// window only; counters of windows that ended are swept now and then, so clients are forgotten.
/// </summary>
public sealed class InMemoryQuotaStore(TimeProvider time) : IQuotaStore
{
    private const int SweepEvery = 1_024;

    private readonly ConcurrentDictionary<string, Counter> _byClient = new(StringComparer.Ordinal);
    private int _operations;

    public Task<QuotaDecision> ReserveAsync(ClientIdentity client, long reserveMs, CancellationToken cancellationToken)
    {
        var plan = client.Plan;
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), plan.WindowSeconds);
        var key = QuotaWindow.Key(client, index);
        if (Interlocked.Increment(ref _operations) % SweepEvery == 0)
        {
            SweepEnded();
        }
        var counter = _byClient.GetOrAdd(client.Id, _ => new Counter());
        lock (counter)
        {
            if (counter.WindowKey != key)
            {
                // A new window: the old one's counts are gone.
                counter.Start(key, time.GetUtcNow() + resetsIn);
            }
            if (counter.Runs + 1 > plan.RunsPerWindow)
            {
                return Task.FromResult<QuotaDecision>(new QuotaDecision.Exhausted("runs", new QuotaUsage(counter.Runs, counter.Ms, resetsIn)));
            }
            if (counter.Ms + reserveMs > (long)plan.RunSecondsPerWindow * 1000)
            {
                return Task.FromResult<QuotaDecision>(new QuotaDecision.Exhausted("run time", new QuotaUsage(counter.Runs, counter.Ms, resetsIn)));
            }
            counter.Runs++;
            counter.Ms += reserveMs;
            return Task.FromResult<QuotaDecision>(new QuotaDecision.Granted(
                new QuotaReservation(client, key, reserveMs, this), new QuotaUsage(counter.Runs, counter.Ms, resetsIn)));
        }
    }

    public Task SettleAsync(QuotaReservation reservation, long usedMs, bool countRun, CancellationToken cancellationToken)
    {
        if (_byClient.TryGetValue(reservation.Client.Id, out var counter))
        {
            lock (counter)
            {
                // A reservation from a window that has ended settles nowhere, as in Redis.
                if (counter.WindowKey == reservation.Key)
                {
                    counter.Ms += Math.Clamp(usedMs, 0, reservation.ReservedMs) - reservation.ReservedMs;
                    if (!countRun)
                    {
                        counter.Runs--;
                    }
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<QuotaUsage> UsageAsync(ClientIdentity client, CancellationToken cancellationToken)
    {
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), client.Plan.WindowSeconds);
        if (_byClient.TryGetValue(client.Id, out var counter))
        {
            lock (counter)
            {
                if (counter.WindowKey == QuotaWindow.Key(client, index))
                {
                    return Task.FromResult(new QuotaUsage(counter.Runs, counter.Ms, resetsIn));
                }
            }
        }
        return Task.FromResult(new QuotaUsage(0, 0, resetsIn));
    }

    /// <summary>Clients with a counter now (for tests and diagnostics).</summary>
    public int Count => _byClient.Count;

    /// <summary>Forgets clients whose window has ended: their counts would be reset anyway.</summary>
    public void SweepEnded()
    {
        var now = time.GetUtcNow();
        foreach (var (clientId, counter) in _byClient)
        {
            bool ended;
            lock (counter)
            {
                ended = counter.EndsAt <= now;
            }
            if (ended)
            {
                _byClient.TryRemove(new KeyValuePair<string, Counter>(clientId, counter));
            }
        }
    }

    private sealed class Counter
    {
        public string? WindowKey;
        public DateTimeOffset EndsAt;
        public long Runs;
        public long Ms;

        public void Start(string windowKey, DateTimeOffset endsAt)
        {
            WindowKey = windowKey;
            EndsAt = endsAt;
            Runs = 0;
            Ms = 0;
        }
    }
}
