using System.Collections.Concurrent;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Keeps the promise of a 202: an accepted submission always reaches an end, never "no such submission".
/// Redis writes its append-only file to disk once a second, so a crash can take the last second of
/// acceptances with it (record and queue entry alike; they are written in one step). Each replica
/// remembers what it accepted until Redis has certainly written it; if Redis restarted meanwhile (its
/// <c>run_id</c> changed), a submission whose record is gone is recorded as lost: it will not run, its
/// reservation is refunded and its callback fires, as for any other end (<see cref="SubmissionTracker"/>).
/// What a replica accepted just before it crashed itself, in the same second as Redis, is not covered.
/// </summary>
public sealed class AcceptedSubmissionCheck(RedisRunQueue queue, TimeProvider time, ILogger<AcceptedSubmissionCheck> logger) : BackgroundService
{
    /// <summary>
    /// After this, an acceptance is on disk: Redis fsyncs every second and, on a stalled disk, holds a
    /// write back up to two seconds more before it gives up waiting.
    /// </summary>
    public static readonly TimeSpan DurableAfter = TimeSpan.FromSeconds(3);

    // At a thousand submissions a second this is over a minute of Redis being unreachable; past it the
    // oldest are no longer watched (and a warning says so).
    private const int MaxWatched = 100_000;

    public const string LostDetail = "Accepted, then lost: Redis crashed before its record reached the disk. If it ran in that second its result is gone; it will not run again, and it is not billed.";

    private readonly ConcurrentQueue<Accepted> _watched = new();
    private readonly ConcurrentDictionary<string, Accepted> _byId = new(StringComparer.Ordinal);
    private volatile string? _redisRunId;

    /// <summary>Submissions this replica has just admitted.</summary>
    public void Watch(IEnumerable<AcceptedSubmission> submissions)
    {
        var now = time.GetTimestamp();
        var redisRunId = _redisRunId;
        foreach (var submission in submissions)
        {
            var accepted = new Accepted(submission, now, redisRunId);
            _byId[submission.Id] = accepted;
            _watched.Enqueue(accepted);
        }
        var dropped = 0;
        while (_watched.Count > MaxWatched && _watched.TryDequeue(out var oldest))
        {
            _byId.TryRemove(oldest.Submission.Id, out _);
            dropped++;
        }
        if (dropped > 0)
        {
            logger.LogWarning("{Count} accepted submissions are no longer watched for loss: Redis has been unreachable too long", dropped);
        }
    }

    /// <summary>
    /// For a read that found no record: if this replica accepted <paramref name="id"/> and is still watching
    /// it, its record was lost (nothing else removes a record this young), so it is recorded as lost now
    /// rather than at the next check; true when it was.
    /// </summary>
    public async Task<bool> RecordIfLostAsync(string id)
    {
        if (!_byId.TryGetValue(id, out var accepted))
        {
            return false;
        }
        await RecordLostAsync(accepted.Submission);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Nothing watched, nothing to ask Redis. The run id a new acceptance is tagged with may then be
            // stale: that costs it one existence check at most, never a missed loss.
            if (!queue.IsConnected || _watched.IsEmpty)
            {
                continue;
            }
            try
            {
                await CheckAsync();
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                // Redis is away or still loading its file: the submissions stay watched until it answers.
                logger.LogDebug("Could not check accepted submissions ({Error})", e.Message);
            }
        }
    }

    private async Task CheckAsync()
    {
        var current = await queue.ServerRunIdAsync();
        if (current is null)
        {
            return;
        }
        _redisRunId = current;
        while (_watched.TryPeek(out var accepted) && time.GetElapsedTime(accepted.At) >= DurableAfter)
        {
            // The same Redis process for three seconds since: its file has the submission.
            if (accepted.RedisRunId != current)
            {
                await RecordLostAsync(accepted.Submission);
            }
            _watched.TryDequeue(out _);
            _byId.TryRemove(accepted.Submission.Id, out _);
        }
    }

    private async Task RecordLostAsync(AcceptedSubmission s)
    {
        if (await queue.RecordLostAcceptanceAsync(s.Id, s.Client, s.KeepMs, s.Callback, s.Settlement, LostDetail) == RunStates.Lost)
        {
            logger.LogWarning("Submission {Id} was accepted and then lost when Redis restarted; it is reported lost", s.Id);
        }
    }

    private sealed record Accepted(AcceptedSubmission Submission, long At, string? RedisRunId);
}

/// <summary>What recording an accepted submission as lost needs: everything its admission wrote that its end uses.</summary>
public sealed record AcceptedSubmission(string Id, string Client, long KeepMs, string? Callback, string? Settlement);
