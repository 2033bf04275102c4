using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api.Queue;

/// <summary>
/// How the gateway uses the shared run queue (section <c>Queue</c>). With it on and Redis reachable, runs go
/// through the queue to whichever executor has a free slot; with it off, or while Redis is down, they go to
/// the configured executors directly (<c>Executor:BaseUrl(s)</c>).
/// </summary>
public sealed class GatewayQueueOptions
{
    public const string Section = "Queue";

    public bool Enabled { get; set; } = true;

    /// <summary>How long a synchronous run may wait in the queue for an executor; then it is withdrawn (503).</summary>
    [Range(100, 600_000)]
    public int StartTimeoutMs { get; set; } = 10_000;

    /// <summary>How long a synchronous run's end stays in Redis after it is reported.</summary>
    [Range(1, 86_400)]
    public int SyncResultTtlSeconds { get; set; } = 60;

    /// <summary>
    /// The safety net for a missed result message: a waiting request reads the run's state this often.
    /// </summary>
    [Range(50, 60_000)]
    public int ResultPollMs { get; set; } = 1_000;

    /// <summary>How often this replica looks for runs whose executor is gone (they are reported lost).</summary>
    [Range(100, 60_000)]
    public int ReaperIntervalMs { get; set; } = 1_000;

    /// <summary>
    /// After this replica reconnects to Redis (Redis restarted, or the network blinked), how long no run is
    /// reported lost for a lapsed heartbeat: executors need that long to reconnect and send one. Without it,
    /// every run in progress when Redis restarted was reported lost although its executor was alive.
    /// </summary>
    [Range(0, 600_000)]
    public int ReaperGraceAfterReconnectMs { get; set; } = 15_000;

    /// <summary>
    /// How long past a started run's own limits (its compile and run time) a waiting request waits for the
    /// run's end: the sandbox's watchdog, its wipe, the report, Redis away for a few seconds. Then the run is
    /// reported lost (an <c>internal_error</c> that says so), or, while Redis cannot be read, the request is
    /// answered 503: never an open-ended wait on an executor or a Redis that went away.
    /// </summary>
    [Range(1_000, 600_000)]
    public int RunGraceMs { get; set; } = 15_000;
}
