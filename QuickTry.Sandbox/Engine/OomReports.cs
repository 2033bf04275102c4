using System.Collections.Concurrent;

namespace QuickTry.Sandbox.Engine;

/// <summary>
/// The engine's OOM reports per container, from its event stream. Docker marks a container OOM-killed only
/// when the runtime's OOM event reached it before the exit; CI once saw a gVisor sandbox taken whole by the
/// host's OOM killer come back as a plain SIGKILL (a runtime error). A report that comes later is seen here.
/// </summary>
public sealed class OomReports
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _reports = new(StringComparer.Ordinal);

    /// <summary>The engine reported an OOM kill in the container.</summary>
    public void Reported(string containerId) => Of(containerId).TrySetResult();

    /// <summary>The container was removed: nothing more will be reported for it.</summary>
    public void Forget(string containerId) => _reports.TryRemove(containerId, out _);

    /// <summary>Whether an OOM kill of the container was reported, or is within <paramref name="within"/>.</summary>
    public async Task<bool> WaitAsync(string containerId, TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            await Of(containerId).Task.WaitAsync(within, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private TaskCompletionSource Of(string containerId) =>
        _reports.GetOrAdd(containerId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
