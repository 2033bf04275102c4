using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace QuickTry.Testing;

/// <summary>
/// A real redis-server (Debian's, installed by scripts/test-services.sh) on a free loopback port,
/// owned by one fixture so a test may stop it without disturbing the others.
/// </summary>
/// <param name="durable">
/// Keep an append-only file (fsync every second) in a directory of its own, as QuickTry's deployments do,
/// so a Redis killed and started again comes back with what it had; otherwise it keeps nothing.
/// </param>
public sealed class RedisServer(bool durable = false) : IAsyncDisposable
{
    private Process? _process;
    private readonly string? _dataDirectory = durable ? Directory.CreateTempSubdirectory("quicktry-redis-").FullName : null;

    public int Port { get; } = FreePort();
    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (_dataDirectory is null)
        {
            start.ArgumentList.Add("--appendonly");
            start.ArgumentList.Add("no");
        }
        else
        {
            foreach (var argument in new[] { "--appendonly", "yes", "--appendfsync", "everysec", "--dir", _dataDirectory })
            {
                start.ArgumentList.Add(argument);
            }
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await Eventually.HoldsAsync($"redis-server listening on {Port}", async () =>
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }

    /// <summary>Kills it (SIGKILL, as a crash): nothing is flushed or saved on the way out.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>
    /// A copy of what Redis's files hold on disk now. <see cref="CrashLosingWritesSinceAsync"/> puts it back:
    /// what a machine that loses power leaves, when the last writes were still in the page cache (Redis
    /// fsyncs once a second; a Redis process that dies alone loses nothing it had written).
    /// </summary>
    public string CopyDisk()
    {
        var source = _dataDirectory ?? throw new InvalidOperationException("Only a durable Redis has files to copy.");
        var copy = Directory.CreateTempSubdirectory("quicktry-redis-disk-").FullName;
        CopyTree(source, copy);
        return copy;
    }

    /// <summary>Kills Redis, puts back the files of <paramref name="copy"/> (every write since it is gone) and starts it again.</summary>
    public async Task CrashLosingWritesSinceAsync(string copy)
    {
        await StopAsync();
        Directory.Delete(_dataDirectory!, recursive: true);
        Directory.CreateDirectory(_dataDirectory!);
        CopyTree(copy, _dataDirectory!);
        Directory.Delete(copy, recursive: true);
        await StartAsync();
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        if (_dataDirectory is not null)
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
