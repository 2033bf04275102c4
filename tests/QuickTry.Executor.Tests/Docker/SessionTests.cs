using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Docker.DotNet;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Sessions on the real engine: a sandbox of the caller's own whose files last between runs, nothing of it
/// shared with another session, paths that cannot leave it, ends that remove the sandbox.
/// </summary>
[Collection(DockerCollection.Name)]
public class SessionTests(ExecutorFixture executor)
{
    private HttpClient Client => executor.Client;

    private async Task<SessionInfo> OpenAsync(string lang = "bash", int? idleTimeoutSeconds = null, int? maxLifeSeconds = null)
    {
        var response = await Client.PostAsJsonAsync(maxLifeSeconds is null ? "/sessions" : $"/sessions?maxLifeSeconds={maxLifeSeconds}",
            new SessionRequest { Lang = lang, IdleTimeoutSeconds = idleTimeoutSeconds }, ExecutorFixture.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"HTTP {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<SessionInfo>(body, ExecutorFixture.Json)!;
    }

    private async Task<RunResult> RunAsync(string id, string code, IReadOnlyList<RunFile?>? files = null)
    {
        var response = await Client.PostAsJsonAsync($"/sessions/{id}/run", new SessionRunRequest { Code = code, Files = files }, ExecutorFixture.Json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<RunResult>(body, ExecutorFixture.Json)!;
    }

    private async Task<bool> SandboxExistsAsync(string sessionId) =>
        (await executor.OurContainersAsync()).Any(c => c.Labels.TryGetValue(SandboxLabels.Session, out var id) && id == sessionId);

    [Fact]
    public async Task Files_last_between_runs_and_reach_the_api_both_ways()
    {
        var session = await OpenAsync();
        try
        {
            var first = await RunAsync(session.Id, "echo 41 > state.txt; mkdir -p data; echo hello > data/note.txt; echo wrote");
            Assert.Equal(RunStatus.Ok, first.Status);
            var second = await RunAsync(session.Id, "echo $(( $(cat state.txt) + 1 ))");
            Assert.Equal("42\n", second.Stdout);

            // Written by a run, read through the API.
            Assert.Equal("hello\n", await Client.GetStringAsync($"/sessions/{session.Id}/files/data/note.txt"));
            // Written through the API, read by a run.
            var put = await Client.PutAsync($"/sessions/{session.Id}/files/input/numbers.csv", new ByteArrayContent("1,2,3\n"u8.ToArray()));
            Assert.Equal(HttpStatusCode.NoContent, put.StatusCode);
            var third = await RunAsync(session.Id, "IFS=, read -r a b c < input/numbers.csv; echo $((a + b + c))");
            Assert.Equal("6\n", third.Stdout);

            var files = await Client.GetFromJsonAsync<List<SessionFile>>($"/sessions/{session.Id}/files", ExecutorFixture.Json);
            Assert.Contains(new SessionFile("state.txt", 3), files!);
            Assert.Contains(new SessionFile("input/numbers.csv", 6), files!);
            Assert.Contains(new SessionFile("data/note.txt", 6), files!);

            var missing = await Client.GetAsync($"/sessions/{session.Id}/files/nothing-here.txt");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        finally
        {
            await Client.DeleteAsync($"/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task Two_sessions_see_nothing_of_each_other()
    {
        var a = await OpenAsync();
        var b = await OpenAsync();
        try
        {
            var planted = await RunAsync(a.Id, """
                echo secret > mine.txt; echo secret > /tmp/mine-tmp; ipcmk -M 4096 >/dev/null
                (sleep 300 &) ; id -u; ipcs -m | grep -c '^0x' || true
                """);
            Assert.Equal(RunStatus.Ok, planted.Status);
            var uidA = planted.Stdout.Split('\n')[0];

            var look = await RunAsync(b.Id, """
                id -u; ls -A /box /tmp | tr '\n' ' '; echo; ipcs -m | grep -c '^0x' || true; cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^sleep$' || true
                """);
            var lines = look.Stdout.Split('\n');
            Assert.NotEqual(uidA, lines[0]);
            Assert.DoesNotContain("mine", lines[1]);
            Assert.Equal("0", lines[2]);
            Assert.Equal("0", lines[3]);
            var notThere = await Client.GetAsync($"/sessions/{b.Id}/files/mine.txt");
            Assert.Equal(HttpStatusCode.NotFound, notThere.StatusCode);

            // In its own session the files stay, but no process of an earlier run does.
            var again = await RunAsync(a.Id, "cat mine.txt /tmp/mine-tmp; cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^sleep$' || true");
            Assert.Equal("secret\nsecret\n0\n", again.Stdout);
        }
        finally
        {
            await Client.DeleteAsync($"/sessions/{a.Id}");
            await Client.DeleteAsync($"/sessions/{b.Id}");
        }
    }

    [Fact]
    public async Task Paths_cannot_leave_the_session_and_the_disk_quota_holds()
    {
        var session = await OpenAsync();
        try
        {
            await RunAsync(session.Id, "ln -s /etc/passwd passwd-link; ln -s /etc etc-link; ln -s /tmp tmp-link");
            foreach (var path in new[] { "passwd-link", "etc-link/hostname" })
            {
                var read = await Client.GetAsync($"/sessions/{session.Id}/files/{path}");
                Assert.Equal(HttpStatusCode.BadRequest, read.StatusCode);
                Assert.Contains("outside", await read.Content.ReadAsStringAsync());
            }
            var write = await Client.PutAsync($"/sessions/{session.Id}/files/tmp-link/x", new ByteArrayContent("x"u8.ToArray()));
            Assert.Equal(HttpStatusCode.BadRequest, write.StatusCode);
            var overLink = await Client.PutAsync($"/sessions/{session.Id}/files/passwd-link", new ByteArrayContent("x"u8.ToArray()));
            Assert.Equal(HttpStatusCode.BadRequest, overLink.StatusCode);
            foreach (var path in new[] { "a/../../etc/passwd", "%2Fetc%2Fpasswd", "a/./b" })
            {
                var bad = await Client.GetAsync($"/sessions/{session.Id}/files/{path}");
                Assert.True(bad.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {(int)bad.StatusCode}");
                Assert.NotEqual(HttpStatusCode.OK, bad.StatusCode);
            }
            var check = await RunAsync(session.Id, "ls /tmp | wc -l");
            Assert.Equal("0\n", check.Stdout);

            // More than the session's disk (64 MiB by default) does not fit; nothing of it stays.
            var huge = new byte[(session.DiskBytes + 1024 * 1024)];
            var full = await Client.PutAsync($"/sessions/{session.Id}/files/huge.bin", new ByteArrayContent(huge));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, full.StatusCode);
            var files = await Client.GetFromJsonAsync<List<SessionFile>>($"/sessions/{session.Id}/files", ExecutorFixture.Json);
            Assert.DoesNotContain(files!, f => f.Path == "huge.bin");
        }
        finally
        {
            await Client.DeleteAsync($"/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task A_closed_or_idle_session_is_gone_with_its_sandbox()
    {
        var closed = await OpenAsync();
        Assert.True(await SandboxExistsAsync(closed.Id));
        Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/sessions/{closed.Id}")).StatusCode);
        Assert.False(await SandboxExistsAsync(closed.Id));
        var afterClose = await Client.PostAsJsonAsync($"/sessions/{closed.Id}/run", new SessionRunRequest { Code = "echo hi" }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.Gone, afterClose.StatusCode);
        Assert.Contains("\"reason\":\"closed\"", await afterClose.Content.ReadAsStringAsync());

        var idle = await OpenAsync(idleTimeoutSeconds: 1);
        await Eventually.ReturnsAsync("the idle session's sandbox removed", () => SandboxExistsAsync(idle.Id), exists => !exists, TimeSpan.FromSeconds(15));
        var afterIdle = await Client.GetAsync($"/sessions/{idle.Id}/files");
        Assert.Equal(HttpStatusCode.Gone, afterIdle.StatusCode);
        Assert.Contains("\"reason\":\"idle_timeout\"", await afterIdle.Content.ReadAsStringAsync());

        // The end of its life comes whatever its calls: a session kept busy still ends.
        var brief = await OpenAsync(maxLifeSeconds: 2);
        Assert.Equal(executor.Runtime, brief.Runtime);
        await Eventually.ReturnsAsync("the session at the end of its life gone", async () =>
        {
            var response = await Client.GetAsync($"/sessions/{brief.Id}/files");
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode == HttpStatusCode.Gone, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(300));
        var afterLife = await Client.GetAsync($"/sessions/{brief.Id}");
        Assert.Contains("\"reason\":\"max_life\"", await afterLife.Content.ReadAsStringAsync());
        await Eventually.ReturnsAsync("the ended session's sandbox removed", () => SandboxExistsAsync(brief.Id), exists => !exists, TimeSpan.FromSeconds(15));

        var unknown = await Client.GetAsync($"/sessions/{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Session_limits_are_refused_by_name()
    {
        var tooIdle = await Client.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash", IdleTimeoutSeconds = 100_000 }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, tooIdle.StatusCode);
        Assert.Contains("idleTimeoutSeconds", await tooIdle.Content.ReadAsStringAsync());
        var noLanguage = await Client.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "no-such-language" }, ExecutorFixture.Json);
        Assert.Equal(HttpStatusCode.BadRequest, noLanguage.StatusCode);

        var session = await OpenAsync();
        try
        {
            var memory = await Client.PostAsJsonAsync($"/sessions/{session.Id}/run",
                new SessionRunRequest { Code = "echo hi", Limits = new RequestedLimits { MemoryMb = 512 } }, ExecutorFixture.Json);
            Assert.Equal(HttpStatusCode.BadRequest, memory.StatusCode);
            Assert.Contains("limits.memoryMb", await memory.Content.ReadAsStringAsync());
            // A run's own limits hold inside a session, and the session goes on after it.
            var slow = await Client.PostAsJsonAsync($"/sessions/{session.Id}/run",
                new SessionRunRequest { Code = "sleep 5", Limits = new RequestedLimits { TimeMs = 300 } }, ExecutorFixture.Json);
            var timedOut = (await slow.Content.ReadFromJsonAsync<RunResult>(ExecutorFixture.Json))!;
            Assert.Equal(RunStatus.Timeout, timedOut.Status);
            Assert.Equal("still here\n", (await RunAsync(session.Id, "echo still here")).Stdout);
        }
        finally
        {
            await Client.DeleteAsync($"/sessions/{session.Id}");
        }
    }

    [Fact]
    public async Task Past_its_most_sessions_the_executor_refuses_one_more_with_retry_after()
    {
        var open = new List<SessionInfo>();
        try
        {
            // Executor:Sessions:MaxSessions, 8 by default; no other test of the collection holds one now.
            for (var i = 0; i < 8; i++)
            {
                open.Add(await OpenAsync());
            }
            var refused = await Client.PostAsJsonAsync("/sessions", new SessionRequest { Lang = "bash" }, ExecutorFixture.Json);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("most sessions", await refused.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.NoContent, (await Client.DeleteAsync($"/sessions/{open[0].Id}")).StatusCode);
            open.RemoveAt(0);
            open.Add(await OpenAsync());
        }
        finally
        {
            foreach (var session in open)
            {
                await Client.DeleteAsync($"/sessions/{session.Id}");
            }
        }
    }

    [Fact]
    public async Task A_figure_comes_back_as_an_artifact_from_a_run_and_from_a_session()
    {
        const string plot = """
            import os
            import matplotlib.pyplot as plt
            os.makedirs("out", exist_ok=True)
            plt.plot([1, 4, 9, 16])
            plt.title("squares")
            plt.savefig("out/squares.png")
            print("saved")
            """;
        var run = await executor.RunAsync(new RunRequest { Lang = "python3", Code = plot, Limits = new RequestedLimits { TimeMs = 10_000 } });
        Assert.Equal(RunStatus.Ok, run.Status);
        var figure = Assert.Single(run.Artifacts!);
        Assert.Equal(("squares.png", "image/png"), (figure.Path, figure.MimeType));
        var png = Convert.FromBase64String(figure.Data);
        Assert.Equal(figure.Size, png.Length);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // In a session out/ keeps its files; a run returns those it wrote.
        var session = await OpenAsync("python3");
        try
        {
            var first = await RunAsync(session.Id, plot);
            Assert.Equal("squares.png", Assert.Single(first.Artifacts!).Path);
            var second = await RunAsync(session.Id, "open('out/notes.txt', 'w').write('two')");
            var notes = Assert.Single(second.Artifacts!);
            Assert.Equal(("notes.txt", "text/plain", "two"), (notes.Path, notes.MimeType, Encoding.UTF8.GetString(Convert.FromBase64String(notes.Data))));
            var third = await RunAsync(session.Id, "print('nothing new')");
            Assert.Null(third.Artifacts);
        }
        finally
        {
            await Client.DeleteAsync($"/sessions/{session.Id}");
        }

        // Past the cap the result says so, and keeps the files that fit whole.
        var big = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "import os\nos.makedirs('out')\nopen('out/a.txt','w').write('a')\nopen('out/b.bin','wb').write(os.urandom(200000))",
            Limits = new RequestedLimits { ArtifactBytes = 100_000 },
        });
        Assert.True(big.ArtifactsTruncated);
        Assert.DoesNotContain(big.Artifacts ?? [], a => a.Path == "b.bin");
        Assert.Contains("artifact limit", big.Message);
    }
}

/// <summary>The same sessions with every sandbox under gVisor: the session's sandbox gets the runtime too.</summary>
[Collection(GVisorCollection.Name)]
public class SessionTestsUnderGVisor(GVisorExecutorFixture executor) : SessionTests(executor);
