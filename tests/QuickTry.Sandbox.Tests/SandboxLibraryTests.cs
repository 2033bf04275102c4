using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
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
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-library-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
        });
        builder.Services.AddQuickTrySandbox(builder.Configuration);
        using var host = builder.Build();
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

            var invalid = await sandbox.ExecuteAsync(new RunRequest { Lang = "nope", Code = "x" });
            Assert.Contains("lang", Assert.IsType<RunOutcome.Invalid>(invalid).Errors.Keys);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
