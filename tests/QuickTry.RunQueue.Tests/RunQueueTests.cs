using StackExchange.Redis;

namespace QuickTry.RunQueue.Tests;

/// <summary>
/// The queue's atomic steps against a real redis-server of each test's own: admission counts only live
/// executors and admits a batch whole or not at all; a run starts at most once however executors race for
/// its entry; a run's first end wins and every later one is told what won.
/// </summary>
public sealed class RunQueueTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private ConnectionMultiplexer _connection = null!;
    private RedisRunQueue _queue = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        _queue = new RedisRunQueue(_connection);
        await _queue.EnsureGroupsAsync();
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Admission_needs_a_live_executor_admits_a_batch_whole_or_not_at_all_and_never_reuses_an_id()
    {
        Assert.IsType<QueueAdmission.NoExecutor>(await _queue.AdmitAsync(RunLane.Sync, [Run()]));

        // Room for three: two running at once and one waiting.
        await _queue.HeartbeatAsync(new ExecutorOffer("a", Capacity: 2, Queue: 1, Url: "http://a"), TimeSpan.FromMinutes(1));
        var full = Assert.IsType<QueueAdmission.Full>(await _queue.AdmitAsync(RunLane.Async, [Run(), Run(), Run(), Run()]));
        Assert.Equal(3, full.Capacity);
        Assert.Equal(0, await _queue.WaitingAsync());

        var first = Run();
        var admitted = Assert.IsType<QueueAdmission.Admitted>(await _queue.AdmitAsync(RunLane.Async, [first, Run()]));
        Assert.Equal(2, admitted.EntryIds.Length);
        Assert.Equal(RunStates.Queued, (await _queue.GetAsync(first.Entry.Id))!.State);
        Assert.IsType<QueueAdmission.Full>(await _queue.AdmitAsync(RunLane.Sync, [Run(), Run()]));
        Assert.IsType<QueueAdmission.Duplicate>(await _queue.AdmitAsync(RunLane.Sync, [Run(first.Entry.Id)]));
        Assert.IsType<QueueAdmission.Admitted>(await _queue.AdmitAsync(RunLane.Sync, [Run()]));

        // An executor that left is not counted.
        await _queue.LeaveAsync("a");
        Assert.IsType<QueueAdmission.NoExecutor>(await _queue.AdmitAsync(RunLane.Sync, [Run()]));
    }

    [Fact]
    public async Task A_run_starts_at_most_once_when_a_live_executor_and_the_one_that_took_over_its_entry_race()
    {
        var slow = new ExecutorOffer("slow", 1, 0, "http://slow");
        await _queue.HeartbeatAsync(slow, TimeSpan.FromMinutes(1));
        var run = Run();
        Assert.IsType<QueueAdmission.Admitted>(await _queue.AdmitAsync(RunLane.Sync, [run]));
        var read = Assert.Single(await _queue.ReadAsync(RunLane.Sync, "slow", 10));
        Assert.Equal(run.Entry.Id, read.Run.Id);

        // Nobody takes over the entry of a live executor. Its last heartbeat is sent here, short, and left to
        // lapse (sent at the start, a short one could lapse before this check on a loaded machine).
        await _queue.HeartbeatAsync(new ExecutorOffer("fresh", 1, 0, "http://fresh"), TimeSpan.FromMinutes(1));
        await _queue.HeartbeatAsync(slow, TimeSpan.FromSeconds(1));
        Assert.Empty(await _queue.ClaimFromDeadAsync(RunLane.Sync, "fresh", TimeSpan.Zero, 10));

        // Once "slow"'s heartbeat lapsed, "fresh" takes the entry over; "slow" then wakes up and both start it.
        var claimed = (await Eventually.ReturnsAsync("the entry of an executor whose heartbeat lapsed to be claimed",
            () => _queue.ClaimFromDeadAsync(RunLane.Sync, "fresh", TimeSpan.Zero, 10), taken => taken.Count > 0, TimeSpan.FromSeconds(10)))[0];
        var starts = await Task.WhenAll(_queue.StartAsync(read, "slow"), _queue.StartAsync(claimed, "fresh"));
        Assert.Single(starts, s => s == RunStates.Running);
        Assert.Single(starts, s => s == "taken");
        Assert.Equal([run.Entry.Id], await _queue.RunningAsync());
    }

    [Fact]
    public async Task A_runs_first_end_wins_and_every_later_end_is_told_what_won()
    {
        var offer = new ExecutorOffer("a", 2, 0, "http://a");
        await _queue.HeartbeatAsync(offer, TimeSpan.FromMinutes(1));
        var finished = Run();
        var lost = Run();
        Assert.IsType<QueueAdmission.Admitted>(await _queue.AdmitAsync(RunLane.Sync, [finished, lost]));
        var entries = await _queue.ReadAsync(RunLane.Sync, "a", 10);
        Assert.All(await Task.WhenAll(entries.Select(e => _queue.StartAsync(e, "a"))), s => Assert.Equal(RunStates.Running, s));

        // Only the executor that runs it may end it.
        Assert.Equal(RunStates.Running, await _queue.FinishAsync(finished.Entry.Id, "b", "{}"u8.ToArray()));
        Assert.Equal(RunStates.Done, await _queue.FinishAsync(finished.Entry.Id, "a", """{"stdout":"hi"}"""u8.ToArray()));
        Assert.Equal(RunStates.Done, await _queue.FinishAsync(finished.Entry.Id, "a", "{}"u8.ToArray()));
        Assert.Equal("""{"stdout":"hi"}""", (await _queue.GetAsync(finished.Entry.Id))!.Result);

        // A run whose executor stopped sending heartbeats is lost, and its late result is not taken. Its last
        // heartbeat is sent here, short: CI found the steps above outlasting a 300 ms one sent at the start.
        await _queue.HeartbeatAsync(offer, TimeSpan.FromSeconds(1));
        Assert.Equal("alive", await _queue.ReapAsync(lost.Entry.Id, TimeSpan.FromMinutes(1)));
        await Eventually.HoldsAsync("the run of an executor whose heartbeat lapsed to be reaped as lost",
            async () => await _queue.ReapAsync(lost.Entry.Id, TimeSpan.FromMinutes(1)) == RunStates.Lost, TimeSpan.FromSeconds(10));
        Assert.Equal(RunStates.Lost, await _queue.FinishAsync(lost.Entry.Id, "a", "{}"u8.ToArray()));
        var record = (await _queue.GetAsync(lost.Entry.Id))!;
        Assert.Equal(RunStates.Lost, record.State);
        Assert.Null(record.Result);
        Assert.StartsWith("Executor lost: a", record.Detail);
        Assert.Empty(await _queue.RunningAsync());
    }

    [Fact]
    public async Task A_run_withdrawn_before_it_started_never_starts()
    {
        await _queue.HeartbeatAsync(new ExecutorOffer("a", 1, 0, "http://a"), TimeSpan.FromMinutes(1));
        var run = Run();
        Assert.IsType<QueueAdmission.Admitted>(await _queue.AdmitAsync(RunLane.Sync, [run]));
        var entry = Assert.Single(await _queue.ReadAsync(RunLane.Sync, "a", 10));

        Assert.Equal(RunStates.Cancelled, await _queue.WithdrawAsync(run.Entry.Id, RunLane.Sync, RunStates.Cancelled, "the caller went away"));
        Assert.NotEqual(RunStates.Running, await _queue.StartAsync(entry, "a"));
        Assert.Equal(RunStates.Cancelled, (await _queue.GetAsync(run.Entry.Id))!.State);
        Assert.Empty(await _queue.RunningAsync());
    }

    private static NewRun Run(string? id = null) => new(
        new QueuedRun
        {
            Id = id ?? Guid.NewGuid().ToString("N"),
            Request = """{"lang":"bash","code":"echo hi"}""",
            EnqueuedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        },
        Client: "test", StartWithinMs: 60_000, KeepMs: 60_000, Reply: null);
}
