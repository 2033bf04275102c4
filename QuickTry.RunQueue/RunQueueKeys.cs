using StackExchange.Redis;

namespace QuickTry.RunQueue;

/// <summary>Every Redis key and channel of the run queue.</summary>
public static class RunQueueKeys
{
    /// <summary>The consumer group every executor reads with: each entry goes to one of them.</summary>
    public const string Group = "executors";

    public static RedisKey Stream(RunLane lane) => lane == RunLane.Sync ? "quicktry:runs:sync" : "quicktry:runs:async";

    /// <summary>A run's state (hash): state, client, entry, executor, result, timings; expires after its result TTL.</summary>
    public static RedisKey Run(string id) => "quicktry:run:" + id;

    /// <summary>Ids of runs in state running, for the reaper.</summary>
    public static readonly RedisKey Running = "quicktry:running";

    /// <summary>Ids of submissions that ended and are not settled yet (quota, callback); popped by one replica each.</summary>
    public static readonly RedisKey EndedSubmissions = "quicktry:submissions:ended";

    /// <summary>Live executors: member = executor identity, score = when its heartbeat expires (unix ms).</summary>
    public static readonly RedisKey Executors = "quicktry:executors";

    /// <summary>What each executor offers (hash field = identity, value = <c>slots:queue:url</c>).</summary>
    public static readonly RedisKey Capacity = "quicktry:executors:capacity";

    /// <summary>Published after an entry is added, so idle executors read at once instead of at their next poll.</summary>
    public static readonly RedisChannel Wake = RedisChannel.Literal("quicktry:wake");

    /// <summary>One per API replica: the ends of the runs it queued.</summary>
    public static RedisChannel Reply(string replica) => RedisChannel.Literal("quicktry:reply:" + replica);

    /// <summary>A live run's output as its executor reads it: JSON <c>LiveMessage</c>s, the last one of type <see cref="LiveEnd"/>.</summary>
    public static RedisChannel Live(string id) => RedisChannel.Literal("quicktry:live:" + id);

    /// <summary>The last message on <see cref="Live"/>: every piece of output was published before it (and before the result).</summary>
    public const string LiveEnd = "end";
}
