using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QuickTry.Api.Submissions;
using Xunit.Abstractions;
using static QuickTry.Api.Tests.Queue.QueueStack;

namespace QuickTry.Api.Tests.Queue;

/// <summary>
/// Asynchronous submissions through the real queue and a real executor: submit and poll, batches, owners,
/// expiry, signed callbacks to a receiver on loopback (allow-listed), refused callbacks, and the slots
/// reserved for synchronous runs. Through QuickTryClient, as callers do, but for the 202 and its Location.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class SubmissionTests(ITestOutputHelper output) : IAsyncLifetime
{
    internal const string Secret = "callback-secret-for-tests";
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Submissions:ResultTtlSeconds"] = "3",
        ["Submissions:MaxBatch"] = "3",
        ["Submissions:CallbackFirstRetryMs"] = "200",
        ["Submissions:CallbackAllowedHosts:0"] = "127.0.0.1",
        ["Clients:ApiKeys:0:CallbackSecret"] = Secret,
    };

    private readonly QueueStack _stack = new();
    private HttpClient _client = null!;
    private QuickTryClient _quicktry = null!;
    private QuickTryClient _alice = null!;
    private string _executorUrl = "";

    public async Task InitializeAsync()
    {
        await _stack.StartRedisAsync();
        var executor = await _stack.StartExecutorAsync(MainEngine, slots: 2, queueLength: 8, new() { ["Executor__Queue__SyncReservedRuns"] = "1" });
        _executorUrl = executor.Url;
        _client = _stack.StartApi(executor.Url, Settings);
        _quicktry = new QuickTryClient(_client);
        _alice = new QuickTryClient(_client, ApiFactory.AliceKey);
        await _stack.WaitForExecutorsAsync(1, AnnounceTimeout);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    internal static SubmissionRequest Submission(string lang, string code, string? callbackUrl = null) =>
        new() { Lang = lang, Code = code, CallbackUrl = callbackUrl };

    [Fact]
    public async Task A_submission_is_accepted_at_once_runs_and_can_be_read_by_its_owner_until_its_result_expires()
    {
        var clock = Stopwatch.StartNew();
        var response = await _client.PostAsync("/submissions", Run("python3", "import time; time.sleep(1); print('later')"));
        var acceptedIn = clock.ElapsedMilliseconds;
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await BodyAsync(response)).GetProperty("id").GetString()!;
        Assert.Equal($"/submissions/{id}", response.Headers.Location!.ToString());
        Assert.True(acceptedIn < 1_000, $"202 after {acceptedIn} ms");

        var first = await _quicktry.GetSubmissionAsync(id);
        Assert.Contains(first.Status, new[] { SubmissionStatus.Queued, SubmissionStatus.Running });
        var done = (await QueueTests.WaitForSubmissionsAsync(_quicktry, [id], TimeSpan.FromSeconds(30)))[0];
        Assert.Equal(SubmissionStatus.Done, done.Status);
        Assert.Equal("later\n", done.Result!.Stdout);
        Assert.Equal(id, done.Result.RunId);

        // Another client does not see it (the API answers 404).
        Assert.Equal(SubmissionStatus.NotFound, (await _alice.GetSubmissionAsync(id)).Status);

        // Results are kept 3 s here (Redis expires them).
        await Eventually.HoldsAsync("the submission's result to expire after the 3 s it is kept here",
            async () => (await _quicktry.GetSubmissionAsync(id)).Status == SubmissionStatus.NotFound, TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_batch_is_admitted_whole_and_read_back_by_ids_and_an_oversized_or_invalid_batch_is_refused_whole()
    {
        var accepted = await _quicktry.SubmitBatchAsync(
            [Submission("python3", "print(1)"), Submission("bash", "echo 2"), Submission("python3", "raise SystemExit(3)")]);
        Assert.All(accepted, view => Assert.Equal(SubmissionStatus.Queued, view.Status));
        var ids = accepted.Select(v => v.Id).ToList();
        var ended = await QueueTests.WaitForSubmissionsAsync(_quicktry, ids, TimeSpan.FromSeconds(30));
        Assert.Equal(["1\n", "2\n", ""], ended.Select(e => e.Result!.Stdout));
        Assert.Equal([RunStatus.Ok, RunStatus.Ok, RunStatus.RuntimeError], ended.Select(e => e.Result!.Status));
        var unknown = await _quicktry.GetSubmissionsAsync([ids[0], new string('0', 32)]);
        Assert.Equal(SubmissionStatus.NotFound, unknown[1].Status);

        var tooMany = await Assert.ThrowsAsync<QuickTryValidationException>(() => _quicktry.SubmitBatchAsync(Enumerable.Repeat(Submission("bash", "echo"), 4)));
        Assert.True(tooMany.Errors.ContainsKey("submissions"));
        await Assert.ThrowsAsync<QuickTryValidationException>(() =>
            _quicktry.SubmitBatchAsync([Submission("bash", "echo ok"), Submission("nosuchlanguage", "x")]));
        // Nothing of the refused batches was queued or billed: only the 3 runs above count.
        Assert.Equal(3, (await _quicktry.GetQuotaAsync()).Runs.Used);
    }

    [Fact]
    public async Task A_callback_is_delivered_signed_and_retried_and_internal_addresses_or_keys_without_a_secret_are_refused()
    {
        using var receiver = new CallbackReceiver(failFirst: 1);
        var id = (await _alice.SubmitAsync(Submission("python3", "print('called back')", receiver.Url))).Id;

        var delivery = await receiver.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine($"delivered on attempt {delivery.Attempt} after {receiver.Attempts} tries");
        Assert.Equal(2, delivery.Attempt);
        Assert.Equal(id, delivery.Submission);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(delivery.Body)));
        Assert.Equal(expected, delivery.Signature);
        var body = JsonDocument.Parse(delivery.Body).RootElement;
        Assert.Equal("done", body.GetProperty("status").GetString());
        Assert.Equal("called back\n", body.GetProperty("result").GetProperty("stdout").GetString());

        // A private address, a link-local metadata address, loopback on a host that is not allow-listed.
        foreach (var url in new[] { "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://localhost:1/hook", "ftp://example.org/x" })
        {
            var refused = await Assert.ThrowsAsync<QuickTryValidationException>(() => _alice.SubmitAsync(Submission("bash", "echo", url)));
            output.WriteLine($"{url}: {string.Join(" ", refused.Errors.SelectMany(e => e.Value))}");
            Assert.True(refused.Errors.ContainsKey("callbackUrl"));
        }
        // Without an API key there is no secret to sign with.
        var anonymous = await Assert.ThrowsAsync<QuickTryValidationException>(() => _quicktry.SubmitAsync(Submission("bash", "echo", receiver.Url)));
        Assert.True(anonymous.Errors.ContainsKey("callbackUrl"));
    }

    [Fact]
    public async Task A_judged_submission_calls_back_with_a_verdict_per_case()
    {
        using var receiver = new CallbackReceiver(failFirst: 0);
        var id = (await _alice.SubmitAsync(Submission("python3", "print(int(input()) + 1)", receiver.Url) with
        {
            Tests = [new TestCase { Stdin = "1", ExpectedOutput = "2" }, new TestCase { Stdin = "5", ExpectedOutput = "7" }],
        })).Id;

        var delivery = await receiver.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(id, delivery.Submission);
        var result = JsonSerializer.Deserialize<SubmissionView>(delivery.Body, ContractJson.Options)!.Result!;
        Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer], result.Tests!.Select(t => t.Verdict));
        Assert.Equal((Verdict.WrongAnswer, 1, 2), (result.Verdict!.Value, result.Passed!.Value, result.Total!.Value));
        Assert.Equal(new OutputDifference(1, "7", "6"), result.Tests![1].Difference);
    }

    [Fact]
    public async Task A_submission_whose_replica_is_gone_when_it_ends_is_settled_and_called_back_by_another()
    {
        using var receiver = new CallbackReceiver(failFirst: 0);
        // A second replica on the same Redis accepts the submission, then goes away before the run ends.
        var other = new ApiFactory(_stack.Redis, new(Settings) { ["Queue:Enabled"] = "true" }, executorUrl: _executorUrl);
        var viaOther = new QuickTryClient(other.CreateClient(), ApiFactory.AliceKey);
        var id = (await viaOther.SubmitAsync(Submission("python3", "import time; time.sleep(1.5); print('settled elsewhere')", receiver.Url))).Id;
        await other.DisposeAsync();

        // The remaining replica delivers the callback and settles the quota to the real run time.
        var delivery = await receiver.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(id, delivery.Submission);
        Assert.Equal("settled elsewhere\n", JsonDocument.Parse(delivery.Body).RootElement.GetProperty("result").GetProperty("stdout").GetString());
        var usedSeconds = (await _alice.GetQuotaAsync()).RunSeconds.Used;
        output.WriteLine($"alice's run seconds after settling elsewhere: {usedSeconds}");
        // Reserved at its 10 s time limit (Python 3.13's); settled to the 1.5 s sleep plus the interpreter's
        // start, which a loaded machine may stretch but never to the reservation.
        Assert.InRange(usedSeconds, 1.4, 5);
    }

    [Fact]
    public void Internal_addresses_are_recognised()
    {
        foreach (var address in new[] { "127.0.0.1", "10.0.0.1", "172.16.5.4", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00::1", "::ffff:10.0.0.1", "224.0.0.1" })
        {
            Assert.True(CallbackAddresses.IsInternal(IPAddress.Parse(address)), address);
        }
        foreach (var address in new[] { "8.8.8.8", "172.32.0.1", "93.184.216.34", "2606:4700::1111" })
        {
            Assert.False(CallbackAddresses.IsInternal(IPAddress.Parse(address)), address);
        }
    }

    [Fact]
    public async Task Submissions_never_take_the_slot_reserved_for_synchronous_runs()
    {
        // Two slots, one reserved: three long submissions run one at a time, and a synchronous run
        // starts at once beside them.
        await _quicktry.SubmitBatchAsync(Enumerable.Repeat(Submission("python3", "import time; time.sleep(2)"), 3));
        await Eventually.HoldsAsync("one submission running", async () => (await _stack.Queue.RunningAsync()).Length == 1, TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.Single(await _stack.Queue.RunningAsync());

        var sync = await _quicktry.RunAsync(new RunRequest { Lang = "python3", Code = "print('now')" });
        output.WriteLine($"sync run queued {sync.QueueTimeMs:0} ms beside the submissions");
        Assert.Equal("now\n", sync.Stdout);
        Assert.True(sync.QueueTimeMs < 1_000);
    }

    /// <summary>An HTTP receiver on loopback that answers 500 to the first <c>failFirst</c> deliveries.</summary>
    internal sealed class CallbackReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _attempts;

        public CallbackReceiver(int failFirst)
        {
            var port = RedisServer.FreePort();
            Url = $"http://127.0.0.1:{port}/hook/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }
                    var attempt = Interlocked.Increment(ref _attempts);
                    using var reader = new StreamReader(context.Request.InputStream);
                    var body = await reader.ReadToEndAsync();
                    context.Response.StatusCode = attempt <= failFirst ? 500 : 204;
                    context.Response.Close();
                    if (attempt > failFirst)
                    {
                        Delivered.TrySetResult(new Delivery(int.Parse(context.Request.Headers["X-QuickTry-Attempt"]!),
                            context.Request.Headers[CallbackSender.SubmissionHeader]!, context.Request.Headers[CallbackSender.SignatureHeader]!, body));
                    }
                }
            });
        }

        public string Url { get; }
        public int Attempts => _attempts;
        public TaskCompletionSource<Delivery> Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Dispose() => _listener.Close();
    }

    internal sealed record Delivery(int Attempt, string Submission, string Signature, string Body);
}

