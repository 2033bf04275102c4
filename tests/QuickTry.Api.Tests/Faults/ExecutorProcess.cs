using System.Diagnostics;
using Docker.DotNet;
using Docker.DotNet.Models;

namespace QuickTry.Api.Tests.Faults;

/// <summary>
/// The real executor as its own process (the build output of QuickTry.Executor), so a test can kill it
/// with SIGKILL as a crash would, and start it again under the same instance name.
/// </summary>
public sealed class ExecutorProcess : IAsyncDisposable
{
    private readonly Dictionary<string, string> _environment;
    private readonly string _dockerEndpoint;
    private Process? _process;

    public ExecutorProcess(string instanceName, string dockerEndpoint, IReadOnlyDictionary<string, string>? settings = null)
    {
        InstanceName = instanceName;
        _dockerEndpoint = dockerEndpoint;
        Port = RedisServer.FreePort();
        _environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = Url,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Executor__InstanceName"] = instanceName,
            ["Executor__DockerEndpoint"] = dockerEndpoint,
            ["Executor__LanguagesPath"] = Path.Combine(Repository.Root, "docker-images"),
            // Only what the fault tests run is kept warm.
            ["Executor__Pool__WarmPerLanguage"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key] = value;
        }
    }

    public string InstanceName { get; }
    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>The executor's last lines of output (its log, warnings and up by default), for a failing test to show.</summary>
    public IReadOnlyList<string> RecentOutput => [.. _output];

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 500 && _output.TryDequeue(out _))
        {
        }
    }

    public async Task StartAsync(TimeSpan timeout)
    {
        var dll = Path.Combine(Repository.Root, "QuickTry.Executor", "bin", Repository.Configuration, "net10.0", "QuickTry.Executor.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution first");
        var start = new ProcessStartInfo("dotnet") { ArgumentList = { dll }, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in _environment)
        {
            start.Environment[key] = value;
        }
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Keep(line.Data);
        _process.ErrorDataReceived += (_, line) => Keep(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.ReturnsAsync("the executor answering /health (not Unhealthy)", async () =>
        {
            try
            {
                return await (await http.GetAsync("/health")).Content.ReadAsStringAsync();
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Assert.False(_process.HasExited, $"the executor exited with {(_process.HasExited ? _process.ExitCode : 0)}");
                return "not listening yet";
            }
        }, health => health is not ("Unhealthy" or "not listening yet"), timeout, TimeSpan.FromMilliseconds(200));
    }

    /// <summary>SIGKILL, as a crash or the OOM killer would: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>The sandbox containers of an executor instance that the engine still has.</summary>
    public static async Task<IList<ContainerListResponse>> ContainersOfAsync(IDockerClient docker, string instance) =>
        await docker.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>>
            {
                ["label"] = new Dictionary<string, bool> { [$"quicktry.instance={instance}"] = true },
            },
        });

    /// <summary>
    /// Kills the executor and removes the sandboxes it kept: a killed executor leaves them running until
    /// one of its instance starts again, and a suite's worth of them (60 after the queue tests) slowed the
    /// tests after them and the engine's next start.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process?.Dispose();
        try
        {
            using var docker = new DockerClientConfiguration(new Uri(_dockerEndpoint)).CreateClient();
            var left = await ContainersOfAsync(docker, InstanceName);
            await Task.WhenAll(left.Select(c => docker.Containers.RemoveContainerAsync(c.ID, new ContainerRemoveParameters { Force = true })));
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // The engine is stopped (a fault test's): scripts/test.sh removes what is left at the end.
        }
    }
}
