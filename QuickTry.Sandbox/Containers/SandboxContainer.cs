using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// A started sandbox container whose runner waits for a job: one job in isolation <c>container</c>, up to
/// <see cref="MaxRuns"/> one after another in a slot (each as the uid <see cref="FirstUid"/> + its index).
/// </summary>
/// <param name="Slot">Id given at creation; its <c>quicktry.slot</c> label.</param>
/// <param name="StartedAt">When it was started (a <see cref="TimeProvider"/> timestamp), for the slot's age.</param>
public sealed class SandboxContainer(string id, string slot, string language, SandboxKind kind,
    int firstUid, int maxRuns, int memoryMb, int pids, long startedAt)
{
    public string Id { get; } = id;
    public string Slot { get; } = slot;
    public string Language { get; } = language;
    public SandboxKind Kind { get; } = kind;
    public Isolation Isolation => Kind.Isolation;
    public string Runtime => Kind.Runtime;
    public int FirstUid { get; } = firstUid;
    public int MaxRuns { get; } = maxRuns;
    public long StartedAt { get; } = startedAt;

    /// <summary>Started for one run's own limits rather than the language's defaults; never pooled.</summary>
    public bool Sized { get; init; }

    /// <summary>A session's sandbox: every run as <see cref="FirstUid"/>, its files kept between runs.</summary>
    public bool IsSession { get; init; }

    /// <summary>Memory limit it has now (changed in place when a run asks for another).</summary>
    public int MemoryMb { get; set; } = memoryMb;

    /// <summary>PID limit it has now.</summary>
    public int Pids { get; set; } = pids;

    /// <summary>Jobs sent to it so far; one container serves one run at a time, so no two writers.</summary>
    public int Runs { get; set; }

    /// <summary>The uid the next job runs as.</summary>
    public int NextUid => IsSession ? FirstUid : FirstUid + Runs;

    public bool Exhausted => Runs >= MaxRuns;
}
