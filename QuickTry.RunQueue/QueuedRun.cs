namespace QuickTry.RunQueue;

/// <summary>
/// What a stream entry carries to an executor: the run request as the executor's JSON, who it is for, what
/// the caller's plan asks of the sandbox, where to send the result, and the trace it belongs to.
/// </summary>
public sealed record QueuedRun
{
    /// <summary>The run's id: the result's <c>runId</c> and the name of its state (<see cref="RunQueueKeys.Run"/>).</summary>
    public required string Id { get; init; }

    /// <summary>The executor's <c>RunRequest</c>, serialized by the gateway (web JSON defaults).</summary>
    public required string Request { get; init; }

    /// <summary>Who the run is for, as the gateway names it (never an API key); for traces.</summary>
    public string? Client { get; init; }

    /// <summary>The plan's isolation (wire name), when it sets one.</summary>
    public string? Isolation { get; init; }

    /// <summary>The plan's OCI runtime, when it names one.</summary>
    public string? Runtime { get; init; }

    /// <summary>Unix milliseconds when the gateway queued it (the start of the queue-wait span).</summary>
    public required long EnqueuedAt { get; init; }

    /// <summary>W3C trace context of the gateway's span, so the run stays one trace across the queue.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }

    /// <summary>
    /// The caller watches the output as it is written: the executor publishes it on
    /// <see cref="RunQueueKeys.Live"/> (<c>started</c>, <c>stdout</c>/<c>stderr</c>, then <c>end</c>) before it finishes the run.
    /// </summary>
    public bool Live { get; init; }

    /// <summary>Times an executor that could not run it put it back; bounded, so a run cannot circle forever.</summary>
    public int Requeues { get; init; }
}

/// <summary>Which stream a run waits in: synchronous callers are waiting on a connection and go first.</summary>
public enum RunLane
{
    Sync,
    Async,
}

/// <summary>A run's life in the queue. Only <see cref="Queued"/> → <see cref="Running"/> starts a program.</summary>
public static class RunStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Done = "done";

    /// <summary>Nobody started it before its start-by deadline: it never ran.</summary>
    public const string Expired = "expired";

    /// <summary>Its executor died after starting it: it may have run, its result is gone, it is not re-run.</summary>
    public const string Lost = "lost";

    /// <summary>The executor refused the request (a validation error the gateway does not check itself).</summary>
    public const string Invalid = "invalid";

    /// <summary>No executor could start a sandbox for it (e.g. the runtime it needs is not declared anywhere).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>The synchronous caller went away while it was queued: it never ran.</summary>
    public const string Cancelled = "cancelled";

    public static bool IsFinal(string? state) => state is Done or Expired or Lost or Invalid or Unavailable or Cancelled;
}
