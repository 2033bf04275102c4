using System.Diagnostics;

namespace QuickTry.Bench;

/// <summary>Percentiles of a set of samples (nearest rank), and how many of them failed.</summary>
internal sealed record Stats(int Count, int Failures, double P50, double P95, double P99, double Mean)
{
    public static Stats Of(IReadOnlyCollection<Sample> samples)
    {
        var sorted = samples.Select(s => s.Milliseconds).Order().ToArray();
        double Rank(double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new Stats(sorted.Length, samples.Count(s => !s.Ok), Rank(0.50), Rank(0.95), Rank(0.99), sorted.Length == 0 ? double.NaN : sorted.Average());
    }

    /// <summary>The p50 (nearest rank, as <see cref="Of"/>) of plain values.</summary>
    public static double Median(IReadOnlyCollection<double> values) => Of([.. values.Select(v => new Sample(v, true))]).P50;
}

/// <summary>A sustained load's served calls (Ok when the result was right), refusals, and right results per second.</summary>
internal sealed record SustainedLoad(int Callers, List<Sample> Served, List<Sample> Refused, double ServedPerSecond);

internal static class Measure
{
    /// <summary>
    /// Runs <paramref name="warmup"/> unmeasured calls, then <paramref name="count"/> measured ones, one at a
    /// time, starting one at most every <paramref name="interval"/>: latency at a rate the system sustains,
    /// not a saturation test (that is the throughput table's job).
    /// </summary>
    public static async Task<List<Sample>> SequentialAsync(Func<Task<Sample>> call, int warmup, int count, TimeSpan interval = default)
    {
        var samples = new List<Sample>(count);
        for (var i = 0; i < warmup + count; i++)
        {
            var clock = Stopwatch.StartNew();
            var sample = await call();
            if (i >= warmup)
            {
                samples.Add(sample);
            }
            if (clock.Elapsed < interval)
            {
                await Task.Delay(interval - clock.Elapsed);
            }
        }
        return samples;
    }

    /// <summary>
    /// <paramref name="callers"/> callers, each sending one request after another for <paramref name="duration"/>;
    /// after a refusal (503) a caller waits what its Retry-After says (at most 2 s), as a well-behaved client
    /// does. Served and refused calls are counted apart.
    /// </summary>
    public static async Task<SustainedLoad> SustainedAsync(Func<Task<(Sample Sample, TimeSpan? RetryAfter)>> call, int callers, TimeSpan duration)
    {
        var served = new List<Sample>();
        var refused = new List<Sample>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var (sample, retryAfter) = await call();
                lock (served)
                {
                    (retryAfter is null ? served : refused).Add(sample);
                }
                if (retryAfter is { } wait)
                {
                    await Task.Delay(wait < TimeSpan.FromSeconds(2) ? wait : TimeSpan.FromSeconds(2));
                }
            }
        }));
        return new SustainedLoad(callers, served, refused, served.Count(s => s.Ok) / clock.Elapsed.TotalSeconds);
    }

    /// <summary><paramref name="total"/> calls by <paramref name="concurrency"/> workers; returns the samples and runs per second.</summary>
    public static async Task<(List<Sample> Samples, double PerSecond)> ConcurrentAsync(Func<Task<Sample>> call, int concurrency, int total)
    {
        var samples = new List<Sample>(total);
        var next = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= total)
            {
                var sample = await call();
                lock (samples)
                {
                    samples.Add(sample);
                }
            }
        }));
        clock.Stop();
        return (samples, total / clock.Elapsed.TotalSeconds);
    }
}

/// <summary>Samples a process's resident memory (VmRSS) in the background.</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<long> _samples = [];

    public MemorySampler(int pid)
    {
        _pid = pid;
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (Rss(_pid) is { } rss)
                {
                    lock (_samples)
                    {
                        _samples.Add(rss);
                    }
                }
                await Task.Delay(20);
            }
        });
    }

    public long Peak { get { lock (_samples) { return _samples.Count == 0 ? 0 : _samples.Max(); } } }

    public static long? Rss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
