using System.Diagnostics.CodeAnalysis;
using QuickTry.Protocol;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;

namespace QuickTry.Sandbox.Pool;

/// <summary>
/// One language's sandboxes of one kind: the warm ones (the only record of them: a container is warm
/// exactly while it is here, so one taken, evicted or recycled is gone from every count at once), the
/// slots out on a run or being wiped, the warm target and idle cap, and the two signals its refill loop
/// and its waiting runs wake on.
/// </summary>
internal sealed class LanguagePool(LanguageDefinition language, SandboxKind kind, int target, int maxIdle)
{
    private readonly object _lock = new();
    // Oldest first: a run takes the one that waited longest.
    private readonly LinkedList<SandboxContainer> _warm = new();
    private readonly WakeSignal _refill = new();
    private readonly WakeSignal _returned = new();
    // Slots out on a run: they come back, so the refill does not replace them meanwhile.
    private int _busy;
    private int _wiping;

    public LanguageDefinition Language { get; } = language;
    public SandboxKind Kind { get; } = kind;
    public int Target { get; } = target;

    /// <summary>Most idle containers kept: slots coming back from a burst stay up to this many.</summary>
    public int MaxIdle { get; } = maxIdle;

    public volatile bool ImagePresent;
    public volatile string? Version;

    public int WarmCount
    {
        get
        {
            lock (_lock)
            {
                return _warm.Count;
            }
        }
    }

    /// <summary>Slots whose run ended and whose wipe is under way.</summary>
    public int Wiping => Volatile.Read(ref _wiping);

    /// <summary>How many more the refill should start.</summary>
    public int Missing => Target - WarmCount - Volatile.Read(ref _busy);

    public bool TryTakeWarm([NotNullWhen(true)] out SandboxContainer? container)
    {
        lock (_lock)
        {
            container = _warm.First?.Value;
            if (container is null)
            {
                return false;
            }
            _warm.RemoveFirst();
            if (_warm.Count > 0)
            {
                // Pass it on: another run may be waiting for one that came back.
                _returned.Set();
            }
            return true;
        }
    }

    /// <summary>Makes <paramref name="container"/> warm unless <paramref name="cap"/> are already.</summary>
    public bool TryAddWarm(SandboxContainer container, int cap = int.MaxValue)
    {
        lock (_lock)
        {
            if (_warm.Count >= cap)
            {
                return false;
            }
            _warm.AddLast(container);
        }
        _returned.Set();
        return true;
    }

    /// <summary>Takes a warm container out by id (it died): false when it is not warm here.</summary>
    public bool TryRemoveWarm(string containerId)
    {
        lock (_lock)
        {
            for (var node = _warm.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == containerId)
                {
                    _warm.Remove(node);
                    return true;
                }
            }
            return false;
        }
    }

    /// <summary>Takes out every warm container for which <paramref name="leaves"/> holds (all of them by default).</summary>
    public List<SandboxContainer> TakeWarmWhere(Func<SandboxContainer, bool>? leaves = null)
    {
        lock (_lock)
        {
            var taken = _warm.Where(c => leaves?.Invoke(c) ?? true).ToList();
            foreach (var container in taken)
            {
                _warm.Remove(container);
            }
            return taken;
        }
    }

    public void WipeStarted() => Interlocked.Increment(ref _wiping);

    public void WipeEnded() => Interlocked.Decrement(ref _wiping);

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

    /// <summary>Wakes the refill loop: a run wanted this language, a container left, the engine came back.</summary>
    public void Wake() => _refill.Set();

    public Task<bool> WaitForWakeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _refill.WaitAsync(timeout, cancellationToken);

    /// <summary>Waits until a container became warm (a slot came back from its wipe) or <paramref name="timeout"/> passed.</summary>
    public Task<bool> WaitForReturnAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _returned.WaitAsync(timeout, cancellationToken);
}
