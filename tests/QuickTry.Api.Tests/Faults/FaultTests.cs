using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Xunit.Abstractions;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests.Faults;

/// <summary>
/// Faults injected into the real services: the executor killed mid-load, the Docker engine stopped and
/// started, Redis killed and started. The API must answer 503 with Retry-After (never 500), must not
/// report a result that did not happen, must not bill it, and must recover by itself.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class FaultTests(ITestOutputHelper output) : RedisServerPerTest
{
    private const string MainEngine = "unix:///var/run/docker.sock";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    internal static StringContent Run(string lang, string code, int? timeMs = null) => new(
        JsonSerializer.Serialize(new { lang, code, limits = timeMs is null ? null : new { timeMs } }, Json), Encoding.UTF8, "application/json");

    private static string Describe(IEnumerable<string> outcomes) =>
        string.Join(", ", outcomes.GroupBy(o => o).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));

    [Fact]
    public async Task Executor_killed_mid_load_gives_503s_refunds_reservations_and_leaves_nothing_burning()
    {
        var instance = "crashed-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string> { ["Executor__Pool__WarmByLanguage__python3"] = "2" };
        await using var executor = new ExecutorProcess(instance, MainEngine, settings);
        await executor.StartAsync(TimeSpan.FromSeconds(90));
        // A rate limit high enough that the quick 503s after the kill are not turned into 429s.
        var generous = new Dictionary<string, string?> { ["Clients:Plans:anonymous:RequestsPerMinute"] = "60000", ["Clients:Plans:anonymous:Burst"] = "10000" };
        await using var api = new ApiFactory(Redis, generous, executorUrl: executor.Url);
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", Run("python3", "print(1)"))).StatusCode);

        // Two programs that would spin for 8 s, running when the executor dies.
        var spinners = Enumerable.Range(0, 2)
            .Select(_ => client.PostAsync("/run", Run("python3", "while True: pass", timeMs: 8_000)))
            .ToList();
        var outcomes = new ConcurrentQueue<(double At, string Outcome)>();
        var clock = Stopwatch.StartNew();
        var killedAt = 0.0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var load = Enumerable.Range(0, 3).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await client.PostAsync("/run", Run("python3", "import time; time.sleep(0.2); print('ran')"));
                var outcome = ((int)response.StatusCode).ToString();
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter?.Delta is null)
                {
                    outcome += " without Retry-After";
                }
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var result = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
                    outcome += " " + result.GetProperty("status").GetString();
                }
                outcomes.Enqueue((clock.Elapsed.TotalSeconds, outcome));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await Task.Delay(50);
                }
            }
        }).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        killedAt = clock.Elapsed.TotalSeconds;
        await executor.KillAsync();
        await Task.WhenAll(load);
        var spun = await Task.WhenAll(spinners);

        var before = outcomes.Where(o => o.At < killedAt).Select(o => o.Outcome).ToList();
        var after = outcomes.Where(o => o.At >= killedAt + 0.5).Select(o => o.Outcome).ToList();
        output.WriteLine($"before the kill: {Describe(before)}; after: {Describe(after)}; spinners: {string.Join(", ", spun.Select(s => (int)s.StatusCode))}");
        Assert.DoesNotContain(outcomes, o => o.Outcome.StartsWith('5') && o.Outcome != "503");
        Assert.NotEmpty(after);
        Assert.All(after, o => Assert.Equal("503", o));
        Assert.All(spun, s => Assert.Equal(HttpStatusCode.ServiceUnavailable, s.StatusCode));
        // Reservations of everything that did not come back as a result were returned.
        var results = outcomes.Count(o => o.Outcome.StartsWith("200")) + 1;
        await Task.Delay(500);
        var quota = await QuotaAsync(client);
        Assert.True(RunsUsed(quota) == results, $"{results} results but /quota says {quota}");

        // The orphaned spinners die inside their sandboxes at the limit (8 s) plus grace, not never.
        using var docker = new DockerClientConfiguration(new Uri(MainEngine)).CreateClient();
        var (gone, sawRunning) = await WaitUntilNoProgramRunsAsync(docker, instance, TimeSpan.FromSeconds(30));
        output.WriteLine($"orphaned programs gone {clock.Elapsed.TotalSeconds - killedAt:0.0} s after the kill");
        Assert.True(sawRunning, "the spinners should still have been running right after the kill");
        var leftByTheCrash = (await ExecutorProcess.ContainersOfAsync(docker, instance)).Select(c => c.ID).ToHashSet();

        // Restarted under the same name, the executor reaps what the crashed one left and runs again.
        var restart = Stopwatch.StartNew();
        await using var again = new ExecutorProcess(instance, MainEngine, settings);
        await again.StartAsync(TimeSpan.FromSeconds(90));
        await using var api2 = new ApiFactory(Redis, generous, executorUrl: again.Url);
        var rerun = await api2.CreateClient().PostAsync("/run", Run("python3", "print('back')"));
        Assert.Equal(HttpStatusCode.OK, rerun.StatusCode);
        output.WriteLine($"recovered in {restart.Elapsed.TotalSeconds:0.0} s after the restart");
        // What the crashed executor left (warm, spent and orphaned sandboxes) is gone.
        var now = (await ExecutorProcess.ContainersOfAsync(docker, instance)).Select(c => c.ID).ToHashSet();
        Assert.NotEmpty(leftByTheCrash);
        Assert.Empty(now.Intersect(leftByTheCrash));
    }

    [Fact]
    public async Task Redis_killed_then_back_quotas_fall_back_then_return_to_redis()
    {
        await using var api = new ApiFactory(Redis, new() { ["Quotas:RetryRedisAfterSeconds"] = "1" });
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", Run("python3", "x"))).StatusCode);
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));

        await Redis.StopAsync();
        var during = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            during.Add((await client.PostAsync("/run", Run("python3", "x"))).StatusCode);
        }
        Assert.All(during, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal("Degraded", await client.GetStringAsync("/health"));
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/quota")).GetProperty("approximate").GetBoolean());

        await Redis.StartAsync();
        var back = Stopwatch.StartNew();
        string health;
        do
        {
            await client.PostAsync("/run", Run("python3", "x"));
            health = await client.GetStringAsync("/health");
            if (health != "Healthy")
            {
                await Task.Delay(200);
            }
        }
        while (health != "Healthy" && back.Elapsed < TimeSpan.FromSeconds(20));
        output.WriteLine($"back on Redis {back.Elapsed.TotalSeconds:0.0} s after it restarted");
        Assert.Equal("Healthy", health);
        var quota = await client.GetFromJsonAsync<JsonElement>("/quota");
        Assert.False(quota.GetProperty("approximate").GetBoolean());
        // Counted in Redis again (the restarted Redis started empty: only runs since it came back).
        Assert.True(quota.GetProperty("runs").GetProperty("used").GetDouble() >= 1);
    }

    [Fact]
    public async Task Docker_engine_stopped_and_started_gives_503s_then_true_results_again()
    {
        await using var engine = new SecondEngine();
        await engine.StartAsync();
        await engine.EnsureImageAsync("quicktry/bash:latest");
        var instance = "test-engine-" + Guid.NewGuid().ToString("N")[..8];
        await using var executor = new ExecutorProcess(instance, SecondEngine.Endpoint, new Dictionary<string, string> { ["Executor__Pool__WarmByLanguage__bash"] = "2" });
        await executor.StartAsync(TimeSpan.FromSeconds(90));
        using var executorHttp = new HttpClient { BaseAddress = new Uri(executor.Url) };
        await using var api = new ApiFactory(Redis, executorUrl: executor.Url);
        var client = api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(60);
        await AssertBashRunsAsync(client, 3);

        // A run in flight when the engine goes away: whatever it says, it is not a result that did not happen.
        var inFlight = client.PostAsync("/run", Run("bash", "sleep 4; echo finished"));
        await Task.Delay(1_500);
        var stopped = Stopwatch.StartNew();
        await engine.StopAsync();
        var cut = await inFlight;
        var cutBody = await cut.Content.ReadAsStringAsync();
        Assert.DoesNotContain("finished", cutBody);
        Assert.True(cut.StatusCode == HttpStatusCode.ServiceUnavailable
            || cut.StatusCode == HttpStatusCode.OK && JsonDocument.Parse(cutBody).RootElement.GetProperty("status").GetString() == "internal_error", cutBody);

        string executorHealth;
        do
        {
            // Unhealthy answers 503, with the word in the body.
            executorHealth = await (await executorHttp.GetAsync("/health")).Content.ReadAsStringAsync();
        }
        while (executorHealth != "Unhealthy" && stopped.Elapsed < TimeSpan.FromSeconds(10));
        output.WriteLine($"executor Unhealthy {stopped.Elapsed.TotalSeconds:0.0} s after the engine stopped; in-flight run: {(int)cut.StatusCode} {cutBody[..Math.Min(160, cutBody.Length)]}");
        Assert.Equal("Unhealthy", executorHealth);

        var usedBefore = await RunsUsedAsync(client);
        var during = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var response = await client.PostAsync("/run", Run("bash", "echo ok"));
            during.Add((int)response.StatusCode + (response.Headers.RetryAfter is null ? " without Retry-After" : ""));
        }
        output.WriteLine($"during the outage: {Describe(during)}");
        Assert.All(during, d => Assert.Equal("503", d));
        Assert.Equal(usedBefore, await RunsUsedAsync(client));

        await engine.StartAsync();
        var started = Stopwatch.StartNew();
        HttpResponseMessage first;
        do
        {
            first = await client.PostAsync("/run", Run("bash", "echo ok"));
            if (first.StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(200);
            }
        }
        while (first.StatusCode != HttpStatusCode.OK && started.Elapsed < TimeSpan.FromSeconds(30));
        output.WriteLine($"first run served {started.Elapsed.TotalSeconds:0.0} s after the engine started");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var firstBody = await first.Content.ReadAsStringAsync();
        Assert.True(JsonDocument.Parse(firstBody).RootElement.GetProperty("stdout").GetString() == "ok\n", firstBody);
        // Every run after the outage is true: no dead warm container handed out, no false timeout.
        try
        {
            await AssertBashRunsAsync(client, 10);
        }
        catch
        {
            // The executor's log says which sandbox the run had and what happened to it.
            foreach (var line in executor.RecentOutput)
            {
                output.WriteLine(line);
            }
            throw;
        }

        // The pool is warm again within 30 s of the engine's return.
        int warm;
        do
        {
            warm = (await ExecutorProcess.ContainersOfAsync(engine.Client, instance)).Count(c => c.State == "running");
            if (warm < 2)
            {
                await Task.Delay(250);
            }
        }
        while (warm < 2 && started.Elapsed < TimeSpan.FromSeconds(30));
        output.WriteLine($"pool warm ({warm}) {started.Elapsed.TotalSeconds:0.0} s after the engine started");
        Assert.True(warm >= 2, $"{warm} warm bash sandboxes 30 s after the engine came back");
    }

    private static async Task AssertBashRunsAsync(HttpClient client, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var response = await client.PostAsync("/run", Run("bash", $"echo run-{i}"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            var result = JsonDocument.Parse(body).RootElement;
            Assert.True(result.GetProperty("status").GetString() == "ok", body);
            Assert.Equal($"run-{i}\n", result.GetProperty("stdout").GetString());
        }
    }

    /// <summary>
    /// Waits until no container of the instance runs a program: a process of a uid other than root's (10001
    /// in a one-run container, a fresh uid per run in a slot).
    /// </summary>
    private static async Task<(TimeSpan Gone, bool SawRunning)> WaitUntilNoProgramRunsAsync(IDockerClient docker, string instance, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var found = new List<string>();
        var sawRunning = false;
        while (clock.Elapsed < timeout)
        {
            found.Clear();
            foreach (var container in await ExecutorProcess.ContainersOfAsync(docker, instance))
            {
                try
                {
                    var top = await docker.Containers.ListProcessesAsync(container.ID, new ContainerListProcessesParameters { PsArgs = "-eo pid,uid,comm" });
                    found.AddRange(top.Processes.Where(p => p[1] != "0").Select(p => $"{p[^1]} (uid {p[1]}) in {container.ID[..12]}"));
                }
                catch (DockerApiException)
                {
                    // Not running: nothing burns in it.
                }
            }
            if (found.Count == 0)
            {
                return (clock.Elapsed, sawRunning);
            }
            sawRunning = true;
            await Task.Delay(250);
        }
        Assert.Fail($"Programs still running {timeout.TotalSeconds} s after their executor died: {string.Join(", ", found)}");
        return (clock.Elapsed, sawRunning);
    }
}

/// <summary>The fault tests start and stop services and load the machine: one at a time, apart from the rest.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "Faults";
}
