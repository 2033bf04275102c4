using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using QuickTry.Protocol;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Races between a sandbox's life and the runs it serves, on the real engine: CI once saw an engine
/// recovery's reap remove a slot a run had just been given, and the run reported a time limit that never
/// happened.
/// </summary>
[Collection(DockerCollection.Name)]
public class SandboxLifecycleTests(ExecutorFixture executor)
{
    [Fact]
    public async Task A_container_being_started_is_this_instances_and_no_reap_of_leftovers_takes_it()
    {
        var services = executor.Factory.Services;
        var factory = services.GetRequiredService<SandboxContainerFactory>();
        Assert.True(services.GetRequiredService<LanguageCatalog>().TryFind("bash", out var bash));
        var reaper = new ContainerReaper(executor.Docker, factory, executor.InstanceName, NullLogger.Instance);
        var slot = SandboxContainerFactory.NewSlot();
        // Only this test's container is looked at: the fixture's own pool shares the instance name.
        bool OnlyOurs(ContainerListResponse c) => c.Labels.TryGetValue(SandboxLabels.Slot, out var s) && s == slot;

        var reapedWhileStarting = -1;
        var container = await reaper.StartAsync(slot, async () =>
        {
            var started = await factory.StartAsync(slot, bash, new SandboxKind(Isolation.Slot, executor.Runtime), null, CancellationToken.None);
            // The engine lists it now, running; its id has not reached the reaper yet.
            reapedWhileStarting = await reaper.ReapAsync((c, ours) => OnlyOurs(c) && !ours, CancellationToken.None);
            return started;
        });
        try
        {
            Assert.Equal(0, reapedWhileStarting);
            Assert.True(reaper.IsTracked(container.Id));
            Assert.True((await executor.Docker.Containers.InspectContainerAsync(container.Id)).State.Running);
            // Once it is tracked the same rule still leaves it; a rule for everything takes it.
            Assert.Equal(0, await reaper.ReapAsync((c, ours) => OnlyOurs(c) && !ours, CancellationToken.None));
            Assert.Equal(1, await reaper.ReapAsync((c, _) => OnlyOurs(c), CancellationToken.None));
        }
        finally
        {
            await factory.RemoveAsync(container.Id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_run_handed_a_sandbox_that_stopped_is_an_internal_error_not_a_time_limit()
    {
        var services = executor.Factory.Services;
        var factory = services.GetRequiredService<SandboxContainerFactory>();
        var runner = services.GetRequiredService<SandboxRunner>();
        Assert.True(services.GetRequiredService<LanguageCatalog>().TryFind("bash", out var bash));
        Assert.True(services.GetRequiredService<RunValidator>().TryPrepare(
            new RunRequest { Lang = "bash", Code = "echo hi", Limits = new RequestedLimits { TimeMs = 500 } }, out var run, out _));
        var kind = new SandboxKind(Isolation.Slot, executor.Runtime);
        var container = await factory.StartAsync(SandboxContainerFactory.NewSlot(), bash, kind, null, CancellationToken.None);
        try
        {
            // Stopped behind the pool's back: an attach to it waits for a start that never comes.
            await executor.Docker.Containers.KillContainerAsync(container.Id, new ContainerKillParameters { Signal = "KILL" });
            await executor.Docker.Containers.WaitContainerAsync(container.Id);

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = await runner.RunAsync(container, run, CancellationToken.None);

            Assert.True(outcome.Vanished);
            // Ended at its watchdog (limit + grace), without waiting out the kill's grace for streams
            // that a stopped container never closes.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4.5), $"{clock.Elapsed.TotalSeconds:0.0} s");
            Assert.Null(outcome.Reusable);
            var result = RunResultMapper.ToResult(run, "lifecycle-test", kind, outcome, "5", TimeSpan.Zero, TimeSpan.Zero);
            Assert.Equal(RunStatus.InternalError, result.Status);
            Assert.Null(result.Signal);
            Assert.Contains("stopped before the run reported", result.Message);
        }
        finally
        {
            await factory.RemoveAsync(container.Id, CancellationToken.None);
        }
    }
}

/// <summary>Under gVisor the host's OOM killer takes a sandbox over its memory limit whole.</summary>
[Collection(GVisorCollection.Name)]
public class SandboxLifecycleTestsUnderGVisor(GVisorExecutorFixture executor)
{
    [Fact]
    public async Task A_sandbox_killed_whole_for_its_memory_is_reported_by_the_engines_event_stream_as_an_oom_kill()
    {
        var services = executor.Factory.Services;
        var factory = services.GetRequiredService<SandboxContainerFactory>();
        var runner = services.GetRequiredService<SandboxRunner>();
        var oomReports = services.GetRequiredService<QuickTry.Sandbox.Engine.OomReports>();
        Assert.True(services.GetRequiredService<LanguageCatalog>().TryFind("python3", out var python));
        Assert.True(services.GetRequiredService<RunValidator>().TryPrepare(new RunRequest
        {
            Lang = "python3",
            Code = "chunks = []\nwhile True:\n    chunks.append(b'x' * (16 * 1024 * 1024))",
            Limits = new RequestedLimits { MemoryMb = 64 },
        }, out var run, out _));
        var kind = new SandboxKind(Isolation.Slot, executor.Runtime);
        var container = await factory.StartAsync(SandboxContainerFactory.NewSlot(), python, kind, run.Limits, CancellationToken.None);
        try
        {
            var outcome = await runner.RunAsync(container, run, CancellationToken.None);

            Assert.True(outcome.OomKilled, $"exit {outcome.ExitCode}, killed {outcome.Killed}, trailer {outcome.Output.Trailer is not null}");
            // The executor's engine monitor heard it from the engine, whatever order the engine told it in.
            Assert.True(await oomReports.WaitAsync(container.Id, TimeSpan.FromSeconds(5), CancellationToken.None));
            Assert.False(await oomReports.WaitAsync("not-a-container", TimeSpan.FromMilliseconds(50), CancellationToken.None));
        }
        finally
        {
            await factory.RemoveAsync(container.Id, CancellationToken.None);
        }
    }
}
