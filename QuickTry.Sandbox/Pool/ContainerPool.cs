using System.Collections.Concurrent;
using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox.Pool;

/// <summary>
/// Started sandbox containers kept ready per language and kind (<see cref="LanguagePool"/>), so a run pays
/// neither create nor start. A one-run container is removed after its run; a slot comes back after each run
/// once its wipe is verified, until it served its runs or reached its age. A background loop per pool
/// refills to the warm target (<see cref="PoolSizing"/>); when a pool is empty a run starts its own container
/// rather than wait for the refill. The engine monitor takes out warm containers that die, and all of them
/// when the engine goes away, so a run never gets a dead container. Removal is the <see cref="ContainerReaper"/>'s.
/// The <see cref="PoolJanitor"/> starts it with the host and stops it when the host stops; the service
/// provider's disposal only waits for that stop (see <see cref="DisposeAsync"/>).
/// </summary>
public sealed class ContainerPool(
    IDockerClient docker,
    EngineState engine,
    SandboxContainerFactory factory,
    LanguageCatalog languages,
    IOptions<PoolOptions> poolOptions,
    IOptions<IsolationOptions> isolationOptions,
    IOptions<SandboxOptions> sandboxOptions,
    IOptions<ExecutorOptions> executorOptions,
    TimeProvider time,
    ILogger<ContainerPool> logger) : IAsyncDisposable, IToolchainVersions
{
    private static readonly TimeSpan MissingImageRecheck = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    // Longest a run waits for a slot that is being wiped before it starts a container of its own.
    private static readonly TimeSpan WipeWait = TimeSpan.FromMilliseconds(300);

    private readonly ConcurrentDictionary<string, LanguagePool> _pools = new(StringComparer.Ordinal);
    private readonly PoolSizing _sizing = new(poolOptions.Value, isolationOptions.Value, sandboxOptions.Value);
    private readonly ContainerReaper _reaper = new(docker, factory, executorOptions.Value.InstanceName, logger);
    private readonly ToolchainVersionReader _versions = new(factory, logger);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private int _started;
    private readonly object _stopLock = new();
    private Task? _stop;

    /// <summary>Removes what a crashed earlier instance left, then starts filling every language's pool.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }
        var reaped = await _reaper.ReapAsync(static (_, _) => true, cancellationToken);
        if (reaped > 0)
        {
            logger.LogInformation("Removed {Count} sandbox containers left by an earlier run of instance {Instance}", reaped, executorOptions.Value.InstanceName);
        }
        var unversioned = new List<LanguagePool>();
        foreach (var language in languages.All)
        {
            foreach (var kind in _sizing.KindsToKeep(language))
            {
                var (target, maxIdle) = _sizing.Sizes(language.Name, kind);
                var pool = new LanguagePool(language, kind, target, maxIdle);
                _pools[Key(language.Name, kind)] = pool;
                if (target > 0)
                {
                    _loops.Add(Task.Run(() => RefillLoopAsync(pool, _stopping.Token), CancellationToken.None));
                }
                else
                {
                    // No loop looks for its image: look once, so readiness tells a missing image from an unused pool.
                    pool.ImagePresent = await ImageExistsAsync(factory.ImageOf(language), cancellationToken);
                    if (pool.ImagePresent && !unversioned.Any(p => p.Language == language))
                    {
                        unversioned.Add(pool);
                    }
                }
            }
        }
        // Refill loops read their image's version with their first sandbox; the others' are read here.
        _loops.Add(Task.Run(() => _versions.ReadAsync(unversioned, VersionOf, _stopping.Token), CancellationToken.None));
    }

    /// <summary>
    /// Reads the versions of every version of the language a request names that are not known yet (an
    /// executor just started, or no sandbox of it ran), so the request picks among all of them.
    /// </summary>
    public async Task LearnVersionsAsync(string? nameOrAlias, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(nameOrAlias) || !languages.TryFind(nameOrAlias.Trim(), out var named))
        {
            return;
        }
        var versions = languages.VersionsOf(named);
        if (versions.Count == 1 || versions.All(l => VersionOf(l.Name) is not null))
        {
            return;
        }
        await _versions.ReadAsync(
            versions.Select(l => _pools.Values.FirstOrDefault(p => p.Language == l && p.ImagePresent)).OfType<LanguagePool>(),
            VersionOf, cancellationToken);
    }

    private static string Key(string language, SandboxKind kind) => $"{language}/{kind}";

    /// <summary>A started container for <paramref name="language"/>: a warm one if any, else a new one.</summary>
    /// <remarks>
    /// A kind whose containers cannot change limits (gVisor) takes a warm one only if it has the run's
    /// limits; otherwise the run starts its own container with them (and it is not kept afterwards).
    /// </remarks>
    public async Task<SandboxContainer> TakeAsync(LanguageDefinition language, SandboxKind kind, AppliedLimits limits, CancellationToken cancellationToken)
    {
        using var activity = ExecutorTelemetry.Source.StartActivity("pool.take");
        activity?.SetTag("quicktry.isolation", kind.Isolation.ToWireName());
        activity?.SetTag("quicktry.runtime", kind.Runtime);
        // A kind no configuration named (a plan's runtime) gets a pool now: no warm target, but its
        // slots come back after their runs like any other's.
        var pool = _stopping.IsCancellationRequested ? _pools.GetValueOrDefault(Key(language.Name, kind))
            : _pools.GetOrAdd(Key(language.Name, kind), _ => NewOnDemandPool(language, kind));
        if (!SandboxContainerFactory.CanChangeLimits(kind) && !factory.HasDefaultLimits(language, limits))
        {
            activity?.SetTag("quicktry.pool.warm_hit", false);
            var sized = await StartTrackedAsync(language, kind, limits, cancellationToken);
            activity?.SetTag("container.id", sized.Id);
            return sized;
        }
        if (pool is not null)
        {
            pool.Wake();
            // A slot whose wipe is under way is back in milliseconds; a new container takes hundreds.
            var waitUntil = time.GetTimestamp() + (long)(WipeWait.TotalSeconds * time.TimestampFrequency);
            while (true)
            {
                while (pool.TryTakeWarm(out var warm))
                {
                    if (Expired(warm))
                    {
                        _reaper.Release(warm);
                        continue;
                    }
                    activity?.SetTag("quicktry.pool.warm_hit", true);
                    activity?.SetTag("container.id", warm.Id);
                    pool.TakeOut(warm);
                    return warm;
                }
                var left = TimeSpan.FromSeconds((double)(waitUntil - time.GetTimestamp()) / time.TimestampFrequency);
                if (pool.Wiping == 0 || left <= TimeSpan.Zero || !await pool.WaitForReturnAsync(left, cancellationToken))
                {
                    break;
                }
            }
        }
        activity?.SetTag("quicktry.pool.warm_hit", false);
        var cold = await StartTrackedAsync(language, kind, null, cancellationToken);
        activity?.SetTag("container.id", cold.Id);
        pool?.TakeOut(cold);
        if (pool is not null && VersionOf(language.Name) is null)
        {
            pool.Version = await _versions.TryReadFromAsync(cold.Id, cancellationToken);
        }
        return cold;
    }

    private LanguagePool NewOnDemandPool(LanguageDefinition language, SandboxKind kind)
    {
        var (_, maxIdle) = _sizing.Sizes(language.Name, kind);
        return new LanguagePool(language, kind, target: 0, maxIdle) { ImagePresent = true };
    }

    /// <summary>
    /// After a run: a slot whose wipe is verified (<paramref name="reusable"/> true) goes back to its pool
    /// while it has runs and age left and the pool is not over its idle cap; anything else is removed.
    /// </summary>
    public void Return(SandboxContainer container, Task<bool>? reusable)
    {
        // A container started for a run's own limits (gVisor) never joins the pool of default-sized ones.
        var pool = container.Sized ? null : _pools.GetValueOrDefault(Key(container.Language, container.Kind));
        if (reusable is null)
        {
            _reaper.Release(container);
            pool?.BackIn(container);
            return;
        }
        pool?.WipeStarted();
        _reaper.Follow(Task.Run(async () =>
        {
            // A child of the run's span: it ends after the response, when the slot reported its wipe.
            using var activity = Activity.Current is null ? null : ExecutorTelemetry.Source.StartActivity("sandbox.wipe");
            activity?.SetTag("container.id", container.Id);
            try
            {
                var clean = await reusable;
                activity?.SetTag("quicktry.sandbox.wipe_verified", clean);
                if (!clean)
                {
                    activity?.SetStatus(ActivityStatusCode.Error, "the wipe was not verified; the slot is replaced");
                }
                if (clean && pool is not null && !container.Exhausted && !Expired(container) && engine.IsUp
                    && !_stopping.IsCancellationRequested && _reaper.IsTracked(container.Id)
                    && pool.TryAddWarm(container, cap: pool.MaxIdle))
                {
                    activity?.SetTag("quicktry.sandbox.reused", true);
                    return;
                }
                activity?.SetTag("quicktry.sandbox.reused", false);
                _reaper.Release(container);
            }
            finally
            {
                pool?.WipeEnded();
                pool?.BackIn(container);
            }
        }));
    }

    /// <summary>Replaces idle slots past their age; the refill loops bring the pools back to target.</summary>
    public void RecycleExpired()
    {
        foreach (var pool in _pools.Values.Where(p => p.Kind.Isolation == Isolation.Slot))
        {
            var expired = pool.TakeWarmWhere(Expired);
            foreach (var container in expired)
            {
                _reaper.Release(container);
            }
            if (expired.Count > 0)
            {
                pool.Wake();
            }
        }
    }

    private bool Expired(SandboxContainer container) =>
        container.Isolation == Isolation.Slot
        && time.GetElapsedTime(container.StartedAt) > TimeSpan.FromSeconds(isolationOptions.Value.SlotMaxAgeSeconds);

    /// <summary>A container of this instance died or was removed: if it was warm, it leaves its pool.</summary>
    public void Evict(string containerId)
    {
        if (!_reaper.TryGet(containerId, out var dead)
            || !_pools.TryGetValue(Key(dead.Language, dead.Kind), out var pool)
            || !pool.TryRemoveWarm(containerId))
        {
            return;
        }
        logger.LogWarning("Warm sandbox {ContainerId} ({Language}) died; replacing it", containerId, dead.Language);
        _reaper.Release(dead);
        pool.Wake();
    }

    /// <summary>The engine went away, and every container with it: forget the warm ones.</summary>
    public void DropAllWarm()
    {
        foreach (var pool in _pools.Values)
        {
            foreach (var container in pool.TakeWarmWhere())
            {
                // Not removed now (the engine is gone): untracked, RecoverAsync reaps it.
                _reaper.Forget(container.Id);
            }
        }
    }

    /// <summary>The engine is back: remove what the outage left and refill every pool.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        DropAllWarm();
        var reaped = await _reaper.ReapAsync(static (_, tracked) => !tracked, cancellationToken);
        logger.LogInformation("Removed {Count} sandbox containers left by the engine outage", reaped);
        foreach (var pool in _pools.Values)
        {
            pool.Wake();
        }
    }

    /// <summary>Removes containers of this instance for which <paramref name="shouldRemove"/> (the container, whether it is tracked) holds.</summary>
    internal Task<int> ReapAsync(Func<ContainerListResponse, bool, bool> shouldRemove, CancellationToken cancellationToken) =>
        _reaper.ReapAsync(shouldRemove, cancellationToken);

    /// <summary>Starts a session's sandbox: this instance's from its creation (no reap takes it, a stop removes it), never pooled.</summary>
    public Task<SandboxContainer> StartSessionAsync(string sessionId, LanguageDefinition language, string runtime, int memoryMb, int diskMb,
        CancellationToken cancellationToken) =>
        _reaper.StartAsync(sessionId, () => factory.StartSessionAsync(sessionId, language, runtime, memoryMb, diskMb, cancellationToken));

    /// <summary>A session's sandbox was removed (or went with the engine): no longer this instance's.</summary>
    public void Forget(SandboxContainer container) => _reaper.Forget(container.Id);

    /// <summary>Whether a container id belongs to this process (warm, running or being removed).</summary>
    public bool IsTracked(string containerId) => _reaper.IsTracked(containerId);

    /// <summary>The toolchain version a language's image recorded (one image, whatever the kind of sandbox).</summary>
    public string? VersionOf(string language) =>
        _pools.Values.Where(p => p.Language.Name == language).Select(p => p.Version).FirstOrDefault(v => v is not null);

    /// <summary>The kind of sandbox a language's runs get when no plan asks for another.</summary>
    public SandboxKind DefaultKind(string language) => _sizing.DefaultKind(language);

    /// <summary>Per language, for the kind of sandbox its runs get: image present, warm containers, target.</summary>
    public IReadOnlyList<LanguagePoolStatus> Status() =>
        [.. languages.All.Select(l =>
        {
            var kind = DefaultKind(l.Name);
            return _pools.TryGetValue(Key(l.Name, kind), out var p)
                ? new LanguagePoolStatus(l.Name, kind, p.ImagePresent, p.WarmCount, p.Target, VersionOf(l.Name))
                : new LanguagePoolStatus(l.Name, kind, false, 0, _sizing.WarmTarget(l.Name), null);
        })];

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
                    var probe = await StartTrackedAsync(pool.Language, pool.Kind, null, stopping);
                    pool.Version = await _versions.TryReadFromAsync(probe.Id, stopping);
                    if (!pool.TryAddWarm(probe, cap: pool.Target))
                    {
                        _reaper.Release(probe);
                    }
                }
                while (pool.Missing > 0 && !stopping.IsCancellationRequested)
                {
                    await RefillAsync(pool, Math.Min(pool.Missing, poolOptions.Value.RefillParallelism), stopping);
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
        var starts = Enumerable.Range(0, count).Select(_ => StartTrackedAsync(pool.Language, pool.Kind, null, stopping)).ToList();
        try
        {
            await Task.WhenAll(starts);
        }
        finally
        {
            foreach (var start in starts.Where(s => s.IsCompletedSuccessfully))
            {
                pool.TryAddWarm(start.Result);
            }
        }
    }

    /// <param name="limits">The run's own limits, for a container only it uses; null: the language's defaults.</param>
    private async Task<SandboxContainer> StartTrackedAsync(LanguageDefinition language, SandboxKind kind, AppliedLimits? limits,
        CancellationToken cancellationToken)
    {
        var slot = SandboxContainerFactory.NewSlot();
        return await _reaper.StartAsync(slot, () => factory.StartAsync(slot, language, kind, limits, cancellationToken));
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

    /// <summary>
    /// Stops refilling and removes every container this pool still has: started once (by the janitor when
    /// the host stops), and every later call waits for that one stop.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopLock)
        {
            return _stop ??= StopCoreAsync();
        }
    }

    /// <summary>
    /// The service provider disposes the pool while it disposes the Docker client the removals use, which
    /// CI found happening before the janitor's stop had ended (an executor's last sandboxes were left): the
    /// disposal waits for that stop, so the client outlives the last removal.
    /// </summary>
    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StopCoreAsync()
    {
        try
        {
            await _stopping.CancelAsync();
            await Task.WhenAll(_loops);
            foreach (var pool in _pools.Values)
            {
                foreach (var container in pool.TakeWarmWhere())
                {
                    _reaper.Release(container);
                }
            }
            await _reaper.RemoveEverythingAsync();
        }
        catch (Exception e)
        {
            logger.LogError(e, "Stopping the pool failed; the next start removes what is left");
        }
        _stopping.Dispose();
    }
}

public sealed record LanguagePoolStatus(string Language, SandboxKind Kind, bool ImagePresent, int Warm, int Target, string? Version);
