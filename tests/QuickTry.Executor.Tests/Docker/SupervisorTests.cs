using System.Formats.Tar;
using System.Text;
using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Protocol;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// The compiled supervisor (docker-images/base/supervisor.c) fed jobs by hand, as only a broken or hostile
/// executor would send them, and its figures checked against workloads of known size.
/// </summary>
[Collection(DockerCollection.Name)]
public class SupervisorTests(ExecutorFixture executor)
{
    private const string Program = "echo \"ran-as $(id -u)\"\n";

    public static TheoryData<string> MalformedJobs => [.. Malformed().Keys];

    [Theory]
    [MemberData(nameof(MalformedJobs))]
    public async Task A_malformed_or_oversized_job_is_refused_before_anything_runs(string name)
    {
        var (exitCode, stdout, stderr) = await SendAsync(Malformed()[name](ValidJob()));

        // Refused: the container ends with "no readable job" and nothing of the job ran, as any uid.
        Assert.Equal(121, exitCode);
        Assert.DoesNotContain("ran-as", stdout);
        Assert.DoesNotContain("\u001eQTE", stdout);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Randomly_damaged_jobs_are_refused_or_run_as_the_runs_uid_never_as_root()
    {
        var valid = ValidJob();
        var random = new Random(20261206);
        var damaged = Enumerable.Range(0, 40).Select(_ =>
        {
            var job = (byte[])valid.Clone();
            // Most damage lands in the header line and the first archive headers, where parsing happens.
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                var at = random.Next(0, Math.Min(job.Length, 1600));
                job[at] = (byte)random.Next(0, 256);
            }
            return job;
        }).ToList();

        var outcomes = new List<(long ExitCode, string Stdout)>();
        foreach (var chunk in damaged.Chunk(4))
        {
            foreach (var (exitCode, stdout, _) in await Task.WhenAll(chunk.Select(SendAsync)))
            {
                outcomes.Add((exitCode, stdout));
            }
        }

        foreach (var (exitCode, stdout) in outcomes)
        {
            // A slot with no further job ends with 121 either way; a job that ran reports its end.
            Assert.Equal(121, exitCode);
            Assert.DoesNotContain("ran-as 0\n", stdout);
            if (stdout.Contains("ran-as"))
            {
                Assert.Contains("\u001eQTE", stdout);
            }
        }
        // The valid job itself runs, as the slot's first uid.
        var (_, validStdout, _) = await SendAsync(valid);
        Assert.StartsWith($"ran-as {FirstUid}\n", validStdout);
    }

    private const int FirstUid = 4_000_000;

    /// <summary>A job as the executor builds it: bash printing the uid it runs as.</summary>
    private byte[] ValidJob()
    {
        var validator = executor.Factory.Services.GetRequiredService<RunValidator>();
        Assert.True(validator.TryPrepare(new RunRequest { Lang = "bash", Code = Program }, out var run, out _));
        return RunPayload.Build(run, "fuzz-nonce", 1024, perUidProcesses: 64);
    }

