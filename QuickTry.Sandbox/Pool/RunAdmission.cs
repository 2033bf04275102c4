using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Pool;

/// <summary>
/// Bounds the runs in flight with one semaphore and the runs waiting with a counter: a run beyond
/// both is refused at once, so a flood turns into quick "busy" answers instead of a stuck queue.
/// </summary>
public sealed class RunAdmission : IDisposable
{
    private readonly SemaphoreSlim _permits;
    private readonly PoolOptions _options;
    private int _waiting;

    public RunAdmission(IOptions<PoolOptions> options)
    {
        _options = options.Value;
        _permits = new SemaphoreSlim(_options.MaxConcurrentRuns, _options.MaxConcurrentRuns);
    }

    public int Running => _options.MaxConcurrentRuns - _permits.CurrentCount;
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a slot, waiting in the bounded queue if need be; false means busy.</summary>
    public async Task<bool> TryEnterAsync(CancellationToken cancellationToken)
    {
        if (_permits.Wait(0, CancellationToken.None))
        {
            return true;
        }
        if (Interlocked.Increment(ref _waiting) > _options.MaxQueueLength)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        try
        {
            return await _permits.WaitAsync(_options.QueueTimeoutMs, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _permits.Release();

    /// <summary>A hint for Retry-After: about one queue timeout when the queue is full, else a second.</summary>
    public TimeSpan RetryAfter =>
        Waiting >= _options.MaxQueueLength ? TimeSpan.FromSeconds(Math.Max(1, _options.QueueTimeoutMs / 1000)) : TimeSpan.FromSeconds(1);

    public void Dispose() => _permits.Dispose();
}
