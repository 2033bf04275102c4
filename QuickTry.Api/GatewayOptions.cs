using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;

namespace QuickTry.Api;

/// <summary>Limits of the gateway itself (section <c>Gateway</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Largest request body accepted; larger ones get 413.</summary>
    [Range(1_024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>
    /// Runs this replica forwards to the executors at once (<c>Gateway:MaxForwardedRuns</c>; was
    /// <c>MaxConcurrentRuns</c>, the name of the executor's own limit on runs executing at once).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxForwardedRuns { get; set; } = 32;

    /// <summary>
    /// Runs waiting in this replica to be forwarded; beyond this a run gets 429 at once
    /// (<c>Gateway:MaxWaitingRuns</c>; was <c>MaxQueuedRuns</c>, beside the Redis run queue).
    /// </summary>
    [Range(0, 100_000)]
    public int MaxWaitingRuns { get; set; } = 64;

    /// <summary>Old names of these settings, still read (<see cref="RenamedSettings"/>).</summary>
    public static readonly (string Old, string New)[] Renamed =
    [
        ("MaxConcurrentRuns", nameof(MaxForwardedRuns)),
        ("MaxQueuedRuns", nameof(MaxWaitingRuns)),
    ];

    /// <summary>Time a run may take at the executor, queueing and compiling included.</summary>
    [Range(1, 3_600)]
    public int ExecutorTimeoutSeconds { get; set; } = 120;
}
