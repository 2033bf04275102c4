using System.Collections.Concurrent;
using QuickTry.Api.Clients;

namespace QuickTry.Api.Quotas;

/// <summary>
/// The same counters in this process only: the fallback while Redis is unreachable. A client can then
/// spend at most its plan's quota per replica per window; entries of past windows are dropped.
/// </summary>
public sealed class InMemoryQuotaStore(TimeProvider time) : IQuotaStore
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public Task<QuotaDecision> ReserveAsync(ClientIdentity client, long reserveMs, CancellationToken cancellationToken)
    {
        var plan = client.Plan;
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), plan.WindowSeconds);
        var key = QuotaWindow.Key(client, index);
        DropPastWindows(client, key);
        var counter = _counters.GetOrAdd(key, _ => new Counter());
        lock (counter)
        {
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
        if (_counters.TryGetValue(reservation.Key, out var counter))
        {
            lock (counter)
            {
                counter.Ms += Math.Clamp(usedMs, 0, reservation.ReservedMs) - reservation.ReservedMs;
                if (!countRun)
                {
                    counter.Runs--;
                }
            }
        }
        return Task.CompletedTask;
    }

    public Task<QuotaUsage> UsageAsync(ClientIdentity client, CancellationToken cancellationToken)
    {
        var (index, resetsIn) = QuotaWindow.At(time.GetUtcNow(), client.Plan.WindowSeconds);
        if (_counters.TryGetValue(QuotaWindow.Key(client, index), out var counter))
        {
            lock (counter)
            {
                return Task.FromResult(new QuotaUsage(counter.Runs, counter.Ms, resetsIn));
            }
        }
        return Task.FromResult(new QuotaUsage(0, 0, resetsIn));
    }

    private void DropPastWindows(ClientIdentity client, string currentKey)
    {
        var prefix = $"quicktry:quota:{client.Id}:";
        foreach (var key in _counters.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal) && key != currentKey)
            {
                _counters.TryRemove(key, out _);
            }
        }
    }

    private sealed class Counter
    {
        public long Runs;
        public long Ms;
    }
}
