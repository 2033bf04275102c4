namespace QuickTry.Sandbox.Engine;

/// <summary>
/// Whether the Docker engine answers, as <see cref="EngineMonitor"/> last saw it. Runs are refused with
/// 503 while it is down (rather than answered with a result that did not happen), the health check
/// reports Unhealthy, and the pool's refill loops wait for it instead of backing off blindly.
/// </summary>
public sealed class EngineState(TimeProvider time)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource _up = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _isUp;

    public bool IsUp
    {
        get { lock (_lock) { return _isUp; } }
    }

    /// <summary>When the engine was last seen going away (null while it is up or was never up).</summary>
    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>Why the engine is thought down, for the health report.</summary>
    public string? LastError { get; private set; }

    /// <summary>
    /// The OCI runtimes the engine declares (its daemon configuration), as last read when it came up;
    /// null until then. A runtime it does not declare cannot start a sandbox.
    /// </summary>
    public IReadOnlySet<string>? Runtimes { get; private set; }

    internal void MarkUp(IReadOnlySet<string> runtimes)
    {
        lock (_lock)
        {
            Runtimes = runtimes;
            if (_isUp)
            {
                return;
            }
            _isUp = true;
            DownSince = null;
            LastError = null;
            _up.TrySetResult();
        }
    }

    /// <returns>True when this call took the engine from up to down.</returns>
    internal bool MarkDown(string reason)
    {
        lock (_lock)
        {
            LastError = reason;
            if (!_isUp)
            {
                DownSince ??= time.GetUtcNow();
                return false;
            }
            _isUp = false;
            DownSince = time.GetUtcNow();
            _up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    /// <summary>Whether the engine (as last seen) can start sandboxes under <paramref name="runtime"/>.</summary>
    public bool Declares(string runtime) => Runtimes?.Contains(runtime) ?? false;

    /// <summary>Completes when the engine is up (at once if it is).</summary>
    public Task WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _isUp ? Task.CompletedTask : _up.Task.WaitAsync(cancellationToken);
        }
    }
}
