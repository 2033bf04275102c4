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

    [Fact]
    public async Task A_python_snippet_runs_through_the_api_and_a_small_quota_ends_in_429_with_retry_after()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QuickTry_AppHost>(cts.Token);
        var api = builder.CreateResourceBuilder<ProjectResource>("api");
        // A tiny quota, so the test can exhaust it.
        api.WithEnvironment("Clients__Plans__anonymous__RunsPerWindow", "3");
        // A different instance name than a developer's running stack, so neither reaps the other's sandboxes.
        builder.CreateResourceBuilder<ProjectResource>("executor")
            .WithEnvironment("Executor__InstanceName", "apphost-test-" + Guid.NewGuid().ToString("N")[..8])
            .WithEnvironment("Executor__Pool__WarmPerLanguage", "1");
        WithoutDashboard(builder);

        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token).WaitAsync(StartTimeout, cts.Token);

        using var http = app.CreateHttpClient("api");
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
    }

    [Fact]
    public async Task Two_executors_from_QuickTry_Executors_share_a_burst_through_the_queue()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        // Both on the one engine (an executor per host would name its own); each has its own instance and pool.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QuickTry_AppHost>(
            ["QuickTry:Executors:executor:DockerEndpoint=unix:///var/run/docker.sock", "QuickTry:Executors:executor-2:DockerEndpoint=unix:///var/run/docker.sock"], cts.Token);
        var names = new Dictionary<string, string>();
        foreach (var name in new[] { "executor", "executor-2" })
        {
            // Instance names of their own, so neither reaps a developer's sandboxes; two slots each, none waiting.
            names[name] = "apphost-test-" + Guid.NewGuid().ToString("N")[..8];
            builder.CreateResourceBuilder<ProjectResource>(name)
                .WithEnvironment("Executor__InstanceName", names[name])
                .WithEnvironment("Executor__Pool__WarmPerLanguage", "0")
                .WithEnvironment("Executor__Pool__WarmByLanguage__python3", "2")
                .WithEnvironment("Executor__Pool__MaxConcurrentRuns", "2")
                .WithEnvironment("Executor__Pool__MaxQueueLength", "0");
        }
        WithoutDashboard(builder);
        await using var app = await builder.BuildAsync(cts.Token);
        await app.StartAsync(cts.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token).WaitAsync(StartTimeout, cts.Token);
        using var http = app.CreateHttpClient("api");
        // Healthy once both executors announce themselves to the queue with their slots.
        while (await (await http.GetAsync("/health", cts.Token)).Content.ReadAsStringAsync(cts.Token) != "Healthy")
        {
            await Task.Delay(250, cts.Token);
        }
        await Task.Delay(2_000, cts.Token);

        // Four slow runs: one executor alone (2 slots, no waiting room) would refuse two of them.
        var burst = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            http.PostAsJsonAsync("/run", new { lang = "python3", code = "import time; time.sleep(1); print('ok')" }, cts.Token)));
        var executors = new List<string>();
        foreach (var response in burst)
        {
            var body = await response.Content.ReadAsStringAsync(cts.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            executors.Add(JsonDocument.Parse(body).RootElement.GetProperty("executor").GetString()!);
        }
        Assert.Equal(2, executors.Count(e => e.StartsWith(names["executor"])));
        Assert.Equal(2, executors.Count(e => e.StartsWith(names["executor-2"])));
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
