using System.Net;
using System.Net.Sockets;
using Aspire.Hosting;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace QuickTry.AppHost.Tests;

/// <summary>The whole product as <c>dotnet run --project QuickTry.AppHost</c> starts it: Redis, executor, API.</summary>
public class AppHostTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// One start of the whole stack (each start takes half a minute here) with two executors, as
    /// <c>QuickTry:Executors</c> names them: a burst is spread over both through the queue, a python
    /// snippet runs, a small quota ends in 429, and Redis killed and started again keeps the spent quota.
    /// </summary>
    [Fact]
    public async Task Two_executors_share_a_burst_a_small_quota_ends_in_429_and_redis_killed_and_started_again_keeps_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        // A port and a data volume of its own: a developer's stack may be running beside the tests. Both
        // executors on the one engine (an executor per host would name its own).
        var redisPort = FreePort();
        var volume = "quicktry-apphost-test-" + Guid.NewGuid().ToString("N")[..8];
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QuickTry_AppHost>(
            [$"QuickTry:RedisPort={redisPort}", $"QuickTry:RedisDataVolume={volume}",
             "QuickTry:Executors:executor:DockerEndpoint=unix:///var/run/docker.sock", "QuickTry:Executors:executor-2:DockerEndpoint=unix:///var/run/docker.sock"], cts.Token);
        var api = builder.CreateResourceBuilder<ProjectResource>("api");
        // A tiny quota, so the test can exhaust it.
        api.WithEnvironment("Clients__Plans__anonymous__RunsPerWindow", "3");
        var names = new Dictionary<string, string>();
        foreach (var name in new[] { "executor", "executor-2" })
        {
            // Instance names of their own, so neither reaps a developer's sandboxes; two slots each, none
            // waiting. Warm only what the test runs: a sandbox for each of 106 language versions took minutes.
            names[name] = "apphost-test-" + Guid.NewGuid().ToString("N")[..8];
            builder.CreateResourceBuilder<ProjectResource>(name)
                .WithEnvironment("Executor__InstanceName", names[name])
                .WithEnvironment("Executor__Pool__WarmPerLanguage", "0")
                .WithEnvironment("Executor__Pool__WarmByLanguage__python3", "2")
                .WithEnvironment("Executor__Pool__WarmByLanguage__bash", "1")
                .WithEnvironment("Executor__Pool__MaxConcurrentRuns", "2")
                .WithEnvironment("Executor__Pool__MaxQueueLength", "0");
        }
        WithoutDashboard(builder);

        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token).WaitAsync(StartTimeout, cts.Token);

        using var http = app.CreateHttpClient("api");
        // Healthy once both executors announce themselves to the queue with their slots.
        await WaitUntilHealthyAsync(http, cts.Token);
        await Task.Delay(2_000, cts.Token);

        // Four slow runs, each from a caller of its own (so the small quota is not theirs to spend): one
        // executor alone (2 slots, no waiting room) would refuse two of them.
        var burst = await Task.WhenAll(Enumerable.Range(31, 4).Select(async host =>
        {
            using var caller = new HttpClient(FromAddress(IPAddress.Parse($"127.0.0.{host}"))) { BaseAddress = http.BaseAddress };
            var answer = await caller.PostAsJsonAsync("/run", new { lang = "python3", code = "import time; time.sleep(1); print('ok')" }, cts.Token);
            return (answer.StatusCode, Body: await answer.Content.ReadAsStringAsync(cts.Token));
        }));
        var executors = new List<string>();
        foreach (var (status, answer) in burst)
        {
            Assert.True(status == HttpStatusCode.OK, answer);
            executors.Add(JsonDocument.Parse(answer).RootElement.GetProperty("executor").GetString()!);
        }
        Assert.Equal(2, executors.Count(e => e.StartsWith(names["executor"])));
        Assert.Equal(2, executors.Count(e => e.StartsWith(names["executor-2"])));

        var response = await http.PostAsJsonAsync("/run", new { lang = "python3", code = "print(\"hello world\")" }, cts.Token);
        var body = await response.Content.ReadAsStringAsync(cts.Token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var result = JsonDocument.Parse(body).RootElement;
        Assert.Equal("hello world\n", result.GetProperty("stdout").GetString());
        Assert.Equal("ok", result.GetProperty("status").GetString());
        Assert.True(response.Headers.Contains("RateLimit-Remaining"));

        var languages = await http.GetFromJsonAsync<JsonElement>("/languages", cts.Token);
        Assert.Contains(languages.EnumerateArray(), l => l.GetProperty("name").GetString() == "python3" && l.GetProperty("version").GetString() != "unknown");

        HttpResponseMessage last;
        var runs = 1;
        do
        {
            last = await http.PostAsJsonAsync("/run", new { lang = "bash", code = "echo again" }, cts.Token);
            runs++;
        }
        while (last.StatusCode == HttpStatusCode.OK && runs < 10);

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        Assert.Equal(4, runs);
        Assert.True(last.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("quota", await last.Content.ReadAsStringAsync(cts.Token));

        // The API sees callers' own addresses (no proxy in front of it): another loopback address has its own quota.
        using var other = new HttpClient(FromAddress(IPAddress.Parse("127.0.0.22"))) { BaseAddress = http.BaseAddress };
        var fromOther = await other.PostAsJsonAsync("/run", new { lang = "bash", code = "echo other" }, cts.Token);
        Assert.True(fromOther.StatusCode == HttpStatusCode.OK, await fromOther.Content.ReadAsStringAsync(cts.Token));

        // Redis crashes (SIGKILL) and its engine starts it again, as after an engine restart. The append-only
        // file (fsync every second) keeps what was written more than a second before; a snapshot alone
        // (--save 60 1) would have lost the spent quota. The API reaches Redis at its published port, not
        // through a proxy that would still point at the old container port.
        await Task.Delay(TimeSpan.FromSeconds(1.5), cts.Token);
        var container = (await DockerAsync($"ps -q --filter publish={redisPort}", cts.Token)).Trim();
        Assert.False(string.IsNullOrEmpty(container), $"no container publishes port {redisPort}");
        Assert.Equal("yes", (await DockerAsync($"exec {container} sh -c 'redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning config get appendonly | tail -n1'", cts.Token)).Trim());
        // SIGKILL to Redis's process, as a crash: the engine restarts the container by its policy. Not
        // `docker kill` + `docker start`: the engine counts that kill as a stop, and Aspire, seeing its
        // container exit, started a replacement that could not bind the port the test's restart held
        // (CI, once: "address already in use", and the AppHost's Redis failed).
        var pid = (await DockerAsync($"inspect -f '{{{{.State.Pid}}}}' {container}", cts.Token)).Trim();
        using (var kill = System.Diagnostics.Process.Start("kill", ["-9", pid]))
        {
            await kill.WaitForExitAsync(cts.Token);
            Assert.True(kill.ExitCode == 0, $"kill -9 {pid} failed");
        }
        var answering = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.HoldsAsync("Redis answering PONG after its restart", async () =>
            (await DockerAsync($"exec {container} sh -c 'redis-cli -a \"$REDIS_PASSWORD\" --no-auth-warning ping'", cts.Token, check: false)).Contains("PONG"),
            TimeSpan.FromSeconds(30));
        answering.Restart();
        string health;
        do
        {
            await Task.Delay(250, cts.Token);
            health = await (await http.GetAsync("/health", cts.Token)).Content.ReadAsStringAsync(cts.Token);
        }
        while (health != "Healthy" && answering.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(health == "Healthy", $"/health was '{health}' 10 s after Redis answered again");

        var afterCrash = await http.PostAsJsonAsync("/run", new { lang = "bash", code = "echo after" }, cts.Token);
        Assert.True(afterCrash.StatusCode == HttpStatusCode.TooManyRequests, $"the spent quota was lost: {(int)afterCrash.StatusCode} {await afterCrash.Content.ReadAsStringAsync(cts.Token)}");
        var quota = await http.GetFromJsonAsync<JsonElement>("/quota", cts.Token);
        Assert.False(quota.GetProperty("approximate").GetBoolean(), "quotas are still kept in process after Redis came back");
        var otherAfter = await other.PostAsJsonAsync("/run", new { lang = "bash", code = "echo other" }, cts.Token);
        Assert.True(otherAfter.StatusCode == HttpStatusCode.OK, await otherAfter.Content.ReadAsStringAsync(cts.Token));

        await app.StopAsync(cts.Token);
        await DockerAsync($"rm -f {container}", cts.Token, check: false);
        await DockerAsync($"volume rm {volume}", cts.Token, check: false);
    }

    /// <summary>
    /// Aspire calls the API healthy when <c>/health</c> answers 200, which it also does while Degraded: before
    /// an executor has announced itself to the queue, when runs are still refused with 503.
    /// </summary>
    private static async Task WaitUntilHealthyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        await Eventually.ReturnsAsync("the API's /health Healthy", async () => await (await http.GetAsync("/health", cancellationToken)).Content.ReadAsStringAsync(cancellationToken),
            health => health == "Healthy", StartTimeout, TimeSpan.FromMilliseconds(250));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> DockerAsync(string arguments, CancellationToken cancellationToken, bool check = true)
    {
        var start = new System.Diagnostics.ProcessStartInfo("bash") { ArgumentList = { "-c", "docker " + arguments }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(!check || process.ExitCode == 0, $"docker {arguments}: {await error}");
        return await output;
    }

    /// <summary>No dashboard in tests: without this the OTLP exporter's flush holds every stop for ~10 s.</summary>
    private static void WithoutDashboard(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }
    }

    /// <summary>A handler that connects to the API on 127.0.0.1 from <paramref name="local"/> (any 127.x address is this machine).</summary>
    private static SocketsHttpHandler FromAddress(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
