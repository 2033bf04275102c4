using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Tests;

/// <summary>
/// The sandbox as a library: a plain generic host (no web server, no QuickTry service), one registration
/// call, the real Docker engine. This is the example in docs/api.md.
/// </summary>
public sealed class SandboxLibraryTests
{
    [Fact]
    public async Task An_app_runs_code_in_process_with_one_registration_call()
    {
        using var host = Host(new());
        await host.StartAsync();
        try
        {
            var sandbox = host.Services.GetRequiredService<RunService>();

            var outcome = await sandbox.ExecuteAsync(new RunRequest { Lang = "python3", Code = "print(input()[::-1])", Stdin = "olleh" });
            var result = Assert.IsType<RunOutcome.Completed>(outcome).Result;
            Assert.Equal(RunStatus.Ok, result.Status);
            Assert.Equal("hello\n", result.Stdout);

            var live = new List<string>();
            var streamed = await sandbox.ExecuteAsync(new RunRequest { Lang = "bash", Code = "echo one; echo two" }, client: null, PlanSandbox.None,
                CancellationToken.None, live: new LiveRun((_, text) => live.Add(text)));
            Assert.Equal("one\ntwo\n", string.Concat(live));
            Assert.Equal("one\ntwo\n", Assert.IsType<RunOutcome.Completed>(streamed).Result.Stdout);

            // A judged run: each case's result as it ends, then all of them in the result.
            var ended = new List<TestCaseResult>();
            var judged = await sandbox.ExecuteAsync(new RunRequest
            {
                Lang = "python3",
                Code = "print(input().upper())",
                Tests = [new TestCase { Stdin = "a", ExpectedOutput = "A" }, new TestCase { Stdin = "b", ExpectedOutput = "b" }],
            }, client: null, PlanSandbox.None, CancellationToken.None, live: new LiveRun((_, _) => { }, CaseFinished: ended.Add));
            var judgedResult = Assert.IsType<RunOutcome.Completed>(judged).Result;
            Assert.Equal([Verdict.Accepted, Verdict.WrongAnswer], ended.Select(t => t.Verdict));
            Assert.Equal(ended, judgedResult.Tests);

            var invalid = await sandbox.ExecuteAsync(new RunRequest { Lang = "nope", Code = "x" });
            Assert.Contains("lang", Assert.IsType<RunOutcome.Invalid>(invalid).Errors.Keys);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Sandboxes_run_on_the_cpus_the_executor_is_given_and_a_malformed_set_refuses_to_start()
    {
        using (var pinned = Host(new() { ["Executor:Sandbox:CpusetCpus"] = "0" }))
        {
            await pinned.StartAsync();
            try
            {
                // nproc counts the CPUs the process may run on: the cpuset's one, not the machine's.
                var outcome = await pinned.Services.GetRequiredService<RunService>().ExecuteAsync(
                    new RunRequest { Lang = "bash", Code = "nproc; grep Cpus_allowed_list /proc/self/status | tr -d '\\t'" });
                var result = Assert.IsType<RunOutcome.Completed>(outcome).Result;
                Assert.Equal(RunStatus.Ok, result.Status);
                Assert.Equal("1\nCpus_allowed_list:0\n", result.Stdout);
            }
            finally
            {
                await pinned.StopAsync();
            }
        }

        using var malformed = Host(new() { ["Executor:Sandbox:CpusetCpus"] = "first" });
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => malformed.StartAsync());
        Assert.Contains("Executor:Sandbox:CpusetCpus must be a list of CPU numbers and ranges such as '0', '2-3' or '0,2' (is 'first').", error.Message);
    }

    /// <summary>A plain generic host with the one registration call, as an app would write it.</summary>
    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-library-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddQuickTrySandbox(builder.Configuration);
        return builder.Build();
    }
}
