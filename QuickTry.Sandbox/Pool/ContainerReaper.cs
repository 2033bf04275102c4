using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using Docker.DotNet;
using Docker.DotNet.Models;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox.Pool;

/// <summary>
/// Which containers this instance has (from before their create call until their removal ended) and the
/// one way they are removed: a spent one in the background, or every container of the instance a rule
/// picks — what an earlier instance or an engine outage left, leaks the janitor finds, everything at stop.
/// </summary>
internal sealed class ContainerReaper(IDockerClient docker, SandboxContainerFactory factory, string instanceName, ILogger logger)
{
    private readonly ConcurrentDictionary<string, SandboxContainer> _tracked = new(StringComparer.Ordinal);
    // Slot labels of containers being created and started: the engine lists such a container before its
    // id reaches us. CI found a recovery's reap removing a slot a run had just been given (the run waited
    // for its watchdog and was reported as a time limit).
    private readonly ConcurrentDictionary<string, byte> _starting = new(StringComparer.Ordinal);
    // Background work a stop waits for: removals, and slots still being wiped on their way back.
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    public void Track(SandboxContainer container) => _tracked[container.Id] = container;

    /// <summary>
    /// Starts a container as this instance's: from before the create call (by its slot label) until its
    /// removal, no reap takes it for a leftover.
    /// </summary>
    public async Task<SandboxContainer> StartAsync(string slot, Func<Task<SandboxContainer>> start)
    {
        _starting[slot] = 0;
        try
        {
            var container = await start();
            Track(container);
            return container;
        }
        finally
        {
            _starting.TryRemove(slot, out _);
        }
    }

    /// <summary>Whether a container id belongs to this instance (warm, running or being removed).</summary>
    public bool IsTracked(string containerId) => _tracked.ContainsKey(containerId);

    public bool TryGet(string containerId, [NotNullWhen(true)] out SandboxContainer? container) =>
        _tracked.TryGetValue(containerId, out container);

    /// <summary>The engine went away with the container: untracked, the recovery's reap removes what is left.</summary>
    public void Forget(string containerId) => _tracked.TryRemove(containerId, out _);

    /// <summary>Background work that a stop must wait for.</summary>
    public void Follow(Task work)
    {
        _pending[work] = 0;
        work.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Removes a spent container in the background.</summary>
    public void Release(SandboxContainer container) => Follow(Task.Run(async () =>
    {
        // A child of the run's span when a run releases it; it may end after the response is sent.
        using var activity = Activity.Current is null ? null : ExecutorTelemetry.Source.StartActivity("sandbox.remove");
        activity?.SetTag("container.id", container.Id);
        try
        {
            await factory.RemoveAsync(container.Id, CancellationToken.None);
        }
        catch (Exception e)
        {
            ExecutorTelemetry.Fail(activity, e);
            // Whatever failed, the janitor (or the next start) finds it by its label.
            logger.LogWarning(e, "Could not remove sandbox {ContainerId}", container.Id);
        }
        finally
        {
            _tracked.TryRemove(container.Id, out _);
        }
    }));

    /// <summary>Removes the containers of this instance for which <paramref name="shouldRemove"/> (the container, whether it is tracked) holds.</summary>
    public async Task<int> ReapAsync(Func<ContainerListResponse, bool, bool> shouldRemove, CancellationToken cancellationToken)
    {
        var listed = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{SandboxLabels.Instance}={instanceName}"] = true },
            },
        }, cancellationToken);
        var removed = 0;
        foreach (var container in listed)
        {
            var ours = IsTracked(container.ID)
                || container.Labels?.TryGetValue(SandboxLabels.Slot, out var slot) == true && _starting.ContainsKey(slot);
            if (shouldRemove(container, ours))
            {
                await factory.RemoveAsync(container.ID, cancellationToken);
                removed++;
            }
        }
        return removed;
    }

    /// <summary>
    /// At stop, after the pools gave back their warm containers: waits for the removals and wipes under way,
    /// then removes whatever is still labelled as this instance's (a create that raced the stop, a failed
    /// removal) until a look finds none: a removal the engine reports as already in progress can still
    /// fail, and CI found a slot left behind after a single pass.
    /// </summary>
    public async Task RemoveEverythingAsync()
    {
        await Task.WhenAll(_pending.Keys);
        for (var pass = 1; pass <= 5; pass++)
        {
            try
            {
                if (await ReapAsync(static (_, _) => true, CancellationToken.None) == 0)
                {
                    return;
                }
            }
            catch (DockerApiException e) when (pass < 5)
            {
                logger.LogInformation("Removing the pool's last containers failed ({Error}); trying again", e.Message);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200 * pass), CancellationToken.None);
        }
    }
}
