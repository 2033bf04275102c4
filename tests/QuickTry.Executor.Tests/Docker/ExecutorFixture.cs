using System.Net.Http.Json;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using QuickTry.Executor.Runs;
using QuickTry.Protocol;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// The real executor, in process, against the real Docker engine and the images scripts/setup.sh built.
/// Each fixture has its own instance name, so its containers can be told from anyone else's.
/// </summary>
public class ExecutorFixture : IAsyncLifetime
{
    /// <summary>Set in this process's environment: a sandbox must never see it.</summary>
    public const string CanaryVariable = "QUICKTRY_TEST_CANARY";
    public const string CanaryValue = "host-secret-7f3a";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public ExecutorFixture() : this(null)
    {
    }

    protected ExecutorFixture(string? instanceName) =>
        InstanceName = instanceName ?? "test-" + Guid.NewGuid().ToString("N")[..10];

    public string InstanceName { get; }
    public WebApplicationFactory<Program> Factory { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    /// <summary>The engine this fixture's executor drives.</summary>
    public virtual string DockerEndpoint => "unix:///var/run/docker.sock";

    /// <summary>The OCI runtime its sandboxes run under.</summary>
    public virtual string Runtime => SandboxRuntimes.Runc;

    private DockerClient? _docker;
    public DockerClient Docker => _docker ??= new DockerClientConfiguration(new Uri(DockerEndpoint)).CreateClient();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(CanaryVariable, CanaryValue);
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Executor:InstanceName", InstanceName);
            web.UseSetting("Executor:Pool:WarmPerLanguage", "1");
            web.UseSetting("Executor:DockerEndpoint", DockerEndpoint);
            web.UseSetting("Executor:Sandbox:Runtime", Runtime);
            foreach (var (key, value) in Settings)
            {
                web.UseSetting(key, value);
            }
        });
        Client = Factory.CreateClient();
        Client.Timeout = TimeSpan.FromMinutes(2);
        // Generous: on a fresh machine (cold page cache) warming every language's sandbox takes minutes.
        await WaitHealthyAsync(TimeSpan.FromMinutes(5));
    }

    // Unhealthy (503) until the engine monitor has reached the engine: the word is read either way.
    private Task WaitHealthyAsync(TimeSpan timeout) =>
        Eventually.ReturnsAsync($"the executor on {DockerEndpoint} Healthy (did scripts/setup.sh build the images, and for gVisor declare runsc with --gvisor?)",
            async () => await (await Client.GetAsync("/health", CancellationToken.None)).Content.ReadAsStringAsync(CancellationToken.None),
            health => health == "Healthy", timeout, TimeSpan.FromMilliseconds(250));

    public async Task<RunResult> RunAsync(RunRequest request)
    {
        var response = await Client.PostAsJsonAsync("/execute", request, Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<RunResult>(body, Json)!;
    }

    /// <summary>Containers of this fixture's instance that the engine still has.</summary>
    public async Task<IList<ContainerListResponse>> OurContainersAsync() =>
        await Docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"{SandboxLabels.Instance}={InstanceName}"] = true },
            },
        });

    /// <summary>
    /// Waits (bounded) until no container of this instance runs a process named <paramref name="command"/>:
    /// what a run started must not outlive it.
    /// </summary>
    public Task AssertNoProcessLeftAsync(string command) =>
        Eventually.ReturnsAsync($"no {command} left running after the run", async () =>
        {
            var found = new List<string>();
            foreach (var container in await OurContainersAsync())
            {
                try
                {
                    var top = await Docker.Containers.ListProcessesAsync(container.ID, new ContainerListProcessesParameters { PsArgs = "-eo comm" });
                    found.AddRange(top.Processes.Select(p => p[^1]).Where(c => c == command).Select(c => $"{c} in {container.ID[..12]}"));
                }
                catch (DockerApiException)
                {
                    // Stopped or removed meanwhile: nothing runs in it.
                }
            }
            return found;
        }, found => found.Count == 0, TimeSpan.FromSeconds(15));

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        _docker?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<ExecutorFixture>
{
    public const string Name = "Docker engine";
}

/// <summary>
/// Settings of the fixtures that prove a mode on a set of languages: no container is kept warm ahead but
/// for the languages the guarantees' tests use; the others start theirs on demand.
/// </summary>
internal static class ModeFixtureSettings
{
    public static Dictionary<string, string?> With(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Executor:Pool:WarmPerLanguage"] = "0",
            ["Executor:Pool:WarmByLanguage:python3-3.13"] = "1",
            ["Executor:Pool:WarmByLanguage:bash"] = "1",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }
        return settings;
    }
}

/// <summary>An executor whose runs each get a fresh container (isolation <c>container</c>).</summary>
public sealed class ContainerExecutorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => ModeFixtureSettings.With(("Executor:Isolation:Default", "container"));
}

[CollectionDefinition(Name)]
public sealed class ContainerDockerCollection : ICollectionFixture<ContainerExecutorFixture>
{
    public const string Name = "Docker engine, one container per run";
}

/// <summary>
/// An executor whose every sandbox runs under gVisor's <c>runsc</c>, which <c>scripts/setup.sh --gvisor</c>
/// declares on the main engine (one image store for both runtimes): the same tests, another kernel
/// between the program and the host.
/// </summary>
public class GVisorExecutorFixture : ExecutorFixture
{
    public override string Runtime => SandboxRuntimes.Gvisor;

    protected override IReadOnlyDictionary<string, string?> Settings => ModeFixtureSettings.With();
}

[CollectionDefinition(Name)]
public sealed class GVisorCollection : ICollectionFixture<GVisorExecutorFixture>
{
    public const string Name = "gVisor engine";
}
