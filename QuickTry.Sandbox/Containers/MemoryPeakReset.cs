using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Containers;

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
    // The layout that worked last (every container of one engine has the same); -1 while none has.
    private int _layout = -1;
    private int _warned;

    /// <summary>True when the container's peak now starts from its present usage.</summary>
    public bool TryReset(string containerId)
    {
        if (!_localEngine)
        {
            return false;
        }
        var known = Volatile.Read(ref _layout);
        if (known >= 0 && TryWrite(known, containerId, out _))
        {
            return true;
        }
        for (var layout = 0; layout < Layouts.Length; layout++)
        {
            if (layout == known)
            {
                continue;
            }
            if (TryWrite(layout, containerId, out var path))
            {
                Volatile.Write(ref _layout, layout);
                return true;
            }
            if (path is not null && Interlocked.Exchange(ref _warned, 1) == 0)
            {
                logger.LogWarning("Cannot reset the memory peak of slot {ContainerId} ({Path}); slot runs report their largest process instead", containerId, path);
            }
        }
        return false;
    }

    /// <param name="unwritable">The file when it exists but could not be written.</param>
    private static bool TryWrite(int layout, string containerId, out string? unwritable)
    {
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, Layouts[layout], containerId);
        unwritable = null;
        try
        {
            File.WriteAllText(path, "0");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            unwritable = File.Exists(path) ? path : null;
            return false;
        }
    }
}
