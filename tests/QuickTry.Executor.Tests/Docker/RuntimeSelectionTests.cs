using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Executor.Runs;
using QuickTry.Protocol;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// An executor on the main engine (which declares runc and, by scripts/setup.sh --gvisor, runsc) whose
/// default is runc, with bash under runsc by language and runsc kept warm for plans.
/// </summary>
public sealed class MixedRuntimeExecutorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Executor:Pool:WarmPerLanguage"] = "0",
        ["Executor:Pool:WarmByLanguage:python3"] = "1",
        ["Executor:Pool:WarmByLanguage:bash"] = "1",
        ["Executor:Sandbox:RuntimeByLanguage:bash"] = SandboxRuntimes.Gvisor,
        ["Executor:Sandbox:PlanRuntimes:0"] = SandboxRuntimes.Gvisor,
    };
}

/// <summary>Which runtime a run gets: the plan's, else the language's, else the default; never a quiet substitute.</summary>
public class RuntimeSelectionTests(MixedRuntimeExecutorFixture executor) : IClassFixture<MixedRuntimeExecutorFixture>
{
    private const string ShowKernel = "import platform; print(platform.release())";
    private static readonly string HostRelease = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

    private async Task<HttpResponseMessage> PostAsync(RunRequest request, string? planRuntime)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/execute") { Content = JsonContent.Create(request, options: ExecutorFixture.Json) };
        if (planRuntime is not null)
        {
            message.Headers.Add(RunHeaders.Runtime, planRuntime);
        }
        return await executor.Client.SendAsync(message);
    }

    private async Task<RunResult> RunAsync(RunRequest request, string? planRuntime)
    {
        using var response = await PostAsync(request, planRuntime);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<RunResult>(body, ExecutorFixture.Json)!;
    }

    [Fact]
    public async Task A_language_without_a_runtime_of_its_own_runs_under_the_default()
    {
        var result = await RunAsync(new RunRequest { Lang = "python3", Code = ShowKernel }, planRuntime: null);

        Assert.Equal(SandboxRuntimes.Runc, result.Runtime);
        Assert.Equal(HostRelease + "\n", result.Stdout);
    }

    [Fact]
    public async Task A_language_set_to_gVisor_runs_under_it()
    {
        var result = await RunAsync(new RunRequest { Lang = "bash", Code = "uname -r" }, planRuntime: null);

        Assert.Equal(SandboxRuntimes.Gvisor, result.Runtime);
        Assert.Equal("4.4.0\n", result.Stdout);
    }

    [Fact]
    public async Task The_plan_s_runtime_decides_both_ways()
    {
        var gvisor = await RunAsync(new RunRequest { Lang = "python3", Code = ShowKernel }, SandboxRuntimes.Gvisor);
        var runc = await RunAsync(new RunRequest { Lang = "bash", Code = "uname -r" }, SandboxRuntimes.Runc);

        Assert.Equal((SandboxRuntimes.Gvisor, "4.4.0\n"), (gvisor.Runtime, gvisor.Stdout));
        Assert.Equal((SandboxRuntimes.Runc, HostRelease + "\n"), (runc.Runtime, runc.Stdout));
    }

    [Fact]
    public async Task Slots_under_a_plan_s_runtime_serve_again()
    {
        var first = await RunAsync(new RunRequest { Lang = "python3", Code = "import os; print(os.getuid())" }, SandboxRuntimes.Gvisor);
        // The slot comes back once its wipe is verified (gVisor has no /proc/sysvipc: the runner counts
        // SysV objects through IPC_INFO instead, so a clean run keeps its slot).
        await Task.Delay(500);
        var second = await RunAsync(new RunRequest { Lang = "python3", Code = "import os; print(os.getuid())" }, SandboxRuntimes.Gvisor);

        Assert.Equal(RunStatus.Ok, first.Status);
        Assert.Equal(RunStatus.Ok, second.Status);
        var slots = (await executor.OurContainersAsync())
            .Where(c => c.Labels["quicktry.runtime"] == SandboxRuntimes.Gvisor && c.Labels["quicktry.language"] == first.Lang && c.State == "running")
            .ToList();
        Assert.NotEmpty(slots);
        // Run i of a slot runs as its first uid + i: the next uid means the same slot served again.
        Assert.Equal(int.Parse(first.Stdout.Trim()) + 1, int.Parse(second.Stdout.Trim()));
    }

    [Fact]
    public async Task A_runtime_the_engine_does_not_declare_is_refused_as_unavailable_and_nothing_runs()
    {
        using var response = await PostAsync(new RunRequest { Lang = "python3", Code = "print(1)" }, "kata-not-installed");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("kata-not-installed", body);
        Assert.DoesNotContain(await executor.OurContainersAsync(), c => c.Labels["quicktry.runtime"] == "kata-not-installed");
    }

    [Fact]
    public async Task A_runtime_header_that_is_no_runtime_name_is_a_bad_request()
    {
        using var response = await PostAsync(new RunRequest { Lang = "python3", Code = "print(1)" }, "../../bin/sh");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

/// <summary>An executor told to use a runtime its engine does not declare.</summary>
public class MissingRuntimeTests
{
    [Fact]
    public async Task Health_says_which_configured_runtime_the_engine_lacks()
    {
        await using var factory = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Executor:InstanceName", "test-" + Guid.NewGuid().ToString("N")[..10]);
            web.UseSetting("Executor:Pool:WarmPerLanguage", "0");
            web.UseSetting("Executor:Sandbox:Runtime", "quicktry-no-such-runtime");
        });
        using var client = factory.CreateClient();
        var health = factory.Services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? engine;
        do
        {
            await Task.Delay(200);
            engine = (await health.CheckHealthAsync()).Entries["docker-engine"].Description;
        }
        while (engine?.Contains("quicktry-no-such-runtime") != true && DateTime.UtcNow < deadline);

        Assert.Contains("does not declare the runtime(s) quicktry-no-such-runtime", engine);
        Assert.Equal("Unhealthy", await (await client.GetAsync("/health")).Content.ReadAsStringAsync());
        using var run = await client.PostAsJsonAsync("/execute", new RunRequest { Lang = "python3", Code = "print(1)" }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, run.StatusCode);
    }
}
