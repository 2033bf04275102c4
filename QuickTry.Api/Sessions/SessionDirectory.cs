using System.Globalization;
using QuickTry.Api.Clients;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Sessions;

/// <summary>
/// Where every session lives and whose it is, in Redis, so any gateway replica can reach a session on the
/// executor that holds it. A record outlives its session by an hour, so a late call learns why it ended.
/// </summary>
public sealed class SessionDirectory(IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan RememberEnded = TimeSpan.FromHours(1);

    private static RedisKey Key(string id) => $"quicktry:session:{id}";
    private static RedisKey ClientKey(string clientId) => $"quicktry:sessions:{clientId}";

    public bool Available => redis.IsConnected;

    public async Task AddAsync(SessionRecord record)
    {
        var db = redis.GetDatabase();
        var batch = db.CreateBatch();
        var write = batch.HashSetAsync(Key(record.Id),
        [
            new("client", record.ClientId),
            new("executor", record.Executor),
            new("executorName", record.ExecutorName ?? ""),
            new("lang", record.Lang),
            new("version", record.Version),
            new("idle", record.IdleTimeoutSeconds),
            new("endsAt", record.EndsAt.ToUnixTimeMilliseconds()),
            new("lastUsed", record.LastUsed.ToUnixTimeMilliseconds()),
            new("chargedUntil", record.ChargedUntil.ToUnixTimeMilliseconds()),
        ]);
        var expire = batch.KeyExpireAsync(Key(record.Id), record.EndsAt.UtcDateTime + RememberEnded);
        var add = batch.SetAddAsync(ClientKey(record.ClientId), record.Id);
        var expireSet = batch.KeyExpireAsync(ClientKey(record.ClientId), record.EndsAt.UtcDateTime + RememberEnded);
        batch.Execute();
        await Task.WhenAll(write, expire, add, expireSet);
    }

    public async Task<SessionRecord?> GetAsync(string id)
    {
        var fields = await redis.GetDatabase().HashGetAllAsync(Key(id));
        if (fields.Length == 0)
        {
            return null;
        }
        var map = fields.ToDictionary(f => (string)f.Name!, f => (string?)f.Value);
        long Millis(string name) => long.TryParse(map.GetValueOrDefault(name), CultureInfo.InvariantCulture, out var value) ? value : 0;
        return new SessionRecord(id, map.GetValueOrDefault("client") ?? "", map.GetValueOrDefault("executor") ?? "",
            map.GetValueOrDefault("executorName") is { Length: > 0 } name ? name : null,
            map.GetValueOrDefault("lang") ?? "", map.GetValueOrDefault("version") ?? "", (int)Millis("idle"),
            DateTimeOffset.FromUnixTimeMilliseconds(Millis("endsAt")), DateTimeOffset.FromUnixTimeMilliseconds(Millis("lastUsed")),
            DateTimeOffset.FromUnixTimeMilliseconds(Millis("chargedUntil")), map.GetValueOrDefault("ended"), map.GetValueOrDefault("detail"));
    }

    /// <summary>A call reached the session: its idle clock starts again.</summary>
    public Task TouchAsync(string id) =>
        redis.GetDatabase().HashSetAsync(Key(id), "lastUsed", time.GetUtcNow().ToUnixTimeMilliseconds());

    /// <summary>The session ended (the gateway learned it): its record says why, and it no longer counts as open.</summary>
    public async Task EndAsync(SessionRecord record, string reason, string detail)
    {
        var db = redis.GetDatabase();
        await db.HashSetAsync(Key(record.Id), [new("ended", reason), new("detail", detail)]);
        await db.SetRemoveAsync(ClientKey(record.ClientId), record.Id);
    }

    /// <summary>
    /// Moves the session's billed-until mark to <paramref name="until"/> (at most its end) and returns the
    /// held milliseconds not billed before; 0 when another call already billed them.
    /// </summary>
    public async Task<long> TakeHeldAsync(SessionRecord record, DateTimeOffset until)
    {
        var end = until < record.EndsAt ? until : record.EndsAt;
        var from = record.ChargedUntil;
        if (end <= from)
        {
            return 0;
        }
        var db = redis.GetDatabase();
        var transaction = db.CreateTransaction();
        transaction.AddCondition(Condition.HashEqual(Key(record.Id), "chargedUntil", from.ToUnixTimeMilliseconds()));
        _ = transaction.HashSetAsync(Key(record.Id), "chargedUntil", end.ToUnixTimeMilliseconds());
        return await transaction.ExecuteAsync() ? (long)(end - from).TotalMilliseconds : 0;
    }

    /// <summary>The client's sessions that may still be open (not ended, not past their idle timeout or life).</summary>
    public async Task<IReadOnlyList<SessionRecord>> OpenAsync(ClientIdentity client)
    {
        var ids = await redis.GetDatabase().SetMembersAsync(ClientKey(client.Id));
        var open = new List<SessionRecord>();
        foreach (var id in ids)
        {
            var record = await GetAsync(id!);
            if (record is null)
            {
                await redis.GetDatabase().SetRemoveAsync(ClientKey(client.Id), id);
                continue;
            }
            open.Add(record);
        }
        return open;
    }
}

/// <summary>A session as the gateway knows it: whose, where, and its clocks.</summary>
/// <param name="Executor">The address of the executor holding it.</param>
/// <param name="ExecutorName">That executor's identity in the run queue's heartbeats, to tell it is gone.</param>
/// <param name="ChargedUntil">Held time up to here is billed.</param>
/// <param name="Ended">Why it ended (one of <see cref="SessionEndReasons"/>), once the gateway knows.</param>
public sealed record SessionRecord(string Id, string ClientId, string Executor, string? ExecutorName, string Lang, string Version,
    int IdleTimeoutSeconds, DateTimeOffset EndsAt, DateTimeOffset LastUsed, DateTimeOffset ChargedUntil, string? Ended = null, string? Detail = null)
{
    /// <summary>When it ends without another call, as far as the gateway can tell.</summary>
    public DateTimeOffset ExpiresAt
    {
        get
        {
            var idle = LastUsed.AddSeconds(IdleTimeoutSeconds);
            return idle < EndsAt ? idle : EndsAt;
        }
    }
}
