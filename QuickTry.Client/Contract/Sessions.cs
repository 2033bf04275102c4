namespace QuickTry.Client;

/// <summary>
/// <c>POST /sessions</c>: a sandbox of the caller's own that keeps its files (and, for Python, its
/// interpreter's state) between runs, until it is closed, idle too long or at the end of its life.
/// </summary>
public sealed record SessionRequest
{
    /// <summary>Language name or alias, as for a run.</summary>
    public string? Lang { get; init; }

    /// <summary>A version of the language (a prefix picks the newest match); unset, the default one.</summary>
    public string? Version { get; init; }

    /// <summary>Seconds without a call after which the session ends (default and ceiling in configuration).</summary>
    public int? IdleTimeoutSeconds { get; init; }
}

/// <summary>An open session, as <c>POST /sessions</c> and <c>GET /sessions/{id}</c> answer it.</summary>
public sealed record SessionInfo
{
    /// <summary>The session's id, in every call's path.</summary>
    public required string Id { get; init; }

    /// <summary>The language's name (never an alias).</summary>
    public required string Lang { get; init; }

    /// <summary>The language's version, as its toolchain reports it.</summary>
    public required string Version { get; init; }

    /// <summary>When the session ends if no call comes before (each call moves it on, up to <see cref="EndsAt"/>).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When the session ends whatever happens: its maximum life.</summary>
    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>Seconds without a call after which it ends.</summary>
    public required int IdleTimeoutSeconds { get; init; }

    /// <summary>Bytes its files may take in all.</summary>
    public long DiskBytes { get; init; }

    /// <summary>Whether runs keep the interpreter's state between them (a Jupyter kernel), not only the files.</summary>
    public bool Stateful { get; init; }

    /// <summary>How the sandbox is isolated and under which runtime, as for a run.</summary>
    public string Runtime { get; init; } = "";

    /// <summary>The executor process that holds it.</summary>
    public string? Executor { get; init; }
}

/// <summary><c>POST /sessions/{id}/run</c>: code run in the session's sandbox, beside the session's files.</summary>
public sealed record SessionRunRequest
{
    /// <summary>The code to run (written to the language's main file in the session's folder).</summary>
    public string? Code { get; init; }

    /// <summary>The program's stdin.</summary>
    public string? Stdin { get; init; }

    /// <summary>Command-line arguments.</summary>
    public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>Files written into the session before the run (they stay, as every file of the session does).</summary>
    public IReadOnlyList<RunFile?>? Files { get; init; }

    /// <summary>The run's time and output limits; memory and processes are the session's.</summary>
    public RequestedLimits? Limits { get; init; }
}

/// <summary>One file of a session, as <c>GET /sessions/{id}/files</c> lists it.</summary>
/// <param name="Path">Its path in the session's folder.</param>
/// <param name="Size">Its size in bytes.</param>
public sealed record SessionFile(string Path, long Size);

/// <summary>
/// The paths a session file may have, checked by the gateway and the executor alike: relative, plain
/// segments (no <c>.</c> or <c>..</c>, no empty one), no control characters, at most <see cref="MaxLength"/>.
/// </summary>
public static class SessionPaths
{
    /// <summary>Longest path a session file may have.</summary>
    public const int MaxLength = 512;

    /// <summary>What a client is told when a path breaks the rule.</summary>
    public const string Rule = "Use a relative path inside the session's folder: no leading '/', no '.' or '..' segments, no control characters, at most 512 characters.";

    /// <summary>Whether <paramref name="path"/> may name a session file.</summary>
    public static bool IsValid(string? path) =>
        !string.IsNullOrEmpty(path) && path.Length <= MaxLength && !path.StartsWith('/')
        && !path.Any(char.IsControl) && path.Split('/').All(part => part is not ("" or "." or ".."));
}

/// <summary>Why a session ended, in a <c>410 Gone</c> problem's <c>reason</c> field.</summary>
public static class SessionEndReasons
{
    /// <summary>The caller closed it (<c>DELETE /sessions/{id}</c>).</summary>
    public const string Closed = "closed";

    /// <summary>No call came within its idle timeout.</summary>
    public const string IdleTimeout = "idle_timeout";

    /// <summary>It reached its maximum life.</summary>
    public const string MaxLife = "max_life";

    /// <summary>The executor holding it stopped or restarted (or lost its Docker engine).</summary>
    public const string ExecutorStopped = "executor_stopped";

    /// <summary>A run ended the sandbox (it went past its output limit, or the runner could not go on).</summary>
    public const string SandboxFailed = "sandbox_failed";
}
