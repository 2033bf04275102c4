using Microsoft.Extensions.Options;

namespace QuickTry.Executor.Sandbox;

/// <summary>
/// Resets a slot's memory peak between two runs, so the next run reports its own peak and not the
/// slot's lifetime high. The container's cgroup files are read-only inside it, so this is done from the
/// host, which is possible when the executor shares the machine (and the cgroup v1 hierarchy) with a
/// local engine. Elsewhere the runner's other figure — the largest resident size among the run's
/// processes — stands in, and the result says which one it is by being smaller, never by being wrong.
/// </summary>
public sealed class MemoryPeakReset(IOptions<ExecutorOptions> executorOptions, ILogger<MemoryPeakReset> logger)
{
    private static readonly string[] Layouts =
    [
        "/sys/fs/cgroup/memory/docker/{0}/memory.max_usage_in_bytes",
        "/sys/fs/cgroup/memory/system.slice/docker-{0}.scope/memory.max_usage_in_bytes",
    ];

    private readonly bool _localEngine = executorOptions.Value.DockerEndpoint.StartsWith("unix:", StringComparison.Ordinal);
    private int _warned;

    /// <summary>True when the container's peak now starts from its present usage.</summary>
    public bool TryReset(string containerId)
    {
        if (!_localEngine)
        {
            return false;
        }
        foreach (var layout in Layouts)
        {
            var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, layout, containerId);
            try
            {
                File.WriteAllText(path, "0");
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (File.Exists(path) && Interlocked.Exchange(ref _warned, 1) == 0)
                {
                    logger.LogWarning(e, "Cannot reset the memory peak of slot {ContainerId}; slot runs report their largest process instead", containerId);
                }
            }
        }
        return false;
    }
}
