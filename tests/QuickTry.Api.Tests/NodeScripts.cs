using System.Diagnostics;

namespace QuickTry.Api.Tests;

/// <summary>Real npm clients (piston-client, the MCP TypeScript SDK), each in a folder of its own with a pinned lock file, run by Node.js.</summary>
public static class NodeScripts
{
    /// <summary><c>npm ci</c> in <paramref name="folder"/> only when node_modules is missing or older than the lock file (as npm records it).</summary>
    public static async Task NpmCiWhenStaleAsync(string folder)
    {
        var installed = Path.Combine(folder, "node_modules", ".package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(folder, "package-lock.json")))
        {
            return;
        }
        await RunAsync(folder, "npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5));
    }

    /// <summary>Runs <paramref name="program"/> in <paramref name="folder"/>; its stdout, or a failed assertion with its stderr.</summary>
    public static async Task<string> RunAsync(string folder, string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
        return await stdout;
    }
}
