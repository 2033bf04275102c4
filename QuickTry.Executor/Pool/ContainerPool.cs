using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Executor.Engine;
using QuickTry.Executor.Languages;
using QuickTry.Executor.Sandbox;
using QuickTry.Executor.Telemetry;

namespace QuickTry.Executor.Pool;

/// <summary>
/// Started sandbox containers kept ready per language, so a run pays neither create nor start.
/// A container serves exactly one run and is then removed; a background loop per language refills.
/// When a language's pool is empty a run starts its own container rather than wait for the refill.
/// A warm container is handed out only while it is in <c>_warm</c>: the engine monitor takes out the
/// ones that die, and all of them when the engine goes away, so a run never gets a dead container.
/// </summary>
public sealed class ContainerPool(
    IDockerClient docker,
    EngineState engine,
    SandboxContainerFactory factory,
    LanguageCatalog languages,
    IOptions<PoolOptions> poolOptions,
    IOptions<ExecutorOptions> executorOptions,
    ILogger<ContainerPool> logger) : IAsyncDisposable
{
    private static readonly TimeSpan MissingImageRecheck = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LanguagePool> _pools = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxContainer> _tracked = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SandboxContainer> _warm = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _removals = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private int _started;
    private Task? _disposal;

    /// <summary>Removes what a crashed earlier instance left, then starts filling every language's pool.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }
        var reaped = await ReapAsync(static (_, _) => true, cancellationToken);
        if (reaped > 0)
        {
            logger.LogInformation("Removed {Count} sandbox containers left by an earlier run of instance {Instance}", reaped, executorOptions.Value.InstanceName);
        }
        foreach (var language in languages.All)
        {
            var pool = new LanguagePool(language, poolOptions.Value.WarmTarget(language.Name));
            _pools[language.Name] = pool;
            _loops.Add(Task.Run(() => RefillLoopAsync(pool, _stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>A started container for <paramref name="language"/>: a warm one if any, else a new one.</summary>
    public async Task<SandboxContainer> TakeAsync(LanguageDefinition language, CancellationToken cancellationToken)
    {
        using var activity = ExecutorTelemetry.Source.StartActivity("pool.take");
        var pool = _pools.GetValueOrDefault(language.Name);
        if (pool is not null)
        {
            pool.Wake();
            while (pool.Warm.Reader.TryRead(out var warm))
            {
                if (!_warm.TryRemove(warm.Id, out _))
                {
                    // Evicted while it waited (it died, or the engine went away).
                    continue;
                }
                activity?.SetTag("quicktry.pool.warm_hit", true);
                activity?.SetTag("container.id", warm.Id);
                return warm;
            }
        }
        activity?.SetTag("quicktry.pool.warm_hit", false);
        var cold = await StartTrackedAsync(language, cancellationToken);
        activity?.SetTag("container.id", cold.Id);
        if (pool is not null && pool.Version is null)
        {
            pool.Version = await TryReadVersionAsync(cold.Id, cancellationToken);
        }
        return cold;
    }

    /// <summary>Removes a spent container in the background.</summary>
    public void Release(SandboxContainer container)
    {
        var removal = Task.Run(async () =>
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
        });
        _removals[removal] = 0;
        removal.ContinueWith(t => _removals.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>A container of this instance died or was removed: if it was warm, it leaves the pool.</summary>
    public void Evict(string containerId)
    {
        if (!_warm.TryRemove(containerId, out var dead))
        {
            return;
        }
        logger.LogWarning("Warm sandbox {ContainerId} ({Language}) died; replacing it", containerId, dead.Language);
        Release(dead);
        if (_pools.TryGetValue(dead.Language, out var pool))
        {
            Compact(pool);
            pool.Wake();
        }
    }

    /// <summary>The engine went away, and every container with it: forget the warm ones.</summary>
    public void DropAllWarm()
    {
        foreach (var pool in _pools.Values)
        {
            while (pool.Warm.Reader.TryRead(out var container))
            {
                _warm.TryRemove(container.Id, out _);
                // Not removed now (the engine is gone): untracked, RecoverAsync reaps it.
                _tracked.TryRemove(container.Id, out _);
            }
        }
    }

    /// <summary>The engine is back: remove what the outage left and refill every pool.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        DropAllWarm();
        var reaped = await ReapAsync(static (_, tracked) => !tracked, cancellationToken);
        logger.LogInformation("Removed {Count} sandbox containers left by the engine outage", reaped);
        foreach (var pool in _pools.Values)
        {
            pool.Wake();
        }
    }

    /// <summary>Whether a container id belongs to this process (warm, running or being removed).</summary>
    public bool IsTracked(string containerId) => _tracked.ContainsKey(containerId);

    public string? VersionOf(string language) => _pools.GetValueOrDefault(language)?.Version;

    /// <summary>Per language: image present, warm containers, target.</summary>
    public IReadOnlyList<LanguagePoolStatus> Status() =>
        [.. languages.All.Select(l => _pools.TryGetValue(l.Name, out var p)
            ? new LanguagePoolStatus(l.Name, p.ImagePresent, p.Warm.Reader.Count, p.Target, p.Version)
            : new LanguagePoolStatus(l.Name, false, 0, poolOptions.Value.WarmTarget(l.Name), null))];

    /// <summary>Removes containers of this instance for which <paramref name="shouldRemove"/> holds.</summary>
    internal async Task<int> ReapAsync(Func<ContainerListResponse, bool, bool> shouldRemove, CancellationToken cancellationToken)
    {
        var listed = await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{SandboxLabels.Instance}={executorOptions.Value.InstanceName}"] = true },
            },
        }, cancellationToken);
        var removed = 0;
        foreach (var container in listed)
        {
            if (shouldRemove(container, IsTracked(container.ID)))
            {
                await factory.RemoveAsync(container.ID, cancellationToken);
                removed++;
            }
        }
        return removed;
    }

    private async Task RefillLoopAsync(LanguagePool pool, CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!pool.ImagePresent)
                {
                    pool.ImagePresent = await ImageExistsAsync(factory.ImageOf(pool.Language), stopping);
                    if (!pool.ImagePresent)
                    {
                        logger.LogWarning("Image {Image} is missing; run scripts/setup.sh to build it", factory.ImageOf(pool.Language));
                        await pool.WaitForWakeAsync(MissingImageRecheck, stopping);
                        continue;
                    }
                }
                if (pool.Version is null)
                {
                    var probe = await StartTrackedAsync(pool.Language, stopping);
                    pool.Version = await TryReadVersionAsync(probe.Id, stopping);
                    if (pool.Warm.Reader.Count < pool.Target)
                    {
                        AddWarm(pool, probe);
                    }
                    else
                    {
                        Release(probe);
                    }
                }
                while (pool.Warm.Reader.Count < pool.Target && !stopping.IsCancellationRequested)
                {
                    await RefillAsync(pool, Math.Min(pool.Target - pool.Warm.Reader.Count, poolOptions.Value.RefillParallelism), stopping);
                }
                backoff = TimeSpan.FromSeconds(1);
                await pool.WaitForWakeAsync(Timeout.InfiniteTimeSpan, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                try
                {
                    if (!engine.IsUp)
                    {
                        // Not a failure of this pool: wait for the engine, then refill at once.
                        await engine.WaitUntilUpAsync(stopping);
                        backoff = TimeSpan.FromSeconds(1);
                        continue;
                    }
                    logger.LogError(e, "Refilling the {Language} pool failed; retrying in {Backoff}", pool.Language.Name, backoff);
                    if (e is DockerImageNotFoundException)
                    {
                        pool.ImagePresent = false;
                    }
                    // A wake (a run that wanted this language, the engine coming back) cuts the wait short.
                    await pool.WaitForWakeAsync(backoff, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                backoff = TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, backoff.Ticks * 2));
            }
        }
    }

    /// <summary>Starts <paramref name="count"/> containers at once; those that started join the pool even if another failed.</summary>
    private async Task RefillAsync(LanguagePool pool, int count, CancellationToken stopping)
    {
        var starts = Enumerable.Range(0, count).Select(_ => StartTrackedAsync(pool.Language, stopping)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                AddWarm(pool, start.Result);
            }
        }
    }

    private void AddWarm(LanguagePool pool, SandboxContainer container)
    {
        _warm[container.Id] = container;
        pool.Warm.Writer.TryWrite(container);
    }

    /// <summary>Drops evicted containers from a pool's queue so its count is what is really warm.</summary>
    private void Compact(LanguagePool pool)
    {
        var alive = new List<SandboxContainer>();
        while (pool.Warm.Reader.TryRead(out var container))
        {
            if (_warm.ContainsKey(container.Id))
            {
                alive.Add(container);
            }
        }
        foreach (var container in alive)
        {
            pool.Warm.Writer.TryWrite(container);
        }
    }

    private async Task<SandboxContainer> StartTrackedAsync(LanguageDefinition language, CancellationToken cancellationToken)
    {
        var container = await factory.StartAsync(language, cancellationToken);
        _tracked[container.Id] = container;
        return container;
    }

    private async Task<string?> TryReadVersionAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            return await factory.ReadVersionAsync(containerId, cancellationToken);
        }
        catch (DockerApiException e)
        {
            logger.LogWarning(e, "Could not read the toolchain version from sandbox {ContainerId}", containerId);
            return null;
        }
    }

    private async Task<bool> ImageExistsAsync(string image, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Images.InspectImageAsync(image, cancellationToken);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Stops refilling and removes every container this pool still has.</summary>
    public ValueTask DisposeAsync()
    {
        // The janitor calls this when the host stops and the service provider again when it is disposed;
        // the second caller must wait for the first, or the Docker client is disposed under its removals.
        var disposal = new TaskCompletionSource();
        var first = Interlocked.CompareExchange(ref _disposal, disposal.Task, null);
        if (first is not null)
        {
            return new ValueTask(first);
        }
        _ = DisposeCoreAsync().ContinueWith(t =>
        {
            if (t.Exception is not null)
            {
                logger.LogError(t.Exception, "Stopping the pool failed; the next start removes what is left");
            }
            disposal.SetResult();
        }, TaskScheduler.Default);
        return new ValueTask(disposal.Task);
    }

    private async Task DisposeCoreAsync()
    {
        await _stopping.CancelAsync();
        await Task.WhenAll(_loops);
        foreach (var pool in _pools.Values)
        {
            while (pool.Warm.Reader.TryRead(out var container))
            {
                _warm.TryRemove(container.Id, out _);
                Release(container);
            }
        }
        await Task.WhenAll(_removals.Keys);
        // Whatever is still labelled as ours (a create that raced the stop, a failed removal) goes too.
        await ReapAsync(static (_, _) => true, CancellationToken.None);
        _stopping.Dispose();
    }

    private sealed class LanguagePool(LanguageDefinition language, int target)
    {
        private readonly SemaphoreSlim _wake = new(0);

        public LanguageDefinition Language { get; } = language;
        public int Target { get; } = target;
        public Channel<SandboxContainer> Warm { get; } = Channel.CreateUnbounded<SandboxContainer>();
        public volatile bool ImagePresent;
        public volatile string? Version;

        public void Wake()
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }

        public async Task WaitForWakeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
            await _wake.WaitAsync(timeout, cancellationToken);
    }
}

public sealed record LanguagePoolStatus(string Language, bool ImagePresent, int Warm, int Target, string? Version);
