using System.Collections.Concurrent;
using System.Text.Json;
using QuickTry.Api.Queue;
using QuickTry.Api.Quotas;
using QuickTry.Api.Runs;
using QuickTry.Executor.Runs;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Follows the submissions this replica accepted until they end: settles each one's quota reservation
/// by the same rule as <c>/run</c> and hands its callback, if any, to <see cref="CallbackSender"/>. Ends
/// arrive on the reply channel; a sweep reads the state of any still open, in case a message was missed.
/// </summary>
public sealed class SubmissionTracker(
    RedisRunQueue queue,
    RunReplies replies,
    RunGate gate,
    CallbackSender callbacks,
    TimeProvider time,
    ILogger<SubmissionTracker> logger) : BackgroundService
{
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, OpenSubmission> _open = new();

    public void Track(string id, OpenSubmission submission) => _open[id] = submission;

    /// <summary>Forgets a submission that was never queued (its reservation is refunded by the caller).</summary>
    public void Forget(string id) => _open.TryRemove(id, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        replies.Unclaimed = EndAsync;
        using var timer = new PeriodicTimer(SweepEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => !t.IsCanceled, TaskScheduler.Default))
        {
            foreach (var (id, open) in _open)
            {
                if (time.GetUtcNow() - open.Since < SweepEvery)
                {
                    continue;
                }
                try
                {
                    if (await queue.GetAsync(id) is { } record && RunStates.IsFinal(record.State))
                    {
                        await EndAsync(RunEnd.From(record));
                    }
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    logger.LogDebug("Sweep could not read submission {Id} ({Error})", id, e.Message);
                    break;
                }
            }
        }
    }

    private async Task EndAsync(RunEnd end)
    {
        if (!_open.TryRemove(end.Id, out var open))
        {
            return;
        }
        var result = end.State == RunStates.Done ? JsonSerializer.Deserialize<RunResult>(end.Payload, ExecutorClient.Json) : null;
        await gate.SettleAsync(open.Reservation, result);
        if (open.CallbackUrl is { } url && open.CallbackSecret is { } secret)
        {
            var view = SubmissionView.From(end.Id, end.State, result, end.State == RunStates.Done ? null : end.Payload);
            callbacks.Enqueue(new Callback(end.Id, url, JsonSerializer.Serialize(view, ExecutorClient.Json), secret));
        }
    }
}

/// <summary>What this replica keeps of a submission until it ends.</summary>
public sealed record OpenSubmission(QuotaReservation Reservation, string? CallbackUrl, string? CallbackSecret, DateTimeOffset Since);

/// <summary>A submission as <c>GET /submissions/{id}</c> and its callback show it.</summary>
public sealed record SubmissionView
{
    public required string Id { get; init; }

    /// <summary><c>queued</c>, <c>running</c>, <c>done</c>, <c>expired</c> (never started), <c>lost</c> (its executor died mid-run), <c>invalid</c>, <c>unavailable</c>.</summary>
    public required string Status { get; init; }

    /// <summary>The result, as <c>POST /run</c> returns it, once done.</summary>
    public RunResult? Result { get; init; }

    /// <summary>Why it ended without a result.</summary>
    public string? Message { get; init; }

    /// <summary>What was invalid, for <c>invalid</c>.</summary>
    public IDictionary<string, string[]>? Errors { get; init; }

    public static SubmissionView From(string id, string state, RunResult? result, string? detail) => state == RunStates.Invalid
        ? new SubmissionView
        {
            Id = id,
            Status = state,
            Message = "The run request is invalid.",
            Errors = JsonSerializer.Deserialize<Dictionary<string, string[]>>(detail ?? "{}", ExecutorClient.Json),
        }
        : new SubmissionView { Id = id, Status = state, Result = result, Message = string.IsNullOrEmpty(detail) ? null : detail };

    public static SubmissionView From(RunRecord record) => From(record.Id, record.State,
        record.State == RunStates.Done && record.Result is { } json ? JsonSerializer.Deserialize<RunResult>(json, ExecutorClient.Json) : null,
        record.Detail);
}