    private static Dictionary<string, Func<byte[], byte[]>> Malformed()
    {
        static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
        static int HeaderLength(byte[] job) => Array.IndexOf(job, (byte)'\n') + 1;
        // The six fields every job has (the valid job also has the optional ones, for its artifacts).
        static string[] Fields(byte[] job) => Encoding.ASCII.GetString(job, 0, HeaderLength(job) - 1).Split(' ')[..6];
        static byte[] WithHeader(byte[] job, string header) => [.. Ascii(header + "\n"), .. job.AsSpan(HeaderLength(job))];
        static byte[] WithArchive(byte[] job, byte[] archive)
        {
            var fields = Fields(job);
            fields[4] = archive.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return [.. Ascii(string.Join(' ', fields) + "\n"), .. archive];
        }
        static byte[] Archive(params TarEntry[] entries)
        {
            using var buffer = new MemoryStream();
            using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var entry in entries)
                {
                    tar.WriteEntry(entry);
                }
            }
            return buffer.ToArray();
        }
        static PaxTarEntry File(string name, string content) =>
            new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };
        // The instructions of a job that would run `bash main.sh`, for archives with one bad entry added.
        static TarEntry[] Instructions() =>
            [File("main.sh", Program), File(".qt/run", "bash\0main.sh\0"), File(".qt/args", ""), File(".qt/stdin", "")];

        return new()
        {
            ["nothing"] = _ => [],
            ["a word"] = _ => Ascii("hello\n"),
            ["five fields"] = job => WithHeader(job, string.Join(' ', Fields(job)[..5])),
            ["ten fields"] = job => WithHeader(job, string.Join(' ', Fields(job)) + " 0 0 0 0"),
            ["an interactive flag of 2"] = job => WithHeader(job, string.Join(' ', Fields(job)) + " 2"),
            ["a negative limit"] = job => WithHeader(job, string.Join(' ', Fields(job).Select((f, i) => i == 3 ? "-1" : f))),
            ["a limit past its digits"] = job => WithHeader(job, string.Join(' ', Fields(job).Select((f, i) => i == 3 ? "99999999999" : f))),
            ["100000 test cases"] = job => WithHeader(job, string.Join(' ', Fields(job)) + " 0 99999"),
            ["a 100-byte nonce"] = job => WithHeader(job, string.Join(' ', Fields(job).Select((f, i) => i == 0 ? new string('n', 100) : f))),
            ["a header line of 1 MB"] = _ => Ascii(new string('7', 1 << 20)),
            ["an archive cut short"] = job => job[..^600],
            ["an archive longer than sent"] = job => WithHeader(job, string.Join(' ', Fields(job).Select((f, i) => i == 4 ? (long.Parse(f) + 4096).ToString() : f))),
            ["a damaged archive checksum"] = job =>
            {
                var copy = (byte[])job.Clone();
                copy[HeaderLength(job) + 10] ^= 0x20;
                return copy;
            },
            ["an absolute path"] = job => WithArchive(job, Archive([.. Instructions(), File("/etc/evil", "x")])),
            ["a path out of the folder"] = job => WithArchive(job, Archive([.. Instructions(), File("a/../../evil", "x")])),
            ["a symbolic link"] = job => WithArchive(job, Archive([.. Instructions(), new PaxTarEntry(TarEntryType.SymbolicLink, "link") { LinkName = "/etc/passwd" }])),
            ["a device"] = job => WithArchive(job, Archive([.. Instructions(), new PaxTarEntry(TarEntryType.CharacterDevice, "null") { DeviceMajor = 1, DeviceMinor = 3 }])),
            ["an unknown instruction"] = job => WithArchive(job, Archive([.. Instructions(), File(".qt/exec", "bash\0-c\0id\0")])),
            ["no run command"] = job => WithArchive(job, Archive(File("main.sh", Program), File(".qt/args", ""), File(".qt/stdin", ""))),
            ["a test case without its input"] = job =>
            {
                var withCase = WithArchive(job, Archive([.. Instructions(), File(".qt/cases/1/args", "")]));
                return WithHeader(withCase, string.Join(' ', Fields(withCase)) + " 0 1");
            },
            ["a test case past the header's count"] = job =>
            {
                var withCases = WithArchive(job, Archive([.. Instructions(), File(".qt/cases/2/args", ""), File(".qt/cases/2/stdin", "")]));
                return WithHeader(withCases, string.Join(' ', Fields(withCases)) + " 0 1");
            },
        };
    }

    /// <summary>Starts a slot as the executor would, sends <paramref name="job"/>, closes stdin and reads everything.</summary>
    private async Task<(long ExitCode, string Stdout, string Stderr)> SendAsync(byte[] job)
    {
        var services = executor.Factory.Services;
        var factory = services.GetRequiredService<SandboxContainerFactory>();
        Assert.True(services.GetRequiredService<LanguageCatalog>().TryFind("bash", out var bash));
        var parameters = factory.Describe(bash, new SandboxKind(Isolation.Slot, executor.Runtime), "supervisor-test",
            FirstUid, maxRuns: 5, memoryMb: 128, pids: 64);
        // Not one of the executor's sandboxes: its pool must neither adopt nor reap this container. Closing
        // our stdin must end the supervisor's, as it does a one-run container's.
        parameters.StdinOnce = true;
        parameters.Labels = new Dictionary<string, string> { [SandboxLabels.Instance] = executor.InstanceName + "-supervisor" };
        var docker = executor.Docker;
        var created = await docker.Containers.CreateContainerAsync(parameters);
        try
        {
            using var stream = await docker.Containers.AttachContainerAsync(created.ID, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true });
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            // Written while the output is read: a supervisor that refuses a job ends without reading the rest.
            var writing = Task.Run(async () =>
            {
                try
                {
                    await stream.WriteAsync(job, 0, job.Length, timeout.Token);
                    stream.CloseWrite();
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
                {
                    // The supervisor refused the job and ended before reading all of it.
                }
            });
            var (stdout, stderr) = await stream.ReadOutputToEndAsync(timeout.Token);
            var exit = await docker.Containers.WaitContainerAsync(created.ID, timeout.Token);
            await timeout.CancelAsync();
            await writing;
            return (exit.StatusCode, stdout, stderr);
        }
        finally
        {
            await docker.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters { Force = true });
        }
    }
}

