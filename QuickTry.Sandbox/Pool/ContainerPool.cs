using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
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
/// Started sandbox containers kept ready per language and isolation, so a run pays neither create nor
/// start. A one-run container is removed after its run; a slot comes back after each run once its wipe is
/// verified, until it served its runs or reached its age. A background loop per pool refills to the warm
/// target; when a pool is empty a run starts its own container rather than wait for the refill.
/// A warm container is handed out only while it is in <c>_warm</c>: the engine monitor takes out the
/// ones that die, and all of them when the engine goes away, so a run never gets a dead container.
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
        var unversioned = new List<LanguagePool>();
        foreach (var language in languages.All)
        {
            foreach (var kind in KindsToKeep(language))
            {
                var (target, maxIdle) = Sizes(language.Name, kind);
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
        _loops.Add(Task.Run(() => ReadVersionsAsync(unversioned, _stopping.Token), CancellationToken.None));
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
        await ReadVersionsAsync(
            versions.Select(l => _pools.Values.FirstOrDefault(p => p.Language == l && p.ImagePresent)).OfType<LanguagePool>(),
            cancellationToken);
    }

    /// <summary>
    /// A few at a time: each read is a container created and removed, mostly the engine's work, and one by
    /// one the 106 images of a cold machine took over 20 s (the queue waits for them before taking runs).
    /// </summary>
    private async Task ReadVersionsAsync(IEnumerable<LanguagePool> pools, CancellationToken stopping)
    {
        try
        {
            await Parallel.ForEachAsync(pools, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stopping }, async (pool, cancellationToken) =>
            {
                if (VersionOf(pool.Language.Name) is not null)
                {
                    return;
                }
                try
                {
                    pool.Version = await factory.ReadImageVersionAsync(pool.Language, pool.Kind, cancellationToken);
                }
                catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
                {
                    logger.LogWarning(e, "Could not read the toolchain version of image {Image}", factory.ImageOf(pool.Language));
                }
            });
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping: the versions not read yet stay unknown.
        }
    }

    /// <summary>
    /// The kinds kept per language: both isolations under the language's runtime and under each runtime
    /// plans ask for. Kinds no configuration names (another runtime a plan asks for) get a pool on first use.
    /// </summary>
    private IEnumerable<SandboxKind> KindsToKeep(LanguageDefinition language) =>
        sandboxOptions.Value.PlanRuntimes.Prepend(sandboxOptions.Value.RuntimeFor(language.Name, null))
            .Distinct(StringComparer.Ordinal)
            .SelectMany(runtime => new[] { new SandboxKind(Isolation.Slot, runtime), new SandboxKind(Isolation.Container, runtime) });

    /// <summary>Warm target and idle cap of a pool.</summary>
    private (int Target, int MaxIdle) Sizes(string language, SandboxKind kind)
    {
        var isolation = isolationOptions.Value;
        var warm = poolOptions.Value.WarmTarget(language);
        // Warm ones for the isolation the language's runs get; for the other, only what plans need.
        var target = isolation.For(language) == kind.Isolation ? warm
            : kind.Isolation == Isolation.Container ? Math.Min(isolation.WarmContainersForSlotLanguages, warm)
            : 0;
        var maxIdle = kind.Isolation == Isolation.Slot
            ? Math.Max(target, isolation.MaxIdleSlotsPerLanguage ?? poolOptions.Value.MaxConcurrentRuns)
            : target;
        return (target, maxIdle);
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
                while (pool.Warm.Reader.TryRead(out var warm))
                {
                    if (!_warm.TryRemove(warm.Id, out _))
                    {
                        // Evicted while it waited (it died, or the engine went away).
                        continue;
                    }
                    if (Expired(warm))
                    {
                        Release(warm);
                        continue;
                    }
                    activity?.SetTag("quicktry.pool.warm_hit", true);
                    activity?.SetTag("container.id", warm.Id);
                    pool.TakeOut(warm);
                    return warm;
                }
                var left = TimeSpan.FromSeconds((double)(waitUntil - time.GetTimestamp()) / time.TimestampFrequency);
                if (pool.Wiping == 0 || left <= TimeSpan.Zero || !await WaitForReturnAsync(pool, left, cancellationToken))
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
            pool.Version = await TryReadVersionAsync(cold.Id, cancellationToken);
        }
        return cold;
    }

    private LanguagePool NewOnDemandPool(LanguageDefinition language, SandboxKind kind)
    {
        var (_, maxIdle) = Sizes(language.Name, kind);
        return new LanguagePool(language, kind, target: 0, maxIdle) { ImagePresent = true };
    }

    private static async Task<bool> WaitForReturnAsync(LanguagePool pool, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await pool.Warm.Reader.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
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
            Release(container);
            pool?.BackIn(container);
            return;
        }
        pool?.WipeStarted();
        var returning = Task.Run(async () =>
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
                    && !_stopping.IsCancellationRequested && _tracked.ContainsKey(container.Id)
                    && pool.Warm.Reader.Count < pool.MaxIdle)
                {
                    AddWarm(pool, container);
                    activity?.SetTag("quicktry.sandbox.reused", true);
                    return;
                }
                activity?.SetTag("quicktry.sandbox.reused", false);
                Release(container);
            }
            finally
            {
                pool?.WipeEnded();
                pool?.BackIn(container);
            }
        });
        _removals[returning] = 0;
        returning.ContinueWith(t => _removals.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Replaces idle slots past their age; the refill loops bring the pools back to target.</summary>
    public void RecycleExpired()
    {
        foreach (var pool in _pools.Values.Where(p => p.Kind.Isolation == Isolation.Slot))
        {
            var kept = new List<SandboxContainer>();
            var recycled = 0;
            while (pool.Warm.Reader.TryRead(out var container))
            {
                if (!_warm.ContainsKey(container.Id))
                {
                    continue;
                }
                if (Expired(container))
                {
                    _warm.TryRemove(container.Id, out _);
                    Release(container);
                    recycled++;
                }
                else
                {
                    kept.Add(container);
                }
            }
            foreach (var container in kept)
            {
                pool.Warm.Writer.TryWrite(container);
            }
            if (recycled > 0)
            {
                pool.Wake();
            }
        }
    }

    private bool Expired(SandboxContainer container) =>
        container.Isolation == Isolation.Slot
        && time.GetElapsedTime(container.StartedAt) > TimeSpan.FromSeconds(isolationOptions.Value.SlotMaxAgeSeconds);

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
        if (_pools.TryGetValue(Key(dead.Language, dead.Kind), out var pool))
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

    /// <summary>The toolchain version a language's image recorded (one image, whatever the kind of sandbox).</summary>
    public string? VersionOf(string language) =>
        _pools.Values.Where(p => p.Language.Name == language).Select(p => p.Version).FirstOrDefault(v => v is not null);

    /// <summary>The kind of sandbox a language's runs get when no plan asks for another.</summary>
    public SandboxKind DefaultKind(string language) =>
        new(isolationOptions.Value.For(language), sandboxOptions.Value.RuntimeFor(language, null));

    /// <summary>Per language, for the kind of sandbox its runs get: image present, warm containers, target.</summary>
    public IReadOnlyList<LanguagePoolStatus> Status() =>
        [.. languages.All.Select(l =>
        {
            var kind = DefaultKind(l.Name);
            return _pools.TryGetValue(Key(l.Name, kind), out var p)
                ? new LanguagePoolStatus(l.Name, kind, p.ImagePresent, p.Warm.Reader.Count, p.Target, VersionOf(l.Name))
                : new LanguagePoolStatus(l.Name, kind, false, 0, poolOptions.Value.WarmTarget(l.Name), null);
        })];

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
                    var probe = await StartTrackedAsync(pool.Language, pool.Kind, null, stopping);
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

    /// <param name="limits">The run's own limits, for a container only it uses; null: the language's defaults.</param>
    private async Task<SandboxContainer> StartTrackedAsync(LanguageDefinition language, SandboxKind kind, AppliedLimits? limits,
        CancellationToken cancellationToken)
    {
        var container = await factory.StartAsync(language, kind, limits, cancellationToken);
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
        // Whatever is still labelled as ours (a create that raced the stop, a failed removal) goes too, until
        // a look finds none: a removal the engine reports as already in progress can still fail, and CI found
        // a slot left behind after a single pass.
        for (var pass = 1; pass <= 5; pass++)
        {
            try
            {
                if (await ReapAsync(static (_, _) => true, CancellationToken.None) == 0)
                {
                    break;
                }
            }
            catch (DockerApiException e) when (pass < 5)
            {
                logger.LogInformation("Removing the pool's last containers failed ({Error}); trying again", e.Message);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(200 * pass), CancellationToken.None);
        }
        _stopping.Dispose();
    }

    private sealed class LanguagePool(LanguageDefinition language, SandboxKind kind, int target, int maxIdle)
    {
        private readonly SemaphoreSlim _wake = new(0);

        public LanguageDefinition Language { get; } = language;
        public SandboxKind Kind { get; } = kind;
        public int Target { get; } = target;

        /// <summary>Most idle containers kept: slots coming back from a burst stay up to this many.</summary>
        public int MaxIdle { get; } = maxIdle;

        // Slots out on a run: they come back, so the refill does not replace them meanwhile.
        private int _busy;
        private int _wiping;

        /// <summary>Slots whose run ended and whose wipe is under way.</summary>
        public int Wiping => Volatile.Read(ref _wiping);

        public void WipeStarted() => Interlocked.Increment(ref _wiping);

        public void WipeEnded() => Interlocked.Decrement(ref _wiping);

        /// <summary>How many more the refill should start.</summary>
        public int Missing => Target - Warm.Reader.Count - Volatile.Read(ref _busy);

        public void TakeOut(SandboxContainer container)
        {
            if (container.Isolation == Isolation.Slot)
            {
                Interlocked.Increment(ref _busy);
            }
        }

        /// <summary>A slot's run ended: it is warm again or gone; either way the refill may look.</summary>
        public void BackIn(SandboxContainer container)
        {
            if (container.Isolation == Isolation.Slot)
            {
                Interlocked.Decrement(ref _busy);
                Wake();
            }
        }
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

public sealed record LanguagePoolStatus(string Language, SandboxKind Kind, bool ImagePresent, int Warm, int Target, string? Version);
