using System.Diagnostics;
using System.Text.Json;

namespace QuickTry.Api.Tests.Piston;

/// <summary>
/// The real <c>piston-client</c> npm package (pinned in PistonClient/package-lock.json, unchanged) run by
/// Node.js against the API on a real port, in front of the real executor.
/// </summary>
[Collection(PistonStackCollection.Name)]
public sealed class PistonClientTests(PistonStack stack)
{
    private static readonly string Folder = Path.Combine(RepositoryRoot(), "tests", "QuickTry.Api.Tests", "Piston", "PistonClient");

    [Fact]
    public async Task Piston_client_lists_runtimes_and_runs_an_interpreted_and_a_compiled_language()
    {
        await NpmCiWhenStaleAsync();

        var printed = await RunAsync("node", ["script.mjs", stack.Url], TimeSpan.FromMinutes(3));
        var output = JsonDocument.Parse(printed).RootElement;

        var runtimes = output.GetProperty("runtimes").EnumerateArray().ToList();
        Assert.Contains(runtimes, r => r.GetProperty("language").GetString() == "python");

        var python = output.GetProperty("python");
        Assert.True(python.TryGetProperty("run", out var pythonRun), python.GetRawText());
        Assert.Equal("python", python.GetProperty("language").GetString());
        Assert.Equal("hello from piston-client\n", pythonRun.GetProperty("stdout").GetString());
        Assert.Equal(0, pythonRun.GetProperty("code").GetInt32());

        var c = output.GetProperty("c");
        Assert.True(c.TryGetProperty("compile", out var compile), c.GetRawText());
        Assert.Equal(0, compile.GetProperty("code").GetInt32());
        Assert.Equal("3 args, last 3\n", c.GetProperty("run").GetProperty("stdout").GetString());

        // piston-client finds no runtime by that name, so it sends no version: Piston's message comes back.
        Assert.Equal("version is required as a string", output.GetProperty("unknown").GetProperty("message").GetString());
    }

    /// <summary><c>npm ci</c> only when node_modules is missing or older than the lock file (as npm records it).</summary>
    private static async Task NpmCiWhenStaleAsync()
    {
        var installed = Path.Combine(Folder, "node_modules", ".package-lock.json");
        if (File.Exists(installed) && File.GetLastWriteTimeUtc(installed) >= File.GetLastWriteTimeUtc(Path.Combine(Folder, "package-lock.json")))
        {
            return;
        }
        await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(5));
    }

    private static async Task<string> RunAsync(string program, string[] arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = Folder,
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

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "QuickTry.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException("QuickTry.sln not found above the test assembly");
    }
}
