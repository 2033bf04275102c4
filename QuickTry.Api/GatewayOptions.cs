using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api;

/// <summary>Limits of the gateway itself (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Runs this replica forwards to the executor at once.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRuns { get; set; } = 32;

    /// <summary>Runs waiting for one of those slots; beyond this a run gets 429 at once.</summary>
    [Range(0, 100_000)]
    public int MaxQueuedRuns { get; set; } = 64;

    /// <summary>Time a run may take at the executor, queueing and compiling included.</summary>
    [Range(1, 3_600)]
    public int ExecutorTimeoutSeconds { get; set; } = 120;
}
