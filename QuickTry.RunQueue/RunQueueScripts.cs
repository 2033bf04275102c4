namespace QuickTry.RunQueue;

/// <summary>
/// The queue's atomic steps. Each runs as one Lua script, so no two parties can both move a run out of
/// the same state: that is what makes "never twice" hold. Every clock reading is Redis's own
/// (<c>TIME</c>), so hosts with skewed clocks agree on deadlines and heartbeats.
/// </summary>
internal static class RunQueueScripts
{
    private const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local function tell(run, id, state, payload)
          local reply = redis.call('HGET', run, 'reply')
          if reply and reply ~= '' then
            redis.call('PUBLISH', reply, id .. '\n' .. state .. '\n' .. payload)
          end
        end
        -- Acknowledges and deletes an entry; nil when it was still pending and is still its queued run's
        -- entry (the caller may go on), else why not: 'taken' (another acknowledged it), 'gone', or the state.
        local function take(stream, group, entry, run)
          local acked = redis.call('XACK', stream, group, entry)
          redis.call('XDEL', stream, entry)
          if acked == 0 then return 'taken' end
          local h = redis.call('HMGET', run, 'state', 'entry')
          if not h[1] then return 'gone' end
          if h[1] ~= 'queued' or h[2] ~= entry then return h[1] end
          return nil
        end
        local function finish(run, state, detail)
          redis.call('HSET', run, 'state', state, 'detail', detail, 'finishedAt', now)
          local keep = tonumber(redis.call('HGET', run, 'keep'))
          if keep then redis.call('PEXPIRE', run, keep) end
          -- A submission's end is settled (quota, callback) by whichever API replica pops it first.
          if redis.call('HGET', run, 'lane') == 'quicktry:runs:async' then
            redis.call('SADD', 'quicktry:submissions:ended', redis.call('HGET', run, 'id'))
          end
        end