/// <summary>
/// Submissions when Redis crashes: a Redis that keeps an append-only file, as every deployment of QuickTry
/// runs it, killed with SIGKILL while a batch runs and started again on the same port and data.
/// </summary>
[Collection(QueueCollection.Name)]
public sealed class SubmissionCrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly QueueStack _stack = new(durableRedis: true);
    private QuickTryClient _quicktry = null!;
    private QuickTryClient _alice = null!;

    public async Task InitializeAsync()
    {
        await _stack.StartRedisAsync();
        var executor = await _stack.StartExecutorAsync(MainEngine, slots: 3, queueLength: 8);
        // Results are kept a minute: the reads below must not race their expiry.
        var client = _stack.StartApi(executor.Url, new()
        {
            ["Submissions:ResultTtlSeconds"] = "60",
            ["Submissions:CallbackAllowedHosts:0"] = "127.0.0.1",
            ["Clients:ApiKeys:0:CallbackSecret"] = SubmissionTests.Secret,
        });
        _quicktry = new QuickTryClient(client);
        _alice = new QuickTryClient(client, ApiFactory.AliceKey);
        await _stack.WaitForExecutorsAsync(1, AnnounceTimeout);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Redis_killed_during_a_batch_and_started_again_every_accepted_submission_ends_and_the_quota_is_kept()
    {
        var accepted = await _quicktry.SubmitBatchAsync(
            [SubmissionTests.Submission("python3", "import time; time.sleep(2); print('a')"), SubmissionTests.Submission("python3", "import time; time.sleep(2); print('b')"), SubmissionTests.Submission("bash", "sleep 2; echo c")]);
        var ids = accepted.Select(v => v.Id).ToList();
        var usedBefore = (await _quicktry.GetQuotaAsync()).Runs.Used;
        // Killed while they run. Redis wrote them to its append-only file before answering; the wait only
        // lets them start (a stalled disk could make Redis hold writes back, never this long).
        await Task.Delay(1_500);
        await _stack.Redis.StopAsync();
        await Task.Delay(500);
        await _stack.Redis.StartAsync();

        var clock = Stopwatch.StartNew();
        IReadOnlyList<SubmissionView>? ended = null;
        while (ended is null)
        {
            try
            {
                ended = await QueueTests.WaitForSubmissionsAsync(_quicktry, ids, TimeSpan.FromSeconds(60));
            }
            catch (QuickTryUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                // The API is back on Redis within Quotas:RetryRedisAfterSeconds; until then submissions are 503.
                await Task.Delay(250);
            }
        }
        output.WriteLine($"ended {clock.Elapsed.TotalSeconds:0.0} s after Redis was back: {string.Join(", ", ended.Select(e => e.Status))}");
        // Never 404, and not "lost" either: their executor lived on, and the reaper gives executors time to
        // reconnect before it believes a lapsed heartbeat (without that grace all three were reported lost).
        Assert.All(ended, view => Assert.Equal(SubmissionStatus.Done, view.Status));
        Assert.Equal(["a\n", "b\n", "c\n"], ended.Select(view => view.Result!.Stdout));
        // The quota written before the crash is still there.
        Assert.True((await _quicktry.GetQuotaAsync()).Runs.Used >= usedBefore, "the quota's counters were lost with Redis");
    }

    [Fact]
    public async Task Redis_losing_its_last_second_of_writes_every_accepted_id_ends_lost_never_unknown_and_is_called_back()
    {
        using var receiver = new SubmissionTests.CallbackReceiver(failFirst: 0);
        var usedBefore = (await _alice.GetQuotaAsync()).Runs.Used;
        var disk = _stack.Redis.CopyDisk();
        var accepted = await _alice.SubmitBatchAsync(
            [SubmissionTests.Submission("bash", "echo a", receiver.Url), SubmissionTests.Submission("bash", "echo b"), SubmissionTests.Submission("bash", "echo c")]);
        var ids = accepted.Select(v => v.Id).ToList();
        // A crash in which the batch never reached the disk (the machine lost power within Redis's fsync
        // second): without the check, all three read as "no such submission" afterwards.
        await _stack.Redis.CrashLosingWritesSinceAsync(disk);

        var clock = Stopwatch.StartNew();
        var seen = new List<string>();
        IReadOnlyList<SubmissionView> views = [];
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                views = await _alice.GetSubmissionsAsync(ids);
            }
            catch (QuickTryUnavailableException)
            {
                // Until the API has reconnected to Redis: 503 with Retry-After, not an answer about the ids.
                await Task.Delay(100);
                continue;
            }
            seen.Add(string.Join(",", views.Select(v => v.Status)));
            if (views.All(v => v.Status is not (SubmissionStatus.Queued or SubmissionStatus.Running or SubmissionStatus.NotFound)))
            {
                break;
            }
            await Task.Delay(100);
        }
        output.WriteLine($"after the restart, {clock.Elapsed.TotalSeconds:0.0} s: {string.Join(" | ", seen.Distinct())}");
        Assert.DoesNotContain(seen, s => s.Contains(nameof(SubmissionStatus.NotFound), StringComparison.Ordinal));
        Assert.All(views, v => Assert.True(v.Status == SubmissionStatus.Lost, $"{v.Id}: {v.Status} {v.Message}"));
        // The one with a callback is called back, lost.
        var delivery = await receiver.Delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ids[0], delivery.Submission);
        Assert.Equal("lost", System.Text.Json.JsonDocument.Parse(delivery.Body).RootElement.GetProperty("status").GetString());
        // Nothing runs them later (their queue entries went with them), and they are not billed.
        await Task.Delay(2_000);
        Assert.All(await _alice.GetSubmissionsAsync(ids), v => Assert.Equal(SubmissionStatus.Lost, v.Status));
        Assert.True((await _alice.GetQuotaAsync()).Runs.Used <= usedBefore, "lost submissions were billed");
    }
}
