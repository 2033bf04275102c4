using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuickTry.Api.Submissions;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Faults;

/// <summary>
/// The engine that hosts Redis (and an executor, as under the AppHost) stopped and started while callers
/// run and submit: Redis in a container with its append-only file on a volume and a restart policy,
/// published on a fixed port as the AppHost publishes it. Every request must be answered within its bound
/// (no request waits on a Redis or an engine that is gone), only with true results or 503 with
/// Retry-After; the API must be Healthy again soon after Redis answers; every accepted submission must end.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class RedisEngineRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A bash run's default time limit is 3 s; a request may take that, its grace and its way through the
    // gateway on a loaded 2-core machine (the slowest seen: 8.9 s, a run cut off by the stop).
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(12);
    // The gateway's bound on a started run (see above) and a little for the machine's load.
    private static readonly TimeSpan InFlightBound = TimeSpan.FromSeconds(30);
    private readonly string _name = "quicktry-test-redis-" + Guid.NewGuid().ToString("N")[..8];
    private readonly int _port = RedisServer.FreePort();
    private readonly SecondEngine _engine = new();

    public async Task InitializeAsync()
    {
        await _engine.StartAsync();
        await _engine.EnsureImageAsync("quicktry/redis:latest");
        await _engine.EnsureImageAsync("quicktry/bash:latest");
        await SecondEngine.Shell($"docker -H {SecondEngine.Endpoint} run -d --name {_name} --restart unless-stopped "
            + $"-p 127.0.0.1:{_port}:6379 -v {_name}:/data quicktry/redis:latest "
            + "redis-server --protected-mode no --appendonly yes --appendfsync everysec");
        await WaitForRedisAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await SecondEngine.Shell($"docker -H {SecondEngine.Endpoint} rm -f {_name} >/dev/null 2>&1; docker -H {SecondEngine.Endpoint} volume rm {_name} >/dev/null 2>&1 || true");
        await _engine.DisposeAsync();
    }

    private async Task<bool> RedisAnswersAsync() =>
        (await SecondEngine.TryShell($"timeout 2 redis-cli -p {_port} ping")).Trim() == "PONG";

    private async Task<TimeSpan> WaitForRedisAsync(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await RedisAnswersAsync())
        {
            Assert.True(clock.Elapsed < timeout, $"Redis on port {_port} did not answer within {timeout}");
            await Task.Delay(100);
        }
        return clock.Elapsed;
    }

    [Fact]
    public async Task The_engine_hosting_Redis_stopped_and_started_under_load_answers_every_request_in_bound_and_ends_every_submission()
    {
        var instance = "test-redis-engine-" + Guid.NewGuid().ToString("N")[..8];
        await using var executor = new ExecutorProcess(instance, SecondEngine.Endpoint, new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = $"127.0.0.1:{_port}",
            ["Executor__Pool__WarmByLanguage__bash"] = "2",
            ["Executor__Pool__MaxConcurrentRuns"] = "2",
            ["Executor__Pool__MaxQueueLength"] = "8",
            ["Executor__Queue__HeartbeatIntervalMs"] = "500",
            ["Executor__Queue__HeartbeatTtlMs"] = "2000",
        });
        await executor.StartAsync(TimeSpan.FromSeconds(90));
        await using var api = new ApiFactory($"127.0.0.1:{_port}", new Dictionary<string, string?>
        {
            ["Queue:Enabled"] = "true",
            ["Queue:ReaperIntervalMs"] = "250",
            ["Submissions:ResultTtlSeconds"] = "300",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "60000",
            ["Clients:Plans:anonymous:Burst"] = "10000",
        }, executorUrl: executor.Url);
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        Assert.True(await WaitHealthyAsync(client, TimeSpan.FromSeconds(60)) is not null, "the API did not become Healthy before the fault");

        // Three callers, each alternating a run and a submission, until told to stop.
        var answers = new ConcurrentQueue<Answer>();
        var accepted = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(0, 3).Select(caller => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var submit = i % 2 == 1;
                var expected = $"{caller}-{i}";
                var sent = clock.Elapsed;
                try
                {
                    var response = await client.PostAsync(submit ? "/submissions" : "/run", FaultTests.Run("bash", $"echo {expected}"));
                    var body = await response.Content.ReadAsStringAsync();
                    var took = clock.Elapsed - sent;
                    answers.Enqueue(new Answer(sent, took, (int)response.StatusCode, Check(response, body, submit, expected, accepted)));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    answers.Enqueue(new Answer(sent, clock.Elapsed - sent, 0, "no answer: " + e.Message));
                }
                await Task.Delay(50);
            }
        })).ToList();

        await Task.Delay(3_000);
        var stoppedAt = clock.Elapsed;
        await _engine.StopAsync();
        var stoppedBy = clock.Elapsed;
        await Task.Delay(5_000);
        var startedAt = clock.Elapsed;
        await _engine.StartAsync();
        var redisBack = await WaitForRedisAsync(TimeSpan.FromSeconds(60));
        var redisAt = clock.Elapsed;
        var healthyAfter = await WaitHealthyAsync(client, TimeSpan.FromSeconds(30));
        output.WriteLine($"engine stopping from {stoppedAt.TotalSeconds:0.0} s to {stoppedBy.TotalSeconds:0.0} s, started at {startedAt.TotalSeconds:0.0} s; Redis answered {redisBack.TotalSeconds:0.0} s after the start; API Healthy {healthyAfter?.TotalSeconds:0.0} s after that");
        // Served again: runs and submissions go through the queue after the outage.
        await Task.Delay(5_000);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        var all = answers.ToList();
        foreach (var phase in new[] { ("before", TimeSpan.Zero, stoppedAt), ("outage", stoppedAt, redisAt), ("after", redisAt, TimeSpan.MaxValue) })
        {
            var inPhase = all.Where(a => a.Sent >= phase.Item2 && a.Sent < phase.Item3).ToList();
            output.WriteLine($"{phase.Item1}: {inPhase.Count} requests, {FaultTestsOutcomes(inPhase)}; slowest {(inPhase.Count == 0 ? 0 : inPhase.Max(a => a.Took.TotalMilliseconds)):0} ms");
        }
        Assert.True(healthyAfter is { } h && h <= TimeSpan.FromSeconds(10), $"the API was not Healthy within 10 s of Redis answering ({healthyAfter})");
        // Requests sent once the engine had stopped: answered within the bound, only true results or 503s;
        // after Redis is back every run is whole. A run in flight while the engine stopped is answered once Redis is
        // back and its executor reports it, and at the latest when the gateway gives up on it: its start-by,
        // its own limit and the grace (Queue:StartTimeoutMs + time limit + Queue:RunGraceMs, 10 + 3 + 15 s).
        var inFlight = all.Where(a => a.Sent < stoppedBy && a.Sent + a.Took > stoppedAt).ToList();
        output.WriteLine($"in flight at the stop: {inFlight.Count}: {FaultTestsOutcomes(inFlight)}; slowest {(inFlight.Count == 0 ? 0 : inFlight.Max(a => a.Took.TotalMilliseconds)):0} ms");
        var sentAfter = all.Except(inFlight).ToList();
        Assert.All(all, a => Assert.True(a.Outcome is "200 ok" or "202 accepted" or "503" || a.Outcome == "200 internal_error" && a.Sent < redisAt,
            $"at {a.Sent.TotalSeconds:0.0} s: {a.Status} {a.Outcome}"));
        Assert.All(sentAfter, a => Assert.True(a.Took <= AnswerBound, $"at {a.Sent.TotalSeconds:0.0} s a request took {a.Took.TotalSeconds:0.0} s ({a.Outcome})"));
        Assert.All(inFlight, a => Assert.True(a.Took <= InFlightBound, $"in flight at the stop, sent at {a.Sent.TotalSeconds:0.0} s, took {a.Took.TotalSeconds:0.0} s ({a.Outcome})"));
        Assert.Contains(all, a => a.Sent >= redisAt && a.Outcome == "200 ok");
        Assert.Contains(all, a => a.Sent >= redisAt && a.Outcome == "202 accepted");

        // Every submission answered 202 ends, none is unknown.
        var ids = accepted.ToList();
        var quicktry = new QuickTryClient(client);
        var ends = new List<SubmissionView>();
        foreach (var chunk in ids.Chunk(20))
        {
            ends.AddRange(await WaitForEndsAsync(quicktry, chunk, TimeSpan.FromSeconds(60)));
        }
        output.WriteLine($"{ids.Count} submissions accepted: {string.Join(", ", ends.GroupBy(e => e.Status).Select(g => $"{g.Key} {g.Count()}"))}");
        var unended = ends.Where(e => e.Status is SubmissionStatus.Queued or SubmissionStatus.Running).Select(e => e.Id).ToList();
        foreach (var line in unended.Count == 0 ? [] : executor.RecentOutput)
        {
            output.WriteLine("executor: " + line);
        }
        // Unavailable: the executor's start step went unanswered as Redis went away, and nothing ran.
        Assert.All(ends, e => Assert.True(e.Status is SubmissionStatus.Done or SubmissionStatus.Lost or SubmissionStatus.Expired or SubmissionStatus.Unavailable,
            $"{e.Id}: {e.Status} {e.Message}"));
    }

    private static string Check(HttpResponseMessage response, string body, bool submit, string expected, ConcurrentQueue<string> accepted)
    {
        switch (response.StatusCode)
        {
            case HttpStatusCode.ServiceUnavailable:
                return response.Headers.RetryAfter?.Delta is null ? "503 without Retry-After" : "503";
            case HttpStatusCode.Accepted when submit:
                accepted.Enqueue(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
                return "202 accepted";
            case HttpStatusCode.OK when !submit:
                var result = JsonDocument.Parse(body).RootElement;
                var status = result.GetProperty("status").GetString();
                // A run cut off by the outage may say so (internal_error); an "ok" must be true.
                return status == "ok"
                    ? result.GetProperty("stdout").GetString() == expected + "\n" ? "200 ok" : "200 ok but wrong: " + body
                    : status == "internal_error" ? "200 internal_error" : "200 " + status;
            default:
                return $"{(int)response.StatusCode}: {body[..Math.Min(200, body.Length)]}";
        }
    }

    private static string FaultTestsOutcomes(IEnumerable<Answer> answers) =>
        string.Join(", ", answers.GroupBy(a => a.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

    private static async Task<TimeSpan?> WaitHealthyAsync(HttpClient client, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (await (await client.GetAsync("/health")).Content.ReadAsStringAsync() == "Healthy")
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not answering: keep asking.
            }
            await Task.Delay(100);
        }
        return null;
    }

    private static async Task<IReadOnlyList<SubmissionView>> WaitForEndsAsync(QuickTryClient client, IReadOnlyList<string> ids, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var views = await client.GetSubmissionsAsync(ids);
            if (views.All(v => v.Status is not (SubmissionStatus.Queued or SubmissionStatus.Running)) || clock.Elapsed > timeout)
            {
                return views;
            }
            await Task.Delay(250);
        }
    }

    private sealed record Answer(TimeSpan Sent, TimeSpan Took, int Status, string Outcome);
}
