using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QuickTry.Api.Tests.Queue;

namespace QuickTry.Api.Tests.Sessions;

/// <summary>
/// Sessions through the gateway (real Redis, the real executor on the real engine): a caller's own sandbox
/// whose files and Python state last between runs, unreachable by anyone else, bounded by the plan, billed.
/// </summary>
public sealed class SessionApiTests(SessionApiTests.Stack stack) : IClassFixture<SessionApiTests.Stack>
{
    public const string BobKey = "bob-test-key-0123456789ab";
    public const string CarolKey = "carol-one-run-key-0123456789";

    public sealed class Stack() : LoopbackStack("sessions", ["bash", "python3"], new()
    {
        ["Clients:Plans:anonymous:MaxSessions"] = "0",
        ["Clients:Plans:standard:MaxSessions"] = "2",
        ["Clients:ApiKeys:1:Name"] = "bob",
        ["Clients:ApiKeys:1:Key"] = BobKey,
        ["Clients:ApiKeys:1:Plan"] = "standard",
        // One run a window: once it is used, no session opens either.
        ["Clients:Plans:onerun:RunsPerWindow"] = "1",
        ["Clients:ApiKeys:2:Name"] = "carol",
        ["Clients:ApiKeys:2:Key"] = CarolKey,
        ["Clients:ApiKeys:2:Plan"] = "onerun",
        ["Gateway:Sessions:MaxFileBytes"] = "1048576",
    });

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static async Task<SessionInfo> OpenAsync(HttpClient http, string lang, string? version = null)
    {
        var response = await http.PostAsJsonAsync("/sessions", new SessionRequest { Lang = lang, Version = version }, Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"HTTP {(int)response.StatusCode}: {body}");
        Assert.Equal($"/sessions/{JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        return JsonSerializer.Deserialize<SessionInfo>(body, Json)!;
    }

    private static async Task<RunResult> RunAsync(HttpClient http, string id, string code)
    {
        var response = await http.PostAsJsonAsync($"/sessions/{id}/run", new SessionRunRequest { Code = code }, Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<RunResult>(body, Json)!;
    }

    [Fact]
    public async Task A_python_session_keeps_its_variables_files_and_figures_and_ends_when_closed()
    {
        using var http = stack.CreateClient(ApiFactory.AliceKey);
        var client = new QuickTryClient(http, ApiFactory.AliceKey);
        var quotaBefore = await client.GetQuotaAsync();
        var session = await OpenAsync(http, "python");
        Assert.StartsWith("python3", session.Lang);
        Assert.True(session.Stateful);

        var first = await RunAsync(http, session.Id, "x = 1\nopen('data.txt', 'w').write('kept')");
        Assert.Equal(RunStatus.Ok, first.Status);
        var second = await RunAsync(http, session.Id, "x += 1\nx");
        Assert.Equal(RunStatus.Ok, second.Status);
        Assert.Contains(new RichOutput("text/plain", "2"), second.Outputs!);

        // A file the kernel wrote, read through the API; one written through the API, read by the kernel.
        Assert.Equal("kept", await http.GetStringAsync($"/sessions/{session.Id}/files/data.txt"));
        var put = await http.PutAsync($"/sessions/{session.Id}/files/in/numbers.txt", new StringContent("1 2 3"));
        Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
        var sum = await RunAsync(http, session.Id, "print(sum(int(n) for n in open('in/numbers.txt').read().split()))");
        Assert.Equal("6\n", sum.Stdout);
        var files = await http.GetFromJsonAsync<List<SessionFile>>($"/sessions/{session.Id}/files", Json);
        Assert.Contains(new SessionFile("in/numbers.txt", 5), files!);

        // A figure comes back as an image; an exception as the cell's error, the state surviving it.
        var figure = await RunAsync(http, session.Id, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()");
        var png = Convert.FromBase64String(Assert.Single(figure.Outputs!, o => o.MimeType == "image/png").Data);
        Assert.Equal((byte)0x89, png[0]);
        var error = await RunAsync(http, session.Id, "1 / 0");
        Assert.Equal(RunStatus.RuntimeError, error.Status);
        Assert.Contains("ZeroDivisionError", error.Stderr);
        Assert.Contains(new RichOutput("text/plain", "2"), (await RunAsync(http, session.Id, "x")).Outputs!);

        // Runs are billed as runs.
        var quotaAfter = await client.GetQuotaAsync();
        Assert.True(quotaAfter.Runs.Used - quotaBefore.Runs.Used >= 6, $"{quotaBefore.Runs.Used} → {quotaAfter.Runs.Used}");

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/sessions/{session.Id}")).StatusCode);
        var gone = await http.PostAsJsonAsync($"/sessions/{session.Id}/run", new SessionRunRequest { Code = "x" }, Json);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var problem = await gone.Content.ReadFromJsonAsync<JsonElement>(Json);
        Assert.Equal("closed", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_kernel_that_dies_is_reported_and_the_next_run_has_a_new_one_with_the_files_kept()
    {
        using var http = stack.CreateClient(ApiFactory.AliceKey);
        // Debian 12's Python and Jupyter (the other test has 3.13's, from Debian 13).
        var session = await OpenAsync(http, "python3", "3.11");
        Assert.Equal("python3", session.Lang);
        try
        {
            var first = await RunAsync(http, session.Id, "import sys\ny = 41\nopen('note.txt', 'w').write('still here')\nsys.version_info[:2]");
            Assert.Contains(new RichOutput("text/plain", "(3, 11)"), first.Outputs!);
            Assert.Equal(("python3", session.Version), (first.Lang, first.Version));
            var crash = await RunAsync(http, session.Id, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)");
            Assert.Equal(RunStatus.RuntimeError, crash.Status);
            Assert.Contains("kernel", crash.Message);
            var after = await RunAsync(http, session.Id, "print(open('note.txt').read())\n'y' in globals()");
            Assert.Equal(RunStatus.Ok, after.Status);
            Assert.Equal("still here\n", after.Stdout);
            Assert.Contains(new RichOutput("text/plain", "False"), after.Outputs!);

            // A cell past its time limit ends its kernel; the session goes on.
            var slow = await http.PostAsJsonAsync($"/sessions/{session.Id}/run",
                new SessionRunRequest { Code = "import time\ntime.sleep(30)", Limits = new RequestedLimits { TimeMs = 500 } }, Json);
            Assert.Equal(RunStatus.Timeout, (await slow.Content.ReadFromJsonAsync<RunResult>(Json))!.Status);
            Assert.Equal("ok\n", (await RunAsync(http, session.Id, "print('ok')")).Stdout);
        }
        finally
        {
            await http.DeleteAsync($"/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task Nobody_else_reaches_a_session_and_the_plan_bounds_how_many_are_open()
    {
        using var alice = stack.CreateClient(ApiFactory.AliceKey);
        using var bob = stack.CreateClient(BobKey);
        using var anonymous = stack.CreateClient();

        var refused = await anonymous.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash" }, Json);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        var first = await OpenAsync(bob, "bash");
        var second = await OpenAsync(bob, "bash");
        try
        {
            await RunAsync(bob, first.Id, "echo private > secret.txt");
            // Someone else's session is no session at all.
            Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/sessions/{first.Id}/files/secret.txt")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.PostAsJsonAsync($"/sessions/{first.Id}/run", new SessionRunRequest { Code = "ls" }, Json)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync($"/sessions/{first.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/sessions/{first.Id}")).StatusCode);

            // The plan's third session waits for one of the two to end.
            var third = await bob.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash" }, Json);
            Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
            Assert.NotNull(third.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.NoContent, (await bob.DeleteAsync($"/sessions/{second.Id}")).StatusCode);
            var again = await OpenAsync(bob, "bash");
            await bob.DeleteAsync($"/sessions/{again.Id}");

            // Bad input is a 400 naming the field; the path rule holds at the gateway.
            var badLanguage = await bob.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "cobol-2099" }, Json);
            Assert.Equal(HttpStatusCode.BadRequest, badLanguage.StatusCode);
            var badPath = await bob.GetAsync($"/sessions/{first.Id}/files/bad%01name");
            Assert.True(badPath.StatusCode == HttpStatusCode.BadRequest, $"{(int)badPath.StatusCode}: {await badPath.Content.ReadAsStringAsync()}");
            var hugeFile = await bob.PutAsync($"/sessions/{first.Id}/files/big.bin", new ByteArrayContent(new byte[2 * 1024 * 1024]));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, hugeFile.StatusCode);
            Assert.Contains("Gateway:Sessions:MaxFileBytes", await hugeFile.Content.ReadAsStringAsync());
            var tooBig = await bob.PostAsJsonAsync($"/sessions/{first.Id}/run",
                new SessionRunRequest { Code = "true", Limits = new RequestedLimits { TimeMs = 999_999 } }, Json);
            Assert.Equal(HttpStatusCode.BadRequest, tooBig.StatusCode);
            Assert.Contains("limits.timeMs", await tooBig.Content.ReadAsStringAsync());
        }
        finally
        {
            await bob.DeleteAsync($"/sessions/{first.Id}");
            await bob.DeleteAsync($"/sessions/{second.Id}");
        }
    }

    [Fact]
    public async Task A_spent_quota_refuses_a_session_and_its_runs_with_when_it_resets()
    {
        using var carol = stack.CreateClient(CarolKey);
        var session = await OpenAsync(carol, "bash");
        try
        {
            Assert.Equal("one\n", (await RunAsync(carol, session.Id, "echo one")).Stdout);
            var second = await carol.PostAsJsonAsync($"/sessions/{session.Id}/run", new SessionRunRequest { Code = "echo two" }, Json);
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.NotNull(second.Headers.RetryAfter);
            Assert.Contains("Quota exhausted", await second.Content.ReadAsStringAsync());
            var another = await carol.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash" }, Json);
            Assert.Equal(HttpStatusCode.TooManyRequests, another.StatusCode);
            Assert.Contains("Quota exhausted", await another.Content.ReadAsStringAsync());
        }
        finally
        {
            await carol.DeleteAsync($"/sessions/{session.Id}");
        }
    }
}

/// <summary>A session whose executor dies: its next call is 410 naming why, wherever the gateway is.</summary>
[Collection(QueueCollection.Name)]
public sealed class SessionExecutorLossTests : IAsyncLifetime
{
    private readonly QueueStack _stack = new();

    public Task InitializeAsync() => _stack.StartRedisAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task A_session_whose_executor_died_is_gone_with_the_reason()
    {
        var executor = await _stack.StartExecutorAsync(QueueStack.MainEngine, slots: 1, queueLength: 0,
            new() { ["Executor__Pool__WarmByLanguage__bash"] = "1" });
        var client = _stack.StartApi("http://127.0.0.1:9");
        await _stack.WaitForExecutorsAsync(1, QueueStack.AnnounceTimeout);

        var created = await client.PostAsync("/sessions", QueueStack.JsonContent(new { lang = "bash" }));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await QueueStack.BodyAsync(created)).GetProperty("id").GetString()!;
        var ran = await client.PostAsync($"/sessions/{id}/run", QueueStack.JsonContent(new { code = "echo alive" }));
        Assert.Equal("alive\n", (await QueueStack.BodyAsync(ran)).GetProperty("stdout").GetString());

        await executor.KillAsync();
        // Until its heartbeat lapses the gateway cannot tell a dead executor from a slow one (503); then 410.
        var answer = await Eventually.ReturnsAsync("the session gone once its executor's heartbeat lapsed", async () =>
        {
            var response = await client.PostAsync($"/sessions/{id}/run", QueueStack.JsonContent(new { code = "echo alive" }));
            Assert.True(response.StatusCode is HttpStatusCode.Gone or HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, a => a.StatusCode == HttpStatusCode.Gone, TimeSpan.FromSeconds(20));
        Assert.Contains("\"reason\":\"executor_stopped\"", answer.Item2);
        // Every later call says the same, without trying the dead executor again.
        var later = await client.GetAsync($"/sessions/{id}/files");
        Assert.Equal(HttpStatusCode.Gone, later.StatusCode);
    }
}

/// <summary>An executor that stops (as a deployment stops it) ends its sessions and removes their sandboxes first.</summary>
public sealed class SessionExecutorStopTests
{
    [Fact]
    public async Task A_stopping_executor_removes_its_sessions_sandboxes()
    {
        var instance = "test-session-stop-" + Guid.NewGuid().ToString("N")[..8];
        var executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = instance,
            ["Executor:Pool:WarmPerLanguage"] = "0",
        });
        await using (executor)
        {
            await executor.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            using var http = new HttpClient { BaseAddress = new Uri(executor.Url), Timeout = TimeSpan.FromSeconds(60) };
            var created = await http.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash" });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var id = (await created.Content.ReadFromJsonAsync<SessionInfo>())!.Id;
            using var docker = new Docker.DotNet.DockerClientConfiguration(new Uri(QueueStack.MainEngine)).CreateClient();
            Assert.Contains(await Faults.ExecutorProcess.ContainersOfAsync(docker, instance), c => c.Labels["quicktry.session"] == id);

            // Stopping the host (as SIGTERM would) ends the session before the process goes.
            await executor.DisposeAsync();
            Assert.DoesNotContain(await Faults.ExecutorProcess.ContainersOfAsync(docker, instance),
                c => c.Labels.TryGetValue("quicktry.session", out var session) && session == id);
        }
    }
}
