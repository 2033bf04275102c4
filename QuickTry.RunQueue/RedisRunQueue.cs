using System.Text.Json;
using QuickTry.Client;
using StackExchange.Redis;

namespace QuickTry.RunQueue;

/// <summary>
/// The run queue on Redis Streams, as both sides use it: API replicas admit runs, wait for their ends and
/// report the runs of dead executors lost; executors announce themselves, pull as many entries as they can
/// start, take over entries of dead executors, and move runs to running and done. Each step that changes a
/// run's state is one atomic script (<see cref="RunQueueScripts"/>). Redis errors surface as
/// <see cref="RedisException"/>s (or <see cref="TimeoutException"/>s) for the caller to degrade on.
/// </summary>
public sealed class RedisRunQueue(IConnectionMultiplexer redis)
{
    private IDatabase Db => redis.GetDatabase();

    public bool IsConnected => redis.IsConnected;

    public ISubscriber Subscriber => redis.GetSubscriber();

    // ---- API side ----

    /// <summary>Adds the runs to a lane if the live executors have room for all of them; else none is added.</summary>
    public async Task<QueueAdmission> AdmitAsync(RunLane lane, IReadOnlyList<NewRun> runs)
    {
        var keys = new List<RedisKey>
        {
            RunQueueKeys.Executors, RunQueueKeys.Capacity, RunQueueKeys.Stream(RunLane.Sync), RunQueueKeys.Stream(RunLane.Async),
            RunQueueKeys.Running, RunQueueKeys.Stream(lane),
        };
        var args = new List<RedisValue> { runs.Count };
        foreach (var run in runs)
        {
            keys.Add(RunQueueKeys.Run(run.Entry.Id));
            args.AddRange([run.Entry.Id, JsonSerializer.Serialize(run.Entry, ContractJson.Options), run.Client ?? "", run.StartWithinMs, run.KeepMs,
                run.Reply is { } reply ? reply.ToString() : "", run.Callback ?? "", run.Settlement ?? ""]);
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(RunQueueScripts.Admit, [.. keys], [.. args]))!;
        return (string)result[0]! switch
        {
            "ok" => new QueueAdmission.Admitted(result.Skip(1).Select(r => (string)r!).ToArray()),
            "none" => new QueueAdmission.NoExecutor(),
            "duplicate" => new QueueAdmission.Duplicate(),
            _ => new QueueAdmission.Full(int.Parse((string)result[1]!)),
        };
    }

    /// <summary>A run's state, or null when it does not exist (never did, or its result expired).</summary>
    public async Task<RunRecord?> GetAsync(string id)
    {
        var fields = await Db.HashGetAllAsync(RunQueueKeys.Run(id));
        if (fields.Length == 0)
        {
            return null;
        }
        var map = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        return new RunRecord(
            id,
            map.GetValueOrDefault("state") ?? "",
            map.GetValueOrDefault("client"),
            map.GetValueOrDefault("executor"),
            map.GetValueOrDefault("result"),
            map.GetValueOrDefault("detail"),
            map.GetValueOrDefault("callback"),
            map.GetValueOrDefault("settlement"));
    }

