using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuickTry.RunQueue;
using Xunit.Abstractions;
using static QuickTry.Api.Tests.Queue.QueueStack;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests.Queue;

/// <summary>
/// The shared run queue against the real things: Redis, executor processes on two Docker engines, the
/// API in process. Spread, take-over of a dead executor's entries (never twice), lost runs, refusals at
/// once, and the direct path while Redis is down.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class QueueTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly QueueStack _stack = new();

    public Task InitializeAsync() => _stack.StartRedisAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_burst_larger_than_one_executor_completes_spread_over_two_executors()
    {
        // Each executor: 2 slots, no waiting room. One alone would refuse half of a burst of 4.
        var first = await _stack.StartExecutorAsync(MainEngine, slots: 2, queueLength: 0);
        // Both on the one engine: each has its own instance name, pool and slots, as on two hosts.
        var second = await _stack.StartExecutorAsync(MainEngine, slots: 2, queueLength: 0);
        await QueueStack.WaitForPythonVersionsAsync(first.Url, TimeSpan.FromSeconds(120));
        await QueueStack.WaitForPythonVersionsAsync(second.Url, TimeSpan.FromSeconds(120));
        var client = _stack.StartApi(first.Url);
        await _stack.WaitForExecutorsAsync(2, AnnounceTimeout);

        var burst = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            client.PostAsync("/run", Run("python3", "import time; time.sleep(1.5); print('ran')"))));
        var results = new List<JsonElement>();
        foreach (var response in burst)
        {
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            results.Add(await BodyAsync(response));
        }
        var byExecutor = results.GroupBy(r => r.GetProperty("executor").GetString()!.Split('-')[..3].Aggregate((a, b) => a + "-" + b))
            .ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine(string.Join(", ", byExecutor.Select(kv => $"{kv.Key}: {kv.Value}")));
        Assert.All(results, r => Assert.Equal("ok", r.GetProperty("status").GetString()));
        Assert.Equal(2, byExecutor[first.InstanceName]);
        Assert.Equal(2, byExecutor[second.InstanceName]);

        // Queue-wait is part of the reported queue time and the trace id is the run id, as on the direct path.
        Assert.All(results, r => Assert.Equal(32, r.GetProperty("runId").GetString()!.Length));
    }

    [Fact]
    public async Task Entries_read_by_an_executor_that_died_run_once_on_another_and_never_twice()
    {
        // A "ghost" executor announces itself, reads three entries, and dies before starting them.
        var queue = _stack.Queue;
        await queue.EnsureGroupsAsync();
        const string ghost = "test-ghost-executor";
        // An executor outside the queue, only for the gateway's language list.
        var lister = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 0, new() { ["Executor__Queue__Enabled"] = "false" });
        await QueueStack.WaitForPythonVersionsAsync(lister.Url, TimeSpan.FromSeconds(120));
        // The ghost announces itself after those waits, so its 2 s heartbeat is alive when the entries come.
        await queue.HeartbeatAsync(new ExecutorOffer(ghost, 4, 0, ""), TimeSpan.FromSeconds(2));
        var client = _stack.StartApi(lister.Url);
        var quicktry = new QuickTryClient(client);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await quicktry.SubmitAsync(new SubmissionRequest { Lang = "python3", Code = $"print('entry {i}')" })).Id);
        }
        var held = await queue.ReadAsync(RunLane.Async, ghost, 10);
        Assert.Equal(3, held.Count);

        // A live executor takes them over once the ghost's heartbeat lapses.
        var clock = Stopwatch.StartNew();
        var live = await _stack.StartExecutorAsync(MainEngine, slots: 2, queueLength: 4);
        var ended = await WaitForSubmissionsAsync(quicktry, ids, TimeSpan.FromSeconds(30));
        output.WriteLine($"taken over and done {clock.Elapsed.TotalSeconds:0.0} s after the live executor was started");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(ended[i].Status == SubmissionStatus.Done, System.Text.Json.JsonSerializer.Serialize(ended[i]));
            Assert.Equal($"entry {i}\n", ended[i].Result!.Stdout);
            Assert.StartsWith(live.InstanceName, ended[i].Result!.Executor);
        }

        // The ghost comes back and tries to start what it had read: the queue says no, for every one.
        foreach (var entry in held)
        {
            Assert.NotEqual(RunStates.Running, await queue.StartAsync(entry, ghost));
        }
        // Nothing is left pending or waiting.
        Assert.Equal(0, await queue.WaitingAsync());
    }

    [Fact]
    public async Task An_executor_killed_mid_run_makes_the_run_lost_within_the_heartbeat_time_and_it_is_not_run_again()
    {
        var (doomed, client) = await _stack.StartWithOneExecutorAsync(slots: 1, queueLength: 0);
        var usedBefore = await RunsUsedAsync(client);

        var running = client.PostAsync("/run", Run("python3", "import time; print('started', flush=True); time.sleep(15)", timeMs: 20_000));
        var runId = await WaitForRunningAsync(TimeSpan.FromSeconds(20));
        // A second executor with room: if anything re-ran the lost run, it would be here.
        var survivor = await _stack.StartExecutorAsync(MainEngine, slots: 2, queueLength: 0);
        await doomed.KillAsync();
        var killed = Stopwatch.StartNew();

        var response = await running;
        var lostAfter = killed.Elapsed;
        var body = await BodyAsync(response);
        output.WriteLine($"reported lost {lostAfter.TotalSeconds:0.0} s after the kill: {body.GetProperty("message").GetString()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(runId, body.GetProperty("runId").GetString());
        Assert.Equal("internal_error", body.GetProperty("status").GetString());
        Assert.StartsWith("Executor lost", body.GetProperty("message").GetString());
        // Heartbeat counted 2 s, reaper every 250 ms, result polled every 500 ms.
        Assert.True(lostAfter < TimeSpan.FromSeconds(6), $"lost after {lostAfter}");

        // Not re-run: it stays lost, nobody else picked it up, and it was not billed.
        await Task.Delay(2_000);
        var record = await _stack.Queue.GetAsync(runId);
        Assert.Equal(RunStates.Lost, record!.State);
        Assert.StartsWith(doomed.InstanceName, record.Executor);
        Assert.Empty(await _stack.Queue.RunningAsync());
        Assert.Equal(usedBefore, await RunsUsedAsync(client));
        Assert.NotNull(survivor);
    }

    [Fact]
    public async Task A_run_its_live_executor_never_reports_is_answered_lost_at_its_limits_and_grace_not_after_the_executor_timeout()
    {
        // An executor that is alive (its heartbeat lasts) but, having started the run, never reports it:
        // what the engine hosting Redis going away did to a run in flight. Before the wait was bounded by the
        // run's own limits, its caller waited the start timeout plus the executor timeout (130 s).
        var queue = _stack.Queue;
        await queue.EnsureGroupsAsync();
        const string silent = "test-silent-executor";
        var lister = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 0, new() { ["Executor__Queue__Enabled"] = "false" });
        await QueueStack.WaitForPythonVersionsAsync(lister.Url, TimeSpan.FromSeconds(120));
        await queue.HeartbeatAsync(new ExecutorOffer(silent, 1, 0, ""), TimeSpan.FromSeconds(120));
        var client = _stack.StartApi(lister.Url, new() { ["Queue:RunGraceMs"] = "2000" });
        var usedBefore = await RunsUsedAsync(client);

        var clock = Stopwatch.StartNew();
        var waiting = client.PostAsync("/run", Run("python3", "print('never reported')", timeMs: 1_000));
        IReadOnlyList<QueueEntry> taken = [];
        await Eventually.HoldsAsync("the silent executor took the entry", async () => (taken = await queue.ReadAsync(RunLane.Sync, silent, 1)).Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(RunStates.Running, await queue.StartAsync(taken[0], silent));
        var startedAt = clock.Elapsed;

        var response = await waiting;
        var answeredAfter = clock.Elapsed - startedAt;
        var body = await BodyAsync(response);
        output.WriteLine($"answered {answeredAfter.TotalSeconds:0.0} s after the start (limit 1 s + grace 2 s): {body.GetProperty("message").GetString()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("internal_error", body.GetProperty("status").GetString());
        Assert.StartsWith("Executor lost", body.GetProperty("message").GetString());
        // 1 s limit + 2 s grace from the start at the latest, plus the result poll (1 s) and a loaded machine.
        Assert.True(answeredAfter < TimeSpan.FromSeconds(8), $"answered {answeredAfter} after the start");
        Assert.True(answeredAfter >= TimeSpan.FromSeconds(2.5), $"given up {answeredAfter} after the start, before its limit and grace");

        // The executor's report, arriving late, does not overwrite what the caller was told; nothing was billed.
        Assert.Equal(RunStates.Lost, await queue.FinishAsync(taken[0].Run.Id, silent, "{}"u8.ToArray()));
        Assert.Equal(RunStates.Lost, (await queue.GetAsync(taken[0].Run.Id))!.State);
        Assert.Equal(usedBefore, await RunsUsedAsync(client));
    }

    [Fact]
    public async Task A_started_run_its_executor_cannot_report_is_ended_by_that_executor_alone_and_settled()
    {
        // What an executor does when its start step's answer was lost (Redis went away as it asked) or the run
        // failed in it: it ends the run itself, at once, instead of leaving it "running" to the reaper.
        var queue = _stack.Queue;
        await queue.EnsureGroupsAsync();
        const string owner = "test-owner-executor";
        var lister = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 0, new() { ["Executor__Queue__Enabled"] = "false" });
        await QueueStack.WaitForPythonVersionsAsync(lister.Url, TimeSpan.FromSeconds(120));
        await queue.HeartbeatAsync(new ExecutorOffer(owner, 1, 1, ""), TimeSpan.FromSeconds(120));
        var client = _stack.StartApi(lister.Url);
        var quicktry = new QuickTryClient(client);
        var id = (await quicktry.SubmitAsync(new SubmissionRequest { Lang = "python3", Code = "print('never sent')" })).Id;
        IReadOnlyList<QueueEntry> taken = [];
        await Eventually.HoldsAsync("the owner took the entry", async () => (taken = await queue.ReadAsync(RunLane.Async, owner, 1)).Count == 1, TimeSpan.FromSeconds(10));
        Assert.Equal(RunStates.Running, await queue.StartAsync(taken[0], owner));

        Assert.Equal(RunStates.Running, await queue.AbandonAsync(id, "test-other-executor", RunStates.Unavailable, "not yours"));
        Assert.Equal(RunStates.Unavailable, await queue.AbandonAsync(id, owner, RunStates.Unavailable, "Nothing ran: the run queue failed as the run was starting."));
        var ended = await WaitForSubmissionsAsync(quicktry, [id], TimeSpan.FromSeconds(10));
        Assert.Equal(SubmissionStatus.Unavailable, ended[0].Status);
        Assert.Empty(await queue.RunningAsync());
        // Settled as nothing ran: the reservation was returned.
        await Eventually.HoldsAsync("the reservation refunded", async () => (await quicktry.GetQuotaAsync()).Runs.Used == 0, TimeSpan.FromSeconds(5));
        // A late result from the executor does not overwrite it.
        Assert.Equal(RunStates.Unavailable, await queue.FinishAsync(id, owner, "{}"u8.ToArray()));
    }

    [Fact]
    public async Task A_full_queue_and_no_live_executor_are_refused_at_once_with_retry_after()
    {
        var (only, client) = await _stack.StartWithOneExecutorAsync(slots: 1, queueLength: 1);

        // One running, one waiting: the capacity (1 slot + 1 queued) is used up.
        var sleepers = Enumerable.Range(0, 2).Select(_ => client.PostAsync("/run", Run("python3", "import time; time.sleep(3)"))).ToList();
        await Eventually.HoldsAsync("one run running and one waiting", async () => (await _stack.Queue.RunningAsync()).Length == 1 && await _stack.Queue.WaitingAsync() == 1, TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        var refused = await client.PostAsync("/run", Run("python3", "print(1)"));
        output.WriteLine($"full: {(int)refused.StatusCode} in {clock.ElapsedMilliseconds} ms, Retry-After {refused.Headers.RetryAfter?.Delta}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.All(await Task.WhenAll(sleepers), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // The executor dies: once its heartbeat lapses, runs are refused at once.
        await only.KillAsync();
        await Eventually.HoldsAsync("no executor announced", async () => (await _stack.Queue.LiveExecutorsAsync()).Count == 0, TimeSpan.FromSeconds(5));
        clock.Restart();
        var none = await client.PostAsync("/run", Run("python3", "print(1)"));
        output.WriteLine($"no executor: {(int)none.StatusCode} in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.StatusCode);
        Assert.NotNull(none.Headers.RetryAfter?.Delta);
        Assert.True(clock.ElapsedMilliseconds < 1_000, $"took {clock.ElapsedMilliseconds} ms");
        Assert.Equal("Degraded", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Streamed_output_crosses_the_queue_as_the_program_writes_it()
    {
        var (_, client) = await _stack.StartWithOneExecutorAsync(slots: 2, queueLength: 2);
        var events = await QuickTry.Api.Tests.Live.LiveRunTests.StreamAsync(new QuickTryClient(client),
            new RunRequest { Lang = "python3", Code = "import time, sys\nprint('first', flush=True)\ntime.sleep(1.5)\nprint('oops', file=sys.stderr)\nprint('last')" });
        foreach (var e in events)
        {
            output.WriteLine($"{e.At.TotalMilliseconds,6:0} ms  {e.Event}");
        }

        var result = Assert.IsType<RunCompleted>(events[^1].Event).Result;
        Assert.Equal(RunStatus.Ok, result.Status);
        // It went through the queue: the run's state is in Redis, under the executor that pulled it.
        Assert.NotNull(await _stack.Queue.GetAsync(result.RunId));
        // Python writes the line and its newline separately: all of "first\n" came long before the result.
        var early = events.Where(e => events[^1].At - e.At > TimeSpan.FromSeconds(1));
        Assert.Equal("first\n", QuickTry.Api.Tests.Live.LiveRunTests.Joined(early, OutputStream.Stdout));
        Assert.Equal("first\nlast\n", QuickTry.Api.Tests.Live.LiveRunTests.Joined(events, OutputStream.Stdout));
        Assert.Equal("oops\n", QuickTry.Api.Tests.Live.LiveRunTests.Joined(events, OutputStream.Stderr));
    }

    [Fact]
    public async Task A_judged_runs_cases_cross_the_queue_as_each_ends()
    {
        var (_, client) = await _stack.StartWithOneExecutorAsync(slots: 2, queueLength: 2);
        var events = await QuickTry.Api.Tests.Live.LiveRunTests.StreamAsync(new QuickTryClient(client), new RunRequest
        {
            Lang = "python3",
            Code = "import time\nn = int(input())\ntime.sleep(n / 2)\nprint(n)",
            Tests = [new TestCase { Stdin = "0", ExpectedOutput = "0" }, new TestCase { Stdin = "2", ExpectedOutput = "1" }],
        });
        var result = Assert.IsType<RunCompleted>(events[^1].Event).Result;
        Assert.NotNull(await _stack.Queue.GetAsync(result.RunId));
        var cases = events.Where(e => e.Event is TestCaseEnded).ToList();
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer], cases.Select(e => ((TestCaseEnded)e.Event).Case.Verdict));
        // The first case was passed on when it ended, before the second (a second long) had run.
        Assert.True(events[^1].At - cases[0].At > TimeSpan.FromMilliseconds(900), $"case 1 at {cases[0].At}, result at {events[^1].At}");
        Assert.Equal(result.Tests, cases.Select(e => ((TestCaseEnded)e.Event).Case));
    }

    [Fact]
    public async Task A_stream_whose_executor_dies_ends_with_an_honest_result_not_a_hang()
    {
        var (doomed, client) = await _stack.StartWithOneExecutorAsync(slots: 1, queueLength: 0);
        using var response = await QuickTry.Api.Tests.Live.LiveRunTests.PostEventStreamAsync(client, "/run",
            new { lang = "python3", code = "import time\nprint('up', flush=True)\ntime.sleep(15)", limits = new { timeMs = 20_000 } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && !line.Contains("up"))
        {
        }
        await doomed.KillAsync();
        var killed = Stopwatch.StartNew();

        var rest = await reader.ReadToEndAsync();
        output.WriteLine($"stream ended {killed.ElapsedMilliseconds} ms after the kill:\n{rest}");
        var data = rest.Split('\n').Last(l => l.StartsWith("data: ", StringComparison.Ordinal));
        Assert.Contains("event: result", rest);
        var result = JsonDocument.Parse(data["data: ".Length..]).RootElement;
        // Its executor died mid-run: not a result that did not happen, and not billed.
        Assert.Equal("internal_error", result.GetProperty("status").GetString());
        Assert.Contains("lost", result.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(10), $"took {killed.Elapsed}");
    }

    [Fact]
    public async Task An_interactive_run_finds_an_executor_announcing_itself_in_the_queue()
    {
        // The API knows no executor address of its own (its direct URL is a closed port): only the heartbeat's.
        var executor = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 0);
        _stack.StartApi();
        await _stack.WaitForExecutorsAsync(1, AnnounceTimeout);
        using var socket = await _stack.Api!.Server.CreateWebSocketClient().ConnectAsync(new Uri(_stack.Api.Server.BaseAddress, "/run/ws"), CancellationToken.None);
        await Send(socket, new { lang = "python3", code = "print('hello', input(), flush=True)" });
        Assert.Equal("started", (await Receive(socket)).GetProperty("type").GetString());
        await Send(socket, new { type = "stdin", text = "ada\n" });
        JsonElement message;
        var stdout = "";
        while ((message = await Receive(socket)).GetProperty("type").GetString() != "result")
        {
            stdout += message.GetProperty("text").GetString();
        }
        Assert.Equal("hello ada\n", stdout);
        Assert.Equal("ok", message.GetProperty("result").GetProperty("status").GetString());
        Assert.StartsWith(executor.InstanceName, message.GetProperty("result").GetProperty("executor").GetString());

        static Task Send(System.Net.WebSockets.WebSocket socket, object body) =>
            socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(body, Json), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);

        static async Task<JsonElement> Receive(System.Net.WebSockets.WebSocket socket)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[1 << 16];
            var read = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.True(read.EndOfMessage && read.MessageType == System.Net.WebSockets.WebSocketMessageType.Text);
            return JsonDocument.Parse(buffer.AsMemory(0, read.Count)).RootElement.Clone();
        }
    }

    [Fact]
    public async Task With_Redis_down_runs_go_to_the_executor_directly_and_with_Redis_back_through_the_queue_again()
    {
        var (_, client) = await _stack.StartWithOneExecutorAsync(slots: 2, queueLength: 2);
        var queued = await BodyAsync(await client.PostAsync("/run", Run("python3", "print('queued')")));
        Assert.NotNull(await _stack.Queue.GetAsync(queued.GetProperty("runId").GetString()!));

        await _stack.Redis.StopAsync();
        var direct = await client.PostAsync("/run", Run("python3", "print('direct')"));
        var body = await BodyAsync(direct);
        Assert.True(direct.StatusCode == HttpStatusCode.OK, body.ToString());
        Assert.Equal("direct\n", body.GetProperty("stdout").GetString());
        Assert.Equal("Degraded", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());

        // Redis comes back empty (no persistence here): the executor re-creates the groups and announces
        // itself, the API reconnects and queues again.
        await _stack.Redis.StartAsync();
        await _stack.WaitForExecutorsAsync(1, AnnounceTimeout);
        await Eventually.HoldsAsync("the API Healthy", async () => await (await client.GetAsync("/health")).Content.ReadAsStringAsync() == "Healthy", TimeSpan.FromSeconds(20));
        var again = await BodyAsync(await client.PostAsync("/run", Run("python3", "print('queued again')")));
        Assert.Equal("queued again\n", again.GetProperty("stdout").GetString());
        Assert.NotNull(await _stack.Queue.GetAsync(again.GetProperty("runId").GetString()!));
    }

    [Fact]
    public async Task An_executor_started_while_Redis_is_down_serves_direct_calls_and_joins_the_queue_when_Redis_is_back()
    {
        await _stack.Redis.StopAsync();
        var executor = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 1);
        using var http = new HttpClient { BaseAddress = new Uri(executor.Url) };
        var direct = await http.PostAsync("/execute", Run("python3", "print('direct')"));
        Assert.True(direct.StatusCode == HttpStatusCode.OK, await direct.Content.ReadAsStringAsync());

        await _stack.Redis.StartAsync();
        await _stack.WaitForExecutorsAsync(1, AnnounceTimeout);
        var client = _stack.StartApi(executor.Url);
        var queued = await BodyAsync(await client.PostAsync("/run", Run("python3", "print('queued')")));
        Assert.Equal("queued\n", queued.GetProperty("stdout").GetString());
        Assert.NotNull(await _stack.Queue.GetAsync(queued.GetProperty("runId").GetString()!));
    }

    [Fact]
    public async Task A_submission_nobody_starts_expires_at_its_start_by_and_stops_holding_capacity()
    {
        // An executor that announces itself but never reads (it hangs), and one outside the queue for the language list.
        var queue = _stack.Queue;
        await queue.EnsureGroupsAsync();
        await queue.HeartbeatAsync(new ExecutorOffer("test-hung-executor", 1, 1, ""), TimeSpan.FromSeconds(60));
        var lister = await _stack.StartExecutorAsync(MainEngine, slots: 1, queueLength: 0, new() { ["Executor__Queue__Enabled"] = "false" });
        var client = _stack.StartApi(lister.Url, new() { ["Submissions:StartTimeoutSeconds"] = "1" });
        var quicktry = new QuickTryClient(client);
        var id = (await quicktry.SubmitAsync(new SubmissionRequest { Lang = "python3", Code = "print('never')" })).Id;

        var clock = Stopwatch.StartNew();
        var ended = await WaitForSubmissionsAsync(quicktry, [id], TimeSpan.FromSeconds(10));
        output.WriteLine($"expired {clock.Elapsed.TotalSeconds:0.0} s after it was accepted (start-by 1 s)");
        Assert.Equal(SubmissionStatus.Expired, ended[0].Status);
        Assert.Equal(0, await queue.WaitingAsync());
        // Not billed: the reservation was returned.
        await Eventually.HoldsAsync("the reservation refunded", async () => (await quicktry.GetQuotaAsync()).Runs.Used == 0, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_caller_that_sends_an_existing_runs_trace_id_gets_a_run_of_its_own()
    {
        var (_, client) = await _stack.StartWithOneExecutorAsync(slots: 1, queueLength: 2);
        var first = await BodyAsync(await client.PostAsync("/run", Run("python3", "print('first')")));
        var id = first.GetProperty("runId").GetString()!;

        // The run id is the trace id, and a caller may send the trace it belongs to: here, the first run's.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = Run("python3", "print('second')") };
        request.Headers.Add("traceparent", $"00-{id}-0123456789abcdef-01");
        var second = await BodyAsync(await client.SendAsync(request));
        Assert.Equal("second\n", second.GetProperty("stdout").GetString());
        Assert.NotEqual(id, second.GetProperty("runId").GetString());
        var record = await _stack.Queue.GetAsync(id);
        Assert.Contains("first", record!.Result);

        // What only the executor validates (file names) comes back through the queue as a 400.
        var invalid = await client.PostAsync("/run", JsonContent(new { lang = "python3", code = "print(1)", files = new[] { new { name = "../escape.py", content = "" } } }));
        var problem = await invalid.Content.ReadAsStringAsync();
        Assert.True(invalid.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Contains("files", problem);
    }

    private async Task<string> WaitForRunningAsync(TimeSpan timeout)
    {
        string[] running = [];
        await Eventually.HoldsAsync("one run running", async () => (running = await _stack.Queue.RunningAsync()).Length == 1, timeout);
        return running[0];
    }

    internal static Task<IReadOnlyList<SubmissionView>> WaitForSubmissionsAsync(QuickTryClient client, IReadOnlyList<string> ids, TimeSpan timeout) =>
        Eventually.ReturnsAsync("every submission ended", () => client.GetSubmissionsAsync(ids),
            views => views.All(v => v.Status is not (SubmissionStatus.Queued or SubmissionStatus.Running)), timeout, TimeSpan.FromMilliseconds(200));
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QueueCollection
{
    public const string Name = "Run queue against real executors";
}
