namespace QuickTry.Executor.Runs;

/// <summary>Headers of the gateway → executor call.</summary>
public static class RunHeaders
{
    /// <summary>Which client a run is for, as the gateway names it (the key's name or a hashed IP, never a key); for traces.</summary>
    public const string Client = "X-QuickTry-Client";
}

/// <summary>What to run. Only <see cref="Lang"/> and <see cref="Code"/> are required.</summary>
public sealed record RunRequest
{
    /// <summary>Language name or alias (see <c>GET /languages</c>).</summary>
    public string? Lang { get; init; }

    /// <summary>The main source file's content.</summary>
    public string? Code { get; init; }

    public string? Stdin { get; init; }

    /// <summary>Command-line arguments, passed as an array (never through a shell).</summary>
    public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>Extra files placed beside the main file.</summary>
    public IReadOnlyList<RunFile?>? Files { get; init; }

    public RequestedLimits? Limits { get; init; }
}

public sealed record RunFile(string? Name, string? Content);

/// <summary>Limits a request asks for; unset ones take the language's or the global default.</summary>
public sealed record RequestedLimits
{
    public int? TimeMs { get; init; }
    public int? CompileTimeMs { get; init; }
    public int? MemoryMb { get; init; }
    public int? Pids { get; init; }
    public int? OutputBytes { get; init; }
}

/// <summary>The limits a run actually got.</summary>
public sealed record AppliedLimits(int TimeMs, int CompileTimeMs, int MemoryMb, int Pids, int OutputBytes);
