namespace QuickTry.Protocol;

/// <summary>
/// Wakes a waiting loop early: any number of <see cref="Set"/> calls before the loop waits again count as
/// one. The one wake primitive of the services: the queue worker, the submission tracker and the sandbox
/// pools' refill loops and waiting runs.
/// </summary>
public sealed class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set.
        }
    }

    /// <summary>Waits until set or <paramref name="timeout"/> passed; false on timeout.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
