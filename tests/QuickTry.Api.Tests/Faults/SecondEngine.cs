using System.Diagnostics;
using Docker.DotNet;

namespace QuickTry.Api.Tests.Faults;

/// <summary>
/// A second Docker engine on this machine with its own socket, data root and exec root, which a test may
/// stop and start without disturbing the engine every other test uses. Images are copied into it from
/// the main engine once (docker save | docker load); they stay in its data root afterwards.
/// </summary>
public sealed class SecondEngine : IAsyncDisposable
{
    public const string Socket = "/run/quicktry-engine2.sock";
    public const string Endpoint = "unix://" + Socket;
    private const string DataRoot = "/var/lib/quicktry-engine2";
    private const string ExecRoot = "/run/quicktry-engine2";
    private const string PidFile = "/run/quicktry-engine2.pid";

    private Process? _daemon;

    public DockerClient Client { get; } = new DockerClientConfiguration(new Uri(Endpoint)).CreateClient();

    /// <summary>
    /// The engine's own bridge. Not <c>--bridge none</c>: an engine started so deletes the interface docker0,
    /// and with it the main engine's network for image builds (measured: every later <c>docker build</c>
    /// failed with "could not find bridge docker0").
    /// </summary>
    private const string Bridge = "qtengine2";

    public async Task StartAsync()
    {
        await Shell($"ip link show {Bridge} >/dev/null 2>&1 || {{ ip link add {Bridge} type bridge && ip addr add 10.253.78.1/24 dev {Bridge} && ip link set {Bridge} up; }}");
        var start = new ProcessStartInfo("dockerd")
        {
            ArgumentList =
            {
                "--host", Endpoint, "--data-root", DataRoot, "--exec-root", ExecRoot, "--pidfile", PidFile,
                "--bridge", Bridge, "--iptables=false", "--ip-masq=false", "--ip-forward=false",
            },
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _daemon = Process.Start(start)!;
        _daemon.OutputDataReceived += (_, _) => { };
        _daemon.ErrorDataReceived += (_, _) => { };
        _daemon.BeginOutputReadLine();
        _daemon.BeginErrorReadLine();
        await Eventually.HoldsAsync("the second dockerd answering", async () =>
        {
            try
            {
                using var ping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await Client.System.PingAsync(ping.Token);
                return true;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or DockerApiException or TimeoutException)
            {
                Assert.False(_daemon.HasExited, "the second dockerd exited at start");
                return false;
            }
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
    }

    /// <summary>Stops the engine as an upgrade or a crash-restart does: its containers die with it.</summary>
    public async Task StopAsync()
    {
        if (_daemon is { HasExited: false })
        {
            using (var term = Process.Start("kill", ["-TERM", _daemon.Id.ToString()]))
            {
                await term.WaitForExitAsync();
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _daemon.WaitForExitAsync(timeout.Token);
        }
    }

    /// <summary>Copies an image from the main engine unless this engine has it (same id) already.</summary>
    public async Task EnsureImageAsync(string image)
    {
        var mainId = await Shell($"docker image inspect -f '{{{{.Id}}}}' {image}");
        var ourId = await Shell($"docker -H {Endpoint} image inspect -f '{{{{.Id}}}}' {image} 2>/dev/null || true");
        if (mainId.Trim() != ourId.Trim())
        {
            await Shell($"docker save {image} | docker -H {Endpoint} load -q");
        }
    }

    /// <summary>Runs a bash command and returns its output; fails the test if it fails.</summary>
    internal static async Task<string> Shell(string command)
    {
        var (code, output, error) = await RunAsync(command);
        Assert.True(code == 0, $"{command}: {error}");
        return output;
    }

    /// <summary>Runs a bash command and returns its output, whether or not it succeeded.</summary>
    internal static async Task<string> TryShell(string command) => (await RunAsync(command)).Output;

    private static async Task<(int Code, string Output, string Error)> RunAsync(string command)
    {
        var start = new ProcessStartInfo("bash") { ArgumentList = { "-c", "set -o pipefail; " + command }, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _daemon?.Dispose();
        Client.Dispose();
    }
}
