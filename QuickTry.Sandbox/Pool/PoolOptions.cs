using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Pool;

/// <summary>The warm pool and the admission of runs (section <c>Executor:Pool</c>).</summary>
public sealed class PoolOptions
{
    public const string Section = "Executor:Pool";

    /// <summary>
    /// Started containers kept ready per language version. One: a slot serves run after run, and with a
    /// hundred language versions two each would keep two hundred containers idle on a small machine.
    /// </summary>
    public int WarmPerLanguage { get; set; } = 1;

    /// <summary>Per-language override of <see cref="WarmPerLanguage"/> (0 keeps none warm).</summary>
    public Dictionary<string, int> WarmByLanguage { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Containers a language's pool starts at once while refilling.</summary>
    public int RefillParallelism { get; set; } = 2;

    /// <summary>Runs executing at once, across languages.</summary>
    public int MaxConcurrentRuns { get; set; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Runs that may wait for a slot; beyond this a run is refused at once as busy.</summary>
    public int MaxQueueLength { get; set; } = 32;

    /// <summary>Longest a run waits for a slot before it is refused as busy.</summary>
    public int QueueTimeoutMs { get; set; } = 10_000;

    /// <summary>How often containers of this instance that nothing tracks are looked for and removed.</summary>
    public int JanitorIntervalSeconds { get; set; } = 60;

    public int WarmTarget(string language) =>
        WarmByLanguage.TryGetValue(language, out var count) ? count : WarmPerLanguage;
}

internal sealed class PoolOptionsValidator : IValidateOptions<PoolOptions>
{
    public ValidateOptionsResult Validate(string? name, PoolOptions options)
    {
        var failures = new List<string>();
        if (options.WarmPerLanguage is < 0 or > 64)
        {
            failures.Add($"{PoolOptions.Section}:WarmPerLanguage must be 0..64 (is {options.WarmPerLanguage}).");
        }
        foreach (var (language, count) in options.WarmByLanguage)
        {
            if (count is < 0 or > 64)
            {
                failures.Add($"{PoolOptions.Section}:WarmByLanguage:{language} must be 0..64 (is {count}).");
            }
        }
        if (options.RefillParallelism is < 1 or > 16)
        {
            failures.Add($"{PoolOptions.Section}:RefillParallelism must be 1..16 (is {options.RefillParallelism}).");
        }
        if (options.MaxConcurrentRuns is < 1 or > 1024)
        {
            failures.Add($"{PoolOptions.Section}:MaxConcurrentRuns must be 1..1024 (is {options.MaxConcurrentRuns}).");
        }
        if (options.MaxQueueLength is < 0 or > 100_000)
        {
            failures.Add($"{PoolOptions.Section}:MaxQueueLength must be 0..100000 (is {options.MaxQueueLength}).");
        }
        if (options.QueueTimeoutMs is < 0 or > 600_000)
        {
            failures.Add($"{PoolOptions.Section}:QueueTimeoutMs must be 0..600000 (is {options.QueueTimeoutMs}).");
        }
        if (options.JanitorIntervalSeconds is < 5 or > 86_400)
        {
            failures.Add($"{PoolOptions.Section}:JanitorIntervalSeconds must be 5..86400 (is {options.JanitorIntervalSeconds}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
