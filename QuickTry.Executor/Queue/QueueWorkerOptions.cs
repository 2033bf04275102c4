using Microsoft.Extensions.Options;

namespace QuickTry.Executor.Queue;

/// <summary>
/// How this executor takes part in the shared run queue (section <c>Executor:Queue</c>). It does when a
/// Redis connection string (<c>ConnectionStrings:redis</c>) is configured and <see cref="Enabled"/> is true;
/// its <c>/execute</c> endpoint keeps serving the gateway's direct path either way.
/// </summary>
public sealed class QueueWorkerOptions
{
    public const string Section = "Executor:Queue";

    public bool Enabled { get; set; } = true;

    /// <summary>How often the executor announces itself and its free capacity.</summary>
    public int HeartbeatIntervalMs { get; set; } = 1_000;

    /// <summary>
    /// How long an announcement counts. Past it the executor is gone: admission stops counting it, entries it
    /// read but did not start are taken over by others, and runs it had started are reported lost.
    /// </summary>
    public int HeartbeatTtlMs { get; set; } = 5_000;

    /// <summary>
    /// The safety-net poll: executors are woken by a message when a run is queued, and read anyway this
    /// often in case a message was missed.
    /// </summary>
    public int PollIntervalMs { get; set; } = 250;

    /// <summary>How long an entry read by a gone executor waits before another executor takes it over.</summary>
    public int ClaimIdleMs { get; set; } = 2_000;

    /// <summary>
    /// Of the runs this executor executes at once, how many only synchronous runs may use, so submissions
    /// cannot starve callers who are waiting (<c>Executor:Queue:SyncReservedRuns</c>; was <c>SyncReservedSlots</c>,
    /// though "slot" is also an isolation kind).
    /// </summary>
    public int SyncReservedRuns { get; set; } = 1;

    /// <summary>Old names of these settings, still read (<see cref="RenamedSettings"/>).</summary>
    public static readonly (string Old, string New)[] Renamed = [("SyncReservedSlots", nameof(SyncReservedRuns))];

    /// <summary>Times a run this executor cannot start now (engine down, busy) is put back for another before it is refused.</summary>
    public int MaxRequeues { get; set; } = 3;

    /// <summary>Where the gateway can call this executor directly (shown in the gateway's /health); the first listening address when unset.</summary>
    public string? AdvertisedUrl { get; set; }
}

internal sealed class QueueWorkerOptionsValidator : IValidateOptions<QueueWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, QueueWorkerOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatIntervalMs is < 100 or > 60_000)
        {
            failures.Add("Executor:Queue:HeartbeatIntervalMs must be between 100 and 60000.");
        }
        if (options.HeartbeatTtlMs < 2 * options.HeartbeatIntervalMs || options.HeartbeatTtlMs > 600_000)
        {
            failures.Add("Executor:Queue:HeartbeatTtlMs must be at least twice HeartbeatIntervalMs and at most 600000.");
        }
        if (options.PollIntervalMs is < 10 or > 10_000)
        {
            failures.Add("Executor:Queue:PollIntervalMs must be between 10 and 10000.");
        }
        if (options.ClaimIdleMs is < 100 or > 600_000)
        {
            failures.Add("Executor:Queue:ClaimIdleMs must be between 100 and 600000.");
        }
        if (options.SyncReservedRuns < 0)
        {
            failures.Add("Executor:Queue:SyncReservedRuns must not be negative.");
        }
        if (options.MaxRequeues is < 0 or > 100)
        {
            failures.Add("Executor:Queue:MaxRequeues must be between 0 and 100.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
