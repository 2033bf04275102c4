using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>An executor with two slots and a queue of two, to be flooded.</summary>
public sealed class SmallExecutorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Executor:Pool:MaxConcurrentRuns"] = "2",
        ["Executor:Pool:MaxQueueLength"] = "2",
        ["Executor:Pool:QueueTimeoutMs"] = "5000",
    };
}

public class SaturationTests : IClassFixture<SmallExecutorFixture>
{
    private readonly SmallExecutorFixture _executor;

    public SaturationTests(SmallExecutorFixture executor) => _executor = executor;

    [Fact]
    public async Task More_runs_than_slots_either_complete_or_are_refused_as_busy_and_none_hangs()
    {
        var clock = Stopwatch.StartNew();
        var runs = Enumerable.Range(0, 12).Select(i => _executor.Client.PostAsJsonAsync("/execute", new RunRequest
        {
            Lang = "python3",
            Code = $"import time\ntime.sleep(0.5)\nprint({i})",
        }, ExecutorFixture.Json)).ToList();

        var responses = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(30));
        clock.Stop();

        var ok = responses.Where(r => r.StatusCode == HttpStatusCode.OK).ToList();
        var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.Equal(responses.Length, ok.Count + busy.Count);
        Assert.NotEmpty(busy);
        Assert.True(ok.Count >= 4, $"only {ok.Count} completed");
        foreach (var response in busy)
        {
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "busy without Retry-After");
            Assert.Contains("busy", await response.Content.ReadAsStringAsync());
        }
        foreach (var response in ok)
        {
            var result = await response.Content.ReadFromJsonAsync<RunResult>(ExecutorFixture.Json);
            Assert.Equal(RunStatus.Ok, result!.Status);
        }
    }
}

/// <summary>Starts and stops its own executor, then looks for anything it left in the engine.</summary>
public class CleanupTests
{
    [Fact]
    public async Task Stopping_the_executor_leaves_no_container_of_ours()
    {
        var executor = new LightExecutorFixture();
        await executor.InitializeAsync();
        var result = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "echo hi" });
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.NotEmpty(await executor.OurContainersAsync());

        var instance = executor.InstanceName;
        await executor.DisposeAsync();

        using var docker = new global::Docker.DotNet.DockerClientConfiguration(new Uri("unix:///var/run/docker.sock")).CreateClient();
        var left = await docker.Containers.ListContainersAsync(new global::Docker.DotNet.Models.ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"quicktry.instance={instance}"] = true },
            },
        });
        Assert.Empty(left);
    }

    [Fact]
    public async Task Containers_left_by_a_crashed_instance_are_removed_when_it_starts_again()
    {
        using var docker = new global::Docker.DotNet.DockerClientConfiguration(new Uri("unix:///var/run/docker.sock")).CreateClient();
        var instance = "crashed-" + Guid.NewGuid().ToString("N")[..8];
        // What a crash leaves: a labelled sandbox container nobody tracks.
        var orphan = await docker.Containers.CreateContainerAsync(new global::Docker.DotNet.Models.CreateContainerParameters
        {
            Image = "quicktry/bash:latest",
            Labels = new Dictionary<string, string> { ["quicktry.managed"] = "true", ["quicktry.instance"] = instance },
        });

        var executor = new NamedExecutorFixture(instance);
        await executor.InitializeAsync();
        try
        {
            var ids = (await executor.OurContainersAsync()).Select(c => c.ID);
            Assert.DoesNotContain(orphan.ID, ids);
        }
        finally
        {
            await executor.DisposeAsync();
        }
    }

    /// <summary>Keeps only bash and Python warm: a sandbox per language (106) would add ~50 s to each start.</summary>
    private class LightExecutorFixture(string? instance = null) : ExecutorFixture(instance)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => ModeFixtureSettings.With();
    }

    private sealed class NamedExecutorFixture(string instance) : LightExecutorFixture(instance);
}
