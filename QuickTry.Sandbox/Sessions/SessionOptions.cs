using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Sessions;

/// <summary>Sessions on this executor (section <c>Executor:Sessions</c>): how many, how long, how much disk.</summary>
public sealed class SessionOptions
{
    public const string Section = "Executor:Sessions";

    /// <summary>Sessions this executor holds at once; one more is refused (503) rather than squeezing the runs.</summary>
    public int MaxSessions { get; set; } = 8;

    /// <summary>Seconds without a call before a session ends: the default, and the most a request may ask.</summary>
    public int IdleTimeoutSeconds { get; set; } = 300;
    public int MaxIdleTimeoutSeconds { get; set; } = 1_800;

    /// <summary>A session's maximum life in seconds (a plan may allow less).</summary>
    public int MaxLifeSeconds { get; set; } = 1_800;

    /// <summary>
    /// A session's memory in MiB, swap included (the language's default when that is larger): a notebook's
    /// kernel, its data and its figures live there for the session's whole life.
    /// </summary>
    public int MemoryMb { get; set; } = 512;

    /// <summary>MiB a session's files may take (its work folder; its /tmp has as much again).</summary>
    public int DiskMb { get; set; } = 64;

    /// <summary>How often ended sessions are looked for, in milliseconds.</summary>
    public int SweepIntervalMs { get; set; } = 1_000;

    /// <summary>How long an ended session's reason is remembered (for its 410), in seconds.</summary>
    public int RememberEndedSeconds { get; set; } = 3_600;
}

internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var failures = new List<string>();
        var key = SessionOptions.Section;
        if (options.MaxSessions is < 0 or > 1_000) failures.Add($"{key}:MaxSessions must be 0..1000 (is {options.MaxSessions}).");
        if (options.IdleTimeoutSeconds < 1) failures.Add($"{key}:IdleTimeoutSeconds must be positive (is {options.IdleTimeoutSeconds}).");
        if (options.MaxIdleTimeoutSeconds < options.IdleTimeoutSeconds) failures.Add($"{key}:MaxIdleTimeoutSeconds must not be below IdleTimeoutSeconds.");
        if (options.MaxLifeSeconds < 1) failures.Add($"{key}:MaxLifeSeconds must be positive (is {options.MaxLifeSeconds}).");
        if (options.MemoryMb is < 16 or > 65_536) failures.Add($"{key}:MemoryMb must be 16..65536 (is {options.MemoryMb}).");
        if (options.DiskMb is < 1 or > 4_096) failures.Add($"{key}:DiskMb must be 1..4096 (is {options.DiskMb}).");
        if (options.SweepIntervalMs is < 50 or > 60_000) failures.Add($"{key}:SweepIntervalMs must be 50..60000.");
        if (options.RememberEndedSeconds < 0) failures.Add($"{key}:RememberEndedSeconds must not be negative.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
