using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>The body of <c>POST /submissions</c>: a run request and, optionally, where to send its result.</summary>
public sealed record SubmissionRequest : RunRequest
{
    /// <summary>
    /// Receives the result as a signed <c>POST</c> when the run ends. Needs an API key with a callback secret;
    /// loopback, private and link-local addresses are refused unless allow-listed.
    /// </summary>
    public string? CallbackUrl { get; init; }
}

/// <summary>The body of <c>POST /submissions/batch</c>: runs admitted all together or not at all.</summary>
public sealed record SubmissionBatch
{
    /// <summary>The submissions, in the order their views come back.</summary>
    public IReadOnlyList<SubmissionRequest?>? Submissions { get; init; }
}

/// <summary>A submission as <c>POST /submissions</c>, <c>GET /submissions/{id}</c> and its callback show it.</summary>
public sealed record SubmissionView
{
    /// <summary>The submission's id; once it ran, also its result's <see cref="RunResult.RunId"/>.</summary>
    public required string Id { get; init; }

    /// <summary>Where it is: waiting, running, or ended one way or another.</summary>
    public required SubmissionStatus Status { get; init; }

    /// <summary>The result, as <c>POST /run</c> returns it, once <see cref="SubmissionStatus.Done"/>.</summary>
    public RunResult? Result { get; init; }

    /// <summary>Why it ended without a result.</summary>
    public string? Message { get; init; }

    /// <summary>What was invalid, for <see cref="SubmissionStatus.Invalid"/>, keyed by field.</summary>
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}

/// <summary>Where a submission is. Every status but <see cref="Queued"/> and <see cref="Running"/> is final.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubmissionStatus>))]
public enum SubmissionStatus
{
    /// <summary>Waiting for a free sandbox.</summary>
    [JsonStringEnumMemberName("queued")] Queued,

    /// <summary>Running now.</summary>
    [JsonStringEnumMemberName("running")] Running,

    /// <summary>It ran; <see cref="SubmissionView.Result"/> holds the outcome (which may still be a failing program).</summary>
    [JsonStringEnumMemberName("done")] Done,

    /// <summary>No executor started it before its start deadline: it never ran.</summary>
    [JsonStringEnumMemberName("expired")] Expired,

    /// <summary>Its executor died after starting it: it may have run, its result is gone, it is not run again.</summary>
    [JsonStringEnumMemberName("lost")] Lost,

    /// <summary>The executor refused the request; <see cref="SubmissionView.Errors"/> says why.</summary>
    [JsonStringEnumMemberName("invalid")] Invalid,

    /// <summary>No executor could start a sandbox for it (e.g. the runtime it needs is declared nowhere).</summary>
    [JsonStringEnumMemberName("unavailable")] Unavailable,

    /// <summary>It was withdrawn before it started: it never ran.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,

    /// <summary>No submission of this client has that id (never did, or its result is no longer kept).</summary>
    [JsonStringEnumMemberName("not_found")] NotFound,
}
