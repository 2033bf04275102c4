using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;

namespace QuickTry.AppHost.Tests;

/// <summary>
/// deploy/compose.yaml as <c>scripts/compose.sh up</c> starts it: service images built from this repository,
/// Redis, two API replicas and two executors on this host's engine, all through the run queue.
/// </summary>
public sealed class ComposeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly string Repository = FindRepository();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        // No warm pools: the test runs only python3 and bash, whose sandboxes start on demand; one per language
        // version and executor (212 containers) made the stack's start and stop take minutes on two cores.
        var (code, log) = await ComposeAsync("up", TimeSpan.FromMinutes(12), ("QUICKTRY_WARM_PER_LANGUAGE", "0"));
        output.WriteLine($"compose.sh up: exit {code} in {clock.Elapsed.TotalSeconds:0} s");
        Assert.True(code == 0, log);
    }

    public async Task DisposeAsync()
    {
        var (code, log) = await ComposeAsync("down", TimeSpan.FromMinutes(3));
        Assert.True(code == 0, log);
    }

    [Fact]
    public async Task Two_api_replicas_and_two_executors_share_one_queue()
    {
        using var api1 = new HttpClient { BaseAddress = new Uri("http://localhost:8081"), Timeout = TimeSpan.FromSeconds(60) };
        using var api2 = new HttpClient { BaseAddress = new Uri("http://localhost:8082"), Timeout = TimeSpan.FromSeconds(60) };
        foreach (var api in new[] { api1, api2 })
        {
            var response = await api.PostAsJsonAsync("/run", new { lang = "python3", code = "print(6*7)" });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("42\n", JsonDocument.Parse(body).RootElement.GetProperty("stdout").GetString());
        }

        // A burst through both replicas is spread over both executors (each has 2 × cores slots).
        var burst = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            (i % 2 == 0 ? api1 : api2).PostAsJsonAsync("/run", new { lang = "python3", code = "import time; time.sleep(1); print('ok')" })));
        var executors = new List<string>();
        foreach (var response in burst)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            executors.Add(JsonDocument.Parse(body).RootElement.GetProperty("executor").GetString()!);
        }
        output.WriteLine(string.Join(", ", executors.GroupBy(e => e.Split('-')[..2].Aggregate((a, b) => a + "-" + b)).Select(g => $"{g.Key}: {g.Count()}")));
        Assert.Contains(executors, e => e.StartsWith("executor-1-"));
        Assert.Contains(executors, e => e.StartsWith("executor-2-"));

        // A submission made through one replica is read through the other: the state lives in Redis.
        var submitted = await api1.PostAsJsonAsync("/submissions", new { lang = "bash", code = "echo submitted" });
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(Json)).GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement view;
        do
        {
            await Task.Delay(200);
            view = await api2.GetFromJsonAsync<JsonElement>($"/submissions/{id}", Json);
        }
        while (view.GetProperty("status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);
        Assert.Equal("done", view.GetProperty("status").GetString());
        Assert.Equal("submitted\n", view.GetProperty("result").GetProperty("stdout").GetString());

        // Redis keeps an append-only file (what a crash can lose is at most the last second of writes).
        var (code, appendOnly) = await ComposeAsync("exec -T redis redis-cli config get appendonly", TimeSpan.FromSeconds(30));
        Assert.True(code == 0, appendOnly);
        Assert.EndsWith("yes", appendOnly.Trim());
    }

    private static async Task<(int Code, string Log)> ComposeAsync(string command, TimeSpan timeout, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash") { ArgumentList = { Path.Combine(Repository, "scripts", "compose.sh") }, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command.Split(' '))
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuickTry.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("QuickTry.sln not found");
    }
}