/// <summary>CPU time and memory as the supervisor measures them, under runc and under gVisor.</summary>
[Collection(DockerCollection.Name)]
public class SupervisorFigureTests(ExecutorFixture executor)
{
    [Fact]
    public async Task Cpu_time_and_memory_match_a_workload_of_known_size()
    {
        // 300 ms of CPU in the program and 300 ms in a child it forks, then 200 MiB written.
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import os, time
                def burn(seconds):
                    end = time.process_time() + seconds
                    while time.process_time() < end:
                        pass
                child = os.fork()
                if child == 0:
                    burn(0.3)
                    os._exit(0)
                burn(0.3)
                os.waitpid(child, 0)
                block = b"\x01" * (200 * 1024 * 1024)
                print(len(block))
                """,
            Limits = new RequestedLimits { MemoryMb = 512, TimeMs = 10_000 },
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.NotNull(result.CpuTimeMs);
        Assert.InRange(result.CpuTimeMs!.Value, 580, 2_000);
        Assert.NotNull(result.MemoryBytes);
        Assert.InRange(result.MemoryBytes!.Value, 200L * 1024 * 1024, 512L * 1024 * 1024);
    }

    [Fact]
    public async Task A_program_that_sleeps_reports_little_cpu_time()
    {
        var result = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "sleep 0.5" });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.NotNull(result.CpuTimeMs);
        Assert.InRange(result.CpuTimeMs!.Value, 0, 200);
        Assert.InRange(result.WallTimeMs, 500, 5_000);
    }
}

[Collection(GVisorCollection.Name)]
public class SupervisorFigureTestsUnderGVisor(GVisorExecutorFixture executor) : SupervisorFigureTests(executor);

/// <summary>The bash runner the supervisor replaced, still serving behind Executor:Sandbox:Supervisor=script.</summary>
public sealed class ScriptSupervisorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => ModeFixtureSettings.With(("Executor:Sandbox:Supervisor", Supervisors.Script));
}

public class ScriptSupervisorTests(ScriptSupervisorFixture executor) : IClassFixture<ScriptSupervisorFixture>
{
    [Fact]
    public async Task The_bash_runner_still_runs_programs_and_wipes_between_them()
    {
        var first = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "echo left > /tmp/left; echo \"uid $(id -u)\"; exit 4" });
        var second = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "ls /tmp; echo \"uid $(id -u)\"" });

        Assert.Equal(RunStatus.RuntimeError, first.Status);
        Assert.Equal(4, first.ExitCode);
        Assert.StartsWith("uid ", first.Stdout);
        Assert.Equal(RunStatus.Ok, second.Status);
        Assert.DoesNotContain("left", second.Stdout);
        Assert.NotEqual(first.Stdout, second.Stdout);
        var running = await executor.OurContainersAsync();
        Assert.NotEmpty(running);
        var inspected = await executor.Docker.Containers.InspectContainerAsync(running[0].ID);
        Assert.Equal("/opt/quicktry/runner", inspected.Path);
    }
}
