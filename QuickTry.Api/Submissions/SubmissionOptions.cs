using System.ComponentModel.DataAnnotations;

namespace QuickTry.Api.Submissions;

/// <summary>Asynchronous submissions and their callbacks (section <c>Submissions</c>).</summary>
public sealed class SubmissionOptions
{
    public const string Section = "Submissions";

    /// <summary>Runs one <c>POST /submissions/batch</c> may carry.</summary>
    [Range(1, 1_000)]
    public int MaxBatch { get; set; } = 20;

    /// <summary>How long a submission's end (result, lost, expired) can be read after it ends.</summary>
    [Range(1, 7 * 86_400)]
    public int ResultTtlSeconds { get; set; } = 3_600;

    /// <summary>How long a submission may wait in the queue; past it, it is not started (status <c>expired</c>).</summary>
    [Range(1, 86_400)]
    public int StartTimeoutSeconds { get; set; } = 600;

    /// <summary>Deliveries of a callback before giving up (the first try included).</summary>
    [Range(1, 20)]
    public int CallbackAttempts { get; set; } = 5;

    /// <summary>The wait before the first retry; it doubles after each failure.</summary>
    [Range(10, 600_000)]
    public int CallbackFirstRetryMs { get; set; } = 1_000;

    [Range(1, 120)]
    public int CallbackTimeoutSeconds { get; set; } = 10;

    /// <summary>
    /// Hosts (names or addresses) a callback may reach even though they are loopback, private or
    /// link-local. Empty by default: callbacks go to public addresses only.
    /// </summary>
    public List<string> CallbackAllowedHosts { get; set; } = [];
}