    /// <summary>Ends a run that has not started; returns the state it is in afterwards.</summary>
    public async Task<string> WithdrawAsync(string id, RunLane lane, string state, string detail) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Withdraw,
            [RunQueueKeys.Run(id), RunQueueKeys.Stream(lane)], [RunQueueKeys.Group, id, state, detail]))!;

    /// <summary>Ids of runs marked running.</summary>
    public async Task<string[]> RunningAsync() =>
        (await Db.SetMembersAsync(RunQueueKeys.Running)).Select(v => (string)v!).ToArray();

    /// <summary>Declares a run lost if its executor's heartbeat lapsed or it overstayed; returns <c>lost</c> when it did.</summary>
    public async Task<string> ReapAsync(string id, TimeSpan longestRun) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Reap,
            [RunQueueKeys.Run(id), RunQueueKeys.Running, RunQueueKeys.Executors], [id, (long)longestRun.TotalMilliseconds]))!;

    /// <summary>Expires the oldest entries of a lane that nobody started before their start-by; returns how many.</summary>
    public async Task<long> ExpireOverdueAsync(RunLane lane, int oldest) =>
        (long)(await Db.ScriptEvaluateAsync(RunQueueScripts.ExpireOverdue, [RunQueueKeys.Stream(lane)], [RunQueueKeys.Group, oldest]));

    /// <summary>Executors whose heartbeat has not lapsed, with what they offer.</summary>
    public async Task<IReadOnlyList<ExecutorOffer>> LiveExecutorsAsync()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var live = await Db.SortedSetRangeByScoreAsync(RunQueueKeys.Executors, now, double.PositiveInfinity);
        var offers = new List<ExecutorOffer>();
        foreach (var name in live)
        {
            var offer = await Db.HashGetAsync(RunQueueKeys.Capacity, name);
            if (ExecutorOffer.Parse(name!, offer) is { } parsed)
            {
                offers.Add(parsed);
            }
        }
        return offers;
    }

    /// <summary>Takes up to <paramref name="count"/> ended submissions to settle; each id is handed to one caller only.</summary>
    public async Task<string[]> PopEndedSubmissionsAsync(int count) =>
        (await Db.SetPopAsync(RunQueueKeys.EndedSubmissions, count)).Select(v => (string)v!).ToArray();

    /// <summary>
    /// The Redis process's identity (<c>INFO server</c>'s <c>run_id</c>, read in a script: the client allows
    /// INFO only in admin mode): a new one means Redis restarted and may have lost its last writes.
    /// </summary>
    public async Task<string?> ServerRunIdAsync() =>
        (string?)await Db.ScriptEvaluateAsync(RunQueueScripts.ServerRunId);

    /// <summary>Records an accepted submission Redis has lost as lost (<see cref="RunQueueScripts.RecordLostAcceptance"/>); returns <c>lost</c> or <c>present</c>.</summary>
    public async Task<string> RecordLostAcceptanceAsync(string id, string client, long keepMs, string? callback, string? settlement, string detail) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.RecordLostAcceptance,
            [RunQueueKeys.Run(id)], [id, client, keepMs, callback ?? "", settlement ?? "", detail]))!;

    /// <summary>Entries waiting in both lanes (not yet started).</summary>
    public async Task<long> WaitingAsync() =>
        await Db.StreamLengthAsync(RunQueueKeys.Stream(RunLane.Sync)) + await Db.StreamLengthAsync(RunQueueKeys.Stream(RunLane.Async));

    // ---- executor side ----

    /// <summary>Creates the consumer group on both lanes (from their start, so nothing queued before is missed).</summary>
    public async Task EnsureGroupsAsync()
    {
        foreach (var lane in (RunLane[])[RunLane.Sync, RunLane.Async])
        {
            try
            {
                await Db.StreamCreateConsumerGroupAsync(RunQueueKeys.Stream(lane), RunQueueKeys.Group, "0", createStream: true);
            }
            catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another executor created it first.
            }
        }
    }

    /// <summary>Announces this executor for <paramref name="ttl"/> with what it offers.</summary>
    public Task HeartbeatAsync(ExecutorOffer offer, TimeSpan ttl) =>
        Db.ScriptEvaluateAsync(RunQueueScripts.Heartbeat, [RunQueueKeys.Executors, RunQueueKeys.Capacity],
            [offer.Identity, (long)ttl.TotalMilliseconds, offer.ToString()]);

    /// <summary>Stops announcing this executor (on a clean shutdown), so admission stops counting it at once.</summary>
    public async Task LeaveAsync(string identity)
    {
        await Db.SortedSetRemoveAsync(RunQueueKeys.Executors, identity);
        await Db.HashDeleteAsync(RunQueueKeys.Capacity, identity);
    }

    /// <summary>Reads up to <paramref name="count"/> new entries of a lane for this executor.</summary>
    public async Task<IReadOnlyList<QueueEntry>> ReadAsync(RunLane lane, string identity, int count)
    {
        var entries = await Db.StreamReadGroupAsync(RunQueueKeys.Stream(lane), RunQueueKeys.Group, identity, ">", count);
        return entries.Select(e => ToEntry(lane, e.Id!, e["run"])).OfType<QueueEntry>().ToList();
    }

    /// <summary>Takes over up to <paramref name="count"/> entries that executors now gone had read but not started.</summary>
    public async Task<IReadOnlyList<QueueEntry>> ClaimFromDeadAsync(RunLane lane, string identity, TimeSpan minIdle, int count)
    {
        var result = await Db.ScriptEvaluateAsync(RunQueueScripts.ClaimFromDead,
            [RunQueueKeys.Stream(lane), RunQueueKeys.Executors], [RunQueueKeys.Group, identity, (long)minIdle.TotalMilliseconds, count]);
        var claimed = new List<QueueEntry>();
        foreach (var item in (RedisResult[])result!)
        {
            // An entry deleted since it was read comes back empty.
            if (item.IsNull || ((RedisResult[])item!).Length < 2 || ((RedisResult[])item!)[1].IsNull)
            {
                continue;
            }
            var parts = (RedisResult[])item!;
            var fields = (RedisResult[])parts[1]!;
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                if ((string)fields[i]! == "run" && ToEntry(lane, (string)parts[0]!, (string)fields[i + 1]!) is { } entry)
                {
                    claimed.Add(entry);
                }
            }
        }
        return claimed;
    }

    /// <summary>The start step: acknowledges the entry and marks the run running here; <c>running</c> means go.</summary>
    public async Task<string> StartAsync(QueueEntry entry, string identity) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Start,
            [RunQueueKeys.Stream(entry.Lane), RunQueueKeys.Run(entry.Run.Id), RunQueueKeys.Running],
            [RunQueueKeys.Group, entry.EntryId, identity, entry.Run.Id]))!;

    /// <summary>Stores the result and tells the waiting replica; returns <c>done</c>, or the state that won instead.</summary>
    public async Task<string> FinishAsync(string id, string identity, byte[] resultJson) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Finish,
            [RunQueueKeys.Run(id), RunQueueKeys.Running], [identity, id, resultJson]))!;

    /// <summary>
    /// Ends a run this executor started and cannot report (<see cref="RunStates.Unavailable"/>: nothing ran;
    /// <see cref="RunStates.Lost"/>: it failed during the run); returns that state, or the one that won instead.
    /// </summary>
    public async Task<string> AbandonAsync(string id, string identity, string state, string detail) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Abandon,
            [RunQueueKeys.Run(id), RunQueueKeys.Running], [identity, id, state, detail]))!;

    /// <summary>Ends a queued run that will not start here or anywhere (<see cref="RunStates.Invalid"/>, <see cref="RunStates.Unavailable"/>).</summary>
    public async Task<string> RefuseAsync(QueueEntry entry, string state, string detail) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Refuse,
            [RunQueueKeys.Stream(entry.Lane), RunQueueKeys.Run(entry.Run.Id)],
            [RunQueueKeys.Group, entry.EntryId, entry.Run.Id, state, detail]))!;

    /// <summary>Puts a run back at the end of its lane for another executor.</summary>
    public async Task<string> RequeueAsync(QueueEntry entry) =>
        (string)(await Db.ScriptEvaluateAsync(RunQueueScripts.Requeue,
            [RunQueueKeys.Stream(entry.Lane), RunQueueKeys.Run(entry.Run.Id)],
            [RunQueueKeys.Group, entry.EntryId, JsonSerializer.Serialize(entry.Run with { Requeues = entry.Run.Requeues + 1 }, ContractJson.Options)]))!;

    private static QueueEntry? ToEntry(RunLane lane, string entryId, RedisValue body)
    {
        if (body.IsNullOrEmpty)
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize<QueuedRun>((string)body!, ContractJson.Options) is { } run ? new QueueEntry(lane, entryId, run) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A run to admit: its entry, who it is for, how long it may wait, how long its end is kept, where to tell.</summary>
/// <param name="Settlement">What settling the run needs when another replica does it (the quota reservation).</param>
public sealed record NewRun(QueuedRun Entry, string? Client, long StartWithinMs, long KeepMs, RedisChannel? Reply, string? Callback = null, string? Settlement = null);

/// <summary>An entry an executor holds: which lane, its stream id, the run.</summary>
public sealed record QueueEntry(RunLane Lane, string EntryId, QueuedRun Run);

/// <summary>A run's state as stored; <see cref="Result"/> is the result JSON once done.</summary>
public sealed record RunRecord(string Id, string State, string? Client, string? Executor, string? Result, string? Detail, string? Callback, string? Settlement = null);

/// <summary>An executor's announcement: identity, runs it takes at once, queue length it accepts, where it answers directly.</summary>
public sealed record ExecutorOffer(string Identity, int Capacity, int Queue, string Url)
{
    public override string ToString() => $"{Capacity}:{Queue}:{Url}";

    public static ExecutorOffer? Parse(string identity, RedisValue offer)
    {
        if (offer.IsNullOrEmpty)
        {
            return null;
        }
        var parts = ((string)offer!).Split(':', 3);
        return parts.Length == 3 && int.TryParse(parts[0], out var capacity) && int.TryParse(parts[1], out var queue)
            ? new ExecutorOffer(identity, capacity, queue, parts[2])
            : null;
    }
}