        """;

    /// <summary>
    /// Admits runs if live executors have room for them, else refuses all: KEYS = executors, capacity, sync
    /// stream, async stream, running set, the lane's stream, then one state key per run; ARGV = count,
    /// then per run: id, entry, client, start-within ms, keep ms, reply channel, callback, settlement.
    /// Returns <c>{'ok', entry ids...}</c>, <c>{'none'}</c> (no executor alive), <c>{'full', capacity}</c> or
    /// <c>{'duplicate'}</c> (a run with one of these ids exists: ids are never reused).
    /// </summary>
    public const string Admit = Prelude + """
        for i = 7, #KEYS do
          if redis.call('EXISTS', KEYS[i]) == 1 then return {'duplicate'} end
        end
        local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
        for _, name in ipairs(dead) do redis.call('HDEL', KEYS[2], name) end
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
        local capacity = 0
        for _, name in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
          local offer = redis.call('HGET', KEYS[2], name)
          if offer then
            local slots, queue = string.match(offer, '^(%d+):(%d+)')
            capacity = capacity + tonumber(slots) + tonumber(queue)
          end
        end
        if capacity == 0 then return {'none'} end
        local n = tonumber(ARGV[1])
        local held = redis.call('XLEN', KEYS[3]) + redis.call('XLEN', KEYS[4]) + redis.call('SCARD', KEYS[5])
        if held + n > capacity then return {'full', tostring(capacity)} end
        local entries = {'ok'}
        for i = 1, n do
          local a = 1 + (i - 1) * 8
          local run = KEYS[6 + i]
          local entry = redis.call('XADD', KEYS[6], '*', 'run', ARGV[a + 2])
          redis.call('HSET', run, 'id', ARGV[a + 1], 'state', 'queued', 'client', ARGV[a + 3],
            'startBy', now + tonumber(ARGV[a + 4]), 'keep', ARGV[a + 5], 'reply', ARGV[a + 6],
            'callback', ARGV[a + 7], 'settlement', ARGV[a + 8], 'lane', KEYS[6], 'entry', entry, 'createdAt', now)
          -- Until it ends: start-by plus a day at most; the end sets the real expiry (keep).
          redis.call('PEXPIRE', run, tonumber(ARGV[a + 4]) + 86400000)
          table.insert(entries, entry)
        end
        redis.call('PUBLISH', 'quicktry:wake', KEYS[6])
        return entries
        """;

    /// <summary>
    /// Starts a run: acknowledges its entry and marks it running under this executor, in one step, just
    /// before its job goes to a sandbox. KEYS = stream, state, running set; ARGV = group, entry, executor,
    /// run id. Returns <c>running</c>, <c>taken</c> (another executor acknowledged it), <c>expired</c>, or
    /// the state the run is already in.
    /// </summary>
    public const string Start = Prelude + """
        local refused = take(KEYS[1], ARGV[1], ARGV[2], KEYS[2])
        if refused then return refused end
        if now > tonumber(redis.call('HGET', KEYS[2], 'startBy')) then
          finish(KEYS[2], 'expired', 'Nobody started the run before its start-by deadline; it never ran.')
          tell(KEYS[2], ARGV[4], 'expired', '')
          return 'expired'
        end
        redis.call('HSET', KEYS[2], 'state', 'running', 'executor', ARGV[3], 'startedAt', now)
        redis.call('SADD', KEYS[3], ARGV[4])
        return 'running'
        """;

    /// <summary>
    /// Stores a result and tells the replica waiting for it, if the run is still this executor's (the reaper
    /// may have declared it lost). KEYS = state, running set; ARGV = executor, run id, result JSON.
    /// </summary>
    public const string Finish = Prelude + """
        local h = redis.call('HMGET', KEYS[1], 'state', 'executor')
        if h[1] ~= 'running' or h[2] ~= ARGV[1] then return h[1] or 'gone' end
        redis.call('HSET', KEYS[1], 'result', ARGV[3])
        finish(KEYS[1], 'done', '')
        redis.call('SREM', KEYS[2], ARGV[2])
        tell(KEYS[1], ARGV[2], 'done', ARGV[3])
        return 'done'
        """;

    /// <summary>
    /// Ends a run this executor started but cannot report a result for: 'unavailable' when nothing ran (its
    /// start step's answer was lost), 'lost' when it failed during the run. Only the run's own executor may,
    /// and only while it is running. KEYS = state, running set; ARGV = executor, run id, state, detail.
    /// Returns that state, or the run's own.
    /// </summary>
    public const string Abandon = Prelude + """
        local h = redis.call('HMGET', KEYS[1], 'state', 'executor')
        if h[1] ~= 'running' or h[2] ~= ARGV[1] then return h[1] or 'gone' end
        finish(KEYS[1], ARGV[3], ARGV[4])
        redis.call('SREM', KEYS[2], ARGV[2])
        tell(KEYS[1], ARGV[2], ARGV[3], ARGV[4])
        return ARGV[3]
        """;

    /// <summary>
    /// Ends a queued run that will not start (invalid, or no sandbox for it anywhere), acknowledging its
    /// entry. KEYS = stream, state; ARGV = group, entry, run id, state, detail.
    /// </summary>
    public const string Refuse = Prelude + """
        local refused = take(KEYS[1], ARGV[1], ARGV[2], KEYS[2])
        if refused then return refused end
        finish(KEYS[2], ARGV[4], ARGV[5])
        tell(KEYS[2], ARGV[3], ARGV[4], ARGV[5])
        return ARGV[4]
        """;

    /// <summary>
    /// Puts a run this executor cannot run now back at the end of its stream for another executor.
    /// KEYS = stream, state; ARGV = group, entry, new entry body.
    /// </summary>
    public const string Requeue = Prelude + """
        local refused = take(KEYS[1], ARGV[1], ARGV[2], KEYS[2])
        if refused then return refused end
        local entry = redis.call('XADD', KEYS[1], '*', 'run', ARGV[3])
        redis.call('HSET', KEYS[2], 'entry', entry)
        redis.call('PUBLISH', 'quicktry:wake', KEYS[1])
        return 'queued'
        """;

    /// <summary>
    /// Withdraws a run that has not started (its caller left, or its start-by passed). KEYS = state,
    /// stream; ARGV = group, run id, the final state, detail. Returns that state, or the run's own.
    /// </summary>
    public const string Withdraw = Prelude + """
        local h = redis.call('HMGET', KEYS[1], 'state', 'entry')
        if h[1] ~= 'queued' then return h[1] or 'gone' end
        redis.call('XACK', KEYS[2], ARGV[1], h[2])
        redis.call('XDEL', KEYS[2], h[2])
        finish(KEYS[1], ARGV[3], ARGV[4])
        tell(KEYS[1], ARGV[2], ARGV[3], ARGV[4])
        return ARGV[3]
        """;

    /// <summary>
    /// Declares a running run lost when its executor's heartbeat has lapsed, or when it has been running
    /// longer than ARGV[2] ms (its executor is alive but never reported it). KEYS = state, running set,
    /// executors; ARGV = run id, longest run ms. Returns <c>lost</c>, <c>alive</c>, or the run's state.
    /// </summary>
    public const string Reap = Prelude + """
        local h = redis.call('HMGET', KEYS[1], 'state', 'executor', 'startedAt')
        if h[1] ~= 'running' then
          redis.call('SREM', KEYS[2], ARGV[1])
          return h[1] or 'gone'
        end
        local expiry = redis.call('ZSCORE', KEYS[3], h[2])
        local overdue = h[3] and now - tonumber(h[3]) > tonumber(ARGV[2])
        if expiry and tonumber(expiry) > now and not overdue then return 'alive' end
        local detail = 'Executor lost: ' .. h[2] .. ' stopped sending heartbeats while the run was in progress. The run may have started; its result is gone and it is not run again.'
        if overdue then
          detail = 'Executor lost: ' .. h[2] .. ' did not report the run within ' .. ARGV[2] .. ' ms. The run may have started; its result is gone and it is not run again.'
        end
        finish(KEYS[1], 'lost', detail)
        redis.call('SREM', KEYS[2], ARGV[1])
        tell(KEYS[1], ARGV[1], 'lost', detail)
        return 'lost'
        """;

    /// <summary>
    /// Ends the oldest entries of a lane whose run is still queued past its start-by (nobody took them: no
    /// executor was alive, or none had room), so they stop holding capacity and their callers learn at once.
    /// KEYS = stream; ARGV = group, how many of the oldest entries to look at. Returns how many expired.
    /// </summary>
    public const string ExpireOverdue = Prelude + """
        local expired = 0
        for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', tonumber(ARGV[2]))) do
          local body
          for i = 1, #e[2], 2 do
            if e[2][i] == 'run' then body = e[2][i + 1] end
          end
          local ok, run = pcall(cjson.decode, body or '')
          if ok and type(run) == 'table' and type(run['id']) == 'string' then
            local key = 'quicktry:run:' .. run['id']
            local h = redis.call('HMGET', key, 'state', 'startBy', 'entry')
            if h[1] == 'queued' and h[3] == e[1] and now > tonumber(h[2]) then
              redis.call('XACK', KEYS[1], ARGV[1], e[1])
              redis.call('XDEL', KEYS[1], e[1])
              finish(key, 'expired', 'Nobody started the run before its start-by deadline; it never ran.')
              tell(key, run['id'], 'expired', '')
              expired = expired + 1
            elseif not h[1] then
              -- Its state expired long ago: an orphan entry, nothing to tell anyone.
              redis.call('XACK', KEYS[1], ARGV[1], e[1])
              redis.call('XDEL', KEYS[1], e[1])
            end
          end
        end
        return expired
        """;

    /// <summary>
    /// Takes over entries read by executors that are gone (heartbeat lapsed) and idle at least ARGV[3] ms.
    /// KEYS = stream, executors; ARGV = group, this executor, min idle ms, count. Returns XCLAIM's entries.
    /// </summary>
    public const string ClaimFromDead = Prelude + """
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], '-', '+', ARGV[4])
        local ids = {}
        for _, p in ipairs(pending) do
          local owner = p[2]
          local expiry = redis.call('ZSCORE', KEYS[2], owner)
          if owner ~= ARGV[2] and (not expiry or tonumber(expiry) <= now) then table.insert(ids, p[1]) end
        end
        if #ids == 0 then return {} end
        return redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], unpack(ids))
        """;

    /// <summary>The Redis process's <c>run_id</c>: it changes when Redis restarts.</summary>
    public const string ServerRunId = """
        return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
        """;

    /// <summary>
    /// Records as lost a submission whose record Redis no longer has although it was accepted (a crash took
    /// the last writes before they reached the append-only file; its queue entry went with it, so it will
    /// not run). Its end is settled like any other (reservation, callback). KEYS = state; ARGV = run id,
    /// client, keep ms, callback, settlement, detail. Returns <c>lost</c>, or <c>present</c> when the record exists.
    /// </summary>
    public const string RecordLostAcceptance = Prelude + """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 'present' end
        redis.call('HSET', KEYS[1], 'id', ARGV[1], 'state', 'lost', 'client', ARGV[2], 'keep', ARGV[3],
          'callback', ARGV[4], 'settlement', ARGV[5], 'lane', 'quicktry:runs:async', 'detail', ARGV[6],
          'createdAt', now, 'finishedAt', now)
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
        redis.call('SADD', 'quicktry:submissions:ended', ARGV[1])
        return 'lost'
        """;

    /// <summary>KEYS = executors, capacity; ARGV = executor, ttl ms, offer (<c>slots:queue:url</c>).</summary>
    public const string Heartbeat = Prelude + """
        redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        return now
        """;
}
