using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;

namespace QuickTry.Sandbox.Sessions;

/// <summary>
/// One open session: its sandbox (never another caller's, never pooled), its language and clocks. One call
/// at a time goes into its sandbox (<see cref="Gate"/>); the <see cref="SessionService"/> owns its life.
/// </summary>
internal sealed class SandboxSession(string id, SandboxContainer container, LanguageDefinition language, string version,
    string? client, int idleTimeoutSeconds, DateTimeOffset createdAt, DateTimeOffset endsAt, long diskBytes)
{
    public string Id { get; } = id;
    public SandboxContainer Container { get; } = container;
    public LanguageDefinition Language { get; } = language;
    public string Version { get; } = version;
    public string? Client { get; } = client;
    public int IdleTimeoutSeconds { get; } = idleTimeoutSeconds;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public DateTimeOffset EndsAt { get; } = endsAt;
    public long DiskBytes { get; } = diskBytes;
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Cancelled when the session ends: a call still in its sandbox stops waiting.</summary>
    public CancellationTokenSource Ending { get; } = new();

    /// <summary>A Python session's Jupyter kernel, which keeps its state between runs; null for other languages.</summary>
    public SessionKernel? Kernel { get; init; }

    private long _lastUsedTicks = createdAt.UtcTicks;

    public DateTimeOffset LastUsed => new(Interlocked.Read(ref _lastUsedTicks), TimeSpan.Zero);

    /// <summary>When it ends without another call: its idle timeout after the last one, at most its life.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idle = LastUsed.AddSeconds(IdleTimeoutSeconds);
            return idle < EndsAt ? idle : EndsAt;
        }
    }

    public void Touch(DateTimeOffset now) => Interlocked.Exchange(ref _lastUsedTicks, now.UtcTicks);

    public SessionInfo Describe(string? executor) => new()
    {
        Id = Id,
        Lang = Language.Name,
        Version = Version,
        ExpiresAt = ExpiresAt,
        EndsAt = EndsAt,
        IdleTimeoutSeconds = IdleTimeoutSeconds,
        DiskBytes = DiskBytes,
        Stateful = Kernel is not null,
        Runtime = Container.Runtime,
        Executor = executor,
    };
}

/// <summary>A session that ended: why (one of <see cref="SessionEndReasons"/>) and a sentence for people.</summary>
internal sealed record EndedSession(string Reason, string Detail, DateTimeOffset At);
