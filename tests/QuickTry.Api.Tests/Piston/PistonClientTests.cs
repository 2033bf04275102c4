using System.Text.Json;

namespace QuickTry.Api.Tests.Piston;

/// <summary>
/// The real <c>piston-client</c> npm package (pinned in PistonClient/package-lock.json, unchanged) run by
/// Node.js against the API on a real port, in front of the real executor.
/// </summary>
[Collection(PistonStackCollection.Name)]
public sealed class PistonClientTests(PistonStack stack)
{
    private static readonly string Folder = Path.Combine(Repository.Root, "tests", "QuickTry.Api.Tests", "Piston", "PistonClient");

    [Fact]
    public async Task Piston_client_lists_runtimes_and_runs_an_interpreted_and_a_compiled_language()
    {
        await NodeScripts.NpmCiWhenStaleAsync(Folder);

        var printed = await NodeScripts.RunAsync(Folder, "node", ["script.mjs", stack.BaseUrl], TimeSpan.FromMinutes(3));
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
}
