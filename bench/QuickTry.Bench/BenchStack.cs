using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace QuickTry.Bench;

/// <summary>
/// The real stack (Redis, executor, API) started from the AppHost, with a plan roomy enough that the
/// benchmark measures the service rather than its limits, and warm pools for the measured languages.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    public const string ApiKey = "benchmark-key-0123456789";

    /// <summary>A second key whose plan asks for isolation <c>container</c>: both modes from one stack.</summary>
    public const string ContainerApiKey = "benchmark-key-container-0123";

    /// <summary>A third key whose plan runs everything under gVisor (<c>runsc</c>), in slots.</summary>
    public const string GVisorApiKey = "benchmark-key-gvisor-01234567";

    private DistributedApplication _app = null!;

    /// <summary>The API as a caller whose runs use slots (the default isolation).</summary>
    public HttpClient Api { get; private set; } = null!;

    /// <summary>The API as a caller whose plan gives every run its own container.</summary>
    public HttpClient ApiContainer { get; private set; } = null!;

    /// <summary>The API as a caller whose plan runs everything under gVisor.</summary>
    public HttpClient ApiGVisor { get; private set; } = null!;
    public HttpClient Executor { get; private set; } = null!;

    /// <summary>A second API replica with the run queue off: it calls the executor directly, as before the queue.</summary>
    public HttpClient ApiDirect { get; private set; } = null!;

    /// <summary>Each executor's concurrent runs and queue places: the defaults on this 2-core machine.</summary>
    public const int Slots = 4, QueueLength = 32;

    /// <summary>The second executor; stopped except while the scale-out is measured.</summary>
    public const string SecondExecutor = "executor-2";

    /// <summary>
    /// The second executor's engine: the main one (its instance name, pool and slots are its own). One image
    /// store serves both; on one machine two engines would share the same cores anyway.
    /// </summary>
    public const string SecondEngine = "unix:///var/run/docker.sock";

    /// <param name="cpusets">
    /// Per executor (the first, then the second), the host CPUs its sandboxes run on
    /// (<c>Executor:Sandbox:CpusetCpus</c>); null leaves every sandbox on every core.
    /// </param>
    /// <param name="supervisor">The sandboxes' supervisor (<c>Executor:Sandbox:Supervisor</c>); null: the default, compiled.</param>
    public static async Task<BenchStack> StartAsync(IEnumerable<string> languages, int warmPerLanguage, string repository, string[]? cpusets = null,
        string? supervisor = null)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        // Two executors, as QuickTry:Executors configures them.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.QuickTry_AppHost>(
            ["QuickTry:Executors:executor:DockerEndpoint=unix:///var/run/docker.sock", $"QuickTry:Executors:{SecondExecutor}:DockerEndpoint={SecondEngine}"], cts.Token);
        var redis = builder.CreateResourceBuilder<RedisResource>("redis");
        var directPort = FreePort();
        var apiDirect = builder.AddProject("api-direct", Path.Combine(repository, "QuickTry.Api", "QuickTry.Api.csproj"), o => o.ExcludeLaunchProfile = true)
            .WithHttpEndpoint(port: directPort, targetPort: directPort, isProxied: false)
            .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development")
            .WithReference(redis).WaitFor(redis)
            .WithReference(builder.CreateResourceBuilder<ProjectResource>("executor"))
            .WithEnvironment("Executor__BaseUrls__0", "http://executor")
            .WithEnvironment("Queue__Enabled", "false");
        var api = builder.CreateResourceBuilder<ProjectResource>("api");
        foreach (var gateway in new[] { api, apiDirect })
        {
            gateway
            .WithEnvironment("Clients__ApiKeys__0__Name", "bench")
            .WithEnvironment("Clients__ApiKeys__0__Key", ApiKey)
            .WithEnvironment("Clients__ApiKeys__0__Plan", "bench")
            .WithEnvironment("Clients__ApiKeys__1__Name", "bench-container")
            .WithEnvironment("Clients__ApiKeys__1__Key", ContainerApiKey)
            .WithEnvironment("Clients__ApiKeys__1__Plan", "benchcontainer")
            .WithEnvironment("Clients__Plans__benchcontainer__Isolation", "container")
            .WithEnvironment("Clients__ApiKeys__2__Name", "bench-gvisor")
            .WithEnvironment("Clients__ApiKeys__2__Key", GVisorApiKey)
            .WithEnvironment("Clients__ApiKeys__2__Plan", "benchgvisor")
            .WithEnvironment("Clients__Plans__benchgvisor__Runtime", "runsc")
            .WithEnvironment("Logging__LogLevel__Default", "Warning");
            foreach (var plan in new[] { "bench", "benchcontainer", "benchgvisor" })
            {
                gateway.WithEnvironment($"Clients__Plans__{plan}__RequestsPerMinute", "1000000")
                    .WithEnvironment($"Clients__Plans__{plan}__Burst", "100000")
                    .WithEnvironment($"Clients__Plans__{plan}__RunsPerWindow", "10000000")
                    .WithEnvironment($"Clients__Plans__{plan}__RunSecondsPerWindow", "10000000");
            }
        }
        foreach (var (name, index) in new[] { "executor", SecondExecutor }.Select((name, index) => (name, index)))
        {
            var executor = builder.CreateResourceBuilder<ProjectResource>(name)
            .WithEnvironment("Executor__InstanceName", $"bench-{name}-" + Guid.NewGuid().ToString("N")[..8])
            .WithEnvironment("Executor__Pool__WarmPerLanguage", "0")
            .WithEnvironment("Executor__Pool__MaxConcurrentRuns", Slots.ToString())
            .WithEnvironment("Executor__Pool__MaxQueueLength", QueueLength.ToString())
            // The container-isolation caller gets as many warm one-run containers as slots are kept warm.
            .WithEnvironment("Executor__Isolation__WarmContainersForSlotLanguages", warmPerLanguage.ToString())
            // gVisor slots kept warm too, for the plan that asks for them (scripts/bench.sh registers runsc).
            .WithEnvironment("Executor__Sandbox__PlanRuntimes__0", "runsc")
            .WithEnvironment("Logging__LogLevel__Default", "Warning");
            foreach (var language in languages)
            {
                executor.WithEnvironment($"Executor__Pool__WarmByLanguage__{language}", warmPerLanguage.ToString());
            }
            if (supervisor is not null)
            {
                executor.WithEnvironment("Executor__Sandbox__Supervisor", supervisor);
            }
            if (cpusets?[index] is { } cpuset)
            {
                executor.WithEnvironment("Executor__Sandbox__CpusetCpus", cpuset);
            }
        }
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // No dashboard here; without an OTLP endpoint the services export nothing.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        var stack = new BenchStack { _app = await builder.BuildAsync(cts.Token) };
        await stack._app.StartAsync(cts.Token);
        await stack._app.ResourceNotifications.WaitForResourceHealthyAsync("api", cts.Token);
        await stack._app.ResourceNotifications.WaitForResourceHealthyAsync("executor", cts.Token);
        await stack._app.ResourceNotifications.WaitForResourceHealthyAsync("api-direct", cts.Token);
        // Every section but the scale-out measures one executor, as before there were several.
        await stack.StopSecondExecutorAsync(cts.Token);
        stack.Api = new HttpClient { BaseAddress = stack._app.GetEndpoint("api", "http"), Timeout = TimeSpan.FromMinutes(2) };
        stack.Api.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        stack.ApiContainer = new HttpClient { BaseAddress = stack._app.GetEndpoint("api", "http"), Timeout = TimeSpan.FromMinutes(2) };
        stack.ApiContainer.DefaultRequestHeaders.Add("X-Api-Key", ContainerApiKey);
        stack.ApiGVisor = new HttpClient { BaseAddress = stack._app.GetEndpoint("api", "http"), Timeout = TimeSpan.FromMinutes(2) };
        stack.ApiGVisor.DefaultRequestHeaders.Add("X-Api-Key", GVisorApiKey);
        stack.ApiDirect = new HttpClient { BaseAddress = new Uri($"http://localhost:{directPort}"), Timeout = TimeSpan.FromMinutes(2) };
        stack.ApiDirect.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        stack.Executor = new HttpClient { BaseAddress = stack._app.GetEndpoint("executor", "http"), Timeout = TimeSpan.FromMinutes(2) };
        // Aspire counts Degraded (pools still warming) as healthy; measuring then would time the pools'
        // container starts along with the runs. Wait until every pool is warm.
        while (await (await stack.Executor.GetAsync("/health", cts.Token)).Content.ReadAsStringAsync(cts.Token) != "Healthy")
        {
            await Task.Delay(500, cts.Token);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), cts.Token);
        return stack;
    }

    /// <summary>Stops the second executor (a clean stop: it leaves the queue at once).</summary>
    public async Task StopSecondExecutorAsync(CancellationToken cancellationToken) =>
        await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(SecondExecutor, KnownResourceCommands.StopCommand, cancellationToken);

    /// <summary>Starts the second executor and waits until its pools are warm.</summary>
    public async Task StartSecondExecutorAsync(CancellationToken cancellationToken)
    {
        await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(SecondExecutor, KnownResourceCommands.StartCommand, cancellationToken);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(SecondExecutor, cancellationToken);
        using var second = new HttpClient { BaseAddress = _app.GetEndpoint(SecondExecutor, "http") };
        while (await (await second.GetAsync("/health", cancellationToken)).Content.ReadAsStringAsync(cancellationToken) != "Healthy")
        {
            await Task.Delay(500, cancellationToken);
        }
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts an executor resource again (after it was killed) and waits until its pools are warm.</summary>
    public async Task StartExecutorAsync(string resource, CancellationToken cancellationToken)
    {
        await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
    }

    /// <summary>
    /// An executor's process id, found by its command line (and, given a resource name, by its instance
    /// name, <c>bench-&lt;resource&gt;-&lt;8 hex&gt;</c>), for memory sampling and the soak's faults.
    /// </summary>
    public static int? ExecutorProcessId(string? resource = null)
    {
        var instance = resource is null ? null : new System.Text.RegularExpressions.Regex($"^Executor__InstanceName=bench-{resource}-[0-9a-f]{{8}}$");
        foreach (var pid in ExecutorProcessIds())
        {
            try
            {
                if (instance is null || File.ReadAllText($"/proc/{pid}/environ").Split('\0').Any(instance.IsMatch))
                {
                    return pid;
                }
            }
            catch (IOException)
            {
                // The process ended while we looked.
            }
        }
        return null;
    }

    private static IEnumerable<int> ExecutorProcessIds()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (!cmdline.Contains("QuickTry.Executor") || cmdline.Contains(" run ") || cmdline.Contains("build"))
                {
                    continue;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
                continue;
            }
            yield return pid;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        Executor.Dispose();
        ApiContainer.Dispose();
        ApiGVisor.Dispose();
        ApiDirect.Dispose();
        await _app.DisposeAsync();
    }
}
