using System.Diagnostics;
using QuickTry.Executor.Languages;
using QuickTry.Protocol;
using QuickTry.Sandbox.Languages;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>What the sandbox promises, each tried for real in the Docker engine.</summary>
[Collection(DockerCollection.Name)]
public class SandboxTests(ExecutorFixture executor)
{
    /// <summary>A language's versions: unset picks the newest, a prefix the newest it matches, each runs in its own image.</summary>
    [Fact]
    public async Task A_version_runs_in_its_own_image_and_unset_is_the_newest()
    {
        const string code = "import sys; print('%d.%d' % sys.version_info[:2])";
        var newest = await executor.RunAsync(new RunRequest { Lang = "python3", Code = code });
        var older = await executor.RunAsync(new RunRequest { Lang = "py", Version = "3.11", Code = code });
        var byPrefix = await executor.RunAsync(new RunRequest { Lang = "python3", Version = "3", Code = code });

        Assert.Equal(("3.13\n", "python3-3.13"), (newest.Stdout, newest.Lang));
        Assert.StartsWith("3.13.", newest.Version);
        Assert.Equal(("3.11\n", "python3"), (older.Stdout, older.Lang));
        Assert.StartsWith("3.11.", older.Version);
        Assert.Equal("3.13\n", byPrefix.Stdout);
    }

    /// <summary>One program per language family that imports a second file and prints its arguments.</summary>
    public static TheoryData<string, string, string, string> MultiFilePrograms() => new()
    {
        { "python3", "import sys, util\nprint(util.greet(sys.argv[1:]))\n", "util.py", "def greet(args):\n    return 'args: ' + ','.join(args)\n" },
        { "javascript", "const u = require('./util');\nconsole.log(u.greet(process.argv.slice(2)));\n", "util.js", "exports.greet = a => 'args: ' + a.join(',');\n" },
        { "c", "#include <stdio.h>\n#include \"util.h\"\nint main(int argc, char **argv) { greet(argc, argv); return 0; }\n", "util.h",
          "static void greet(int argc, char **argv) { printf(\"args: \"); for (int i = 1; i < argc; i++) printf(i > 1 ? \",%s\" : \"%s\", argv[i]); printf(\"\\n\"); }\n" },
        { "java", "public class Main { public static void main(String[] args) { System.out.println(Util.greet(args)); } }\n", "Util.java",
          "public class Util { static String greet(String[] args) { return \"args: \" + String.join(\",\", args); } }\n" },
        { "go", "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() { fmt.Println(greet(os.Args[1:])) }\n", "util.go",
          "package main\n\nimport \"strings\"\n\nfunc greet(args []string) string { return \"args: \" + strings.Join(args, \",\") }\n" },
        { "rust", "mod util;\nfn main() { let args: Vec<String> = std::env::args().skip(1).collect(); println!(\"{}\", util::greet(&args)); }\n", "util.rs",
          "pub fn greet(args: &[String]) -> String { format!(\"args: {}\", args.join(\",\")) }\n" },
    };

    [Theory]
    [MemberData(nameof(MultiFilePrograms))]
    public async Task Extra_files_and_arguments_work_in_each_language_family(string lang, string code, string fileName, string fileContent)
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = lang,
            Code = code,
            Files = [new RunFile(fileName, fileContent)],
            Args = ["one", "two words", "$(id)"],
        });

        Assert.True(result.Status == RunStatus.Ok, $"{result.Status} {result.Message}\n{result.Compile?.Output}\n{result.Output}");
        Assert.Equal("args: one,two words,$(id)\n", result.Stdout);
    }

    /// <summary>
    /// The result names the runtime, and it is the one the program ran under: under runc the program sees
    /// the host's kernel; gVisor's own kernel presents itself as Linux 4.4.0 of 2016.
    /// </summary>
    [Fact]
    public async Task The_result_names_the_runtime_the_program_really_ran_under()
    {
        var result = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "cat /proc/version" });

        Assert.True(result.Status == RunStatus.Ok, result.Output);
        Assert.Equal(executor.Runtime, result.Runtime);
        var hostKernel = File.ReadAllText("/proc/version");
        if (executor.Runtime == SandboxRuntimes.Gvisor)
        {
            Assert.NotEqual(hostKernel, result.Stdout);
            Assert.StartsWith("Linux version 4.4.0 ", result.Stdout);
        }
        else
        {
            Assert.Equal(hostKernel, result.Stdout);
        }
    }

    [Fact]
    public async Task Stdin_and_arguments_reach_the_program_verbatim()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "import sys\nprint(repr(sys.stdin.read()))\nprint(sys.argv[1:])",
            Stdin = "line one\nline 'two' $HOME\n",
            Args = ["a b", "$(id)", "'quoted'", ";rm -rf /"],
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("\"line one\\nline 'two' $HOME\\n\"\n['a b', '$(id)', \"'quoted'\", ';rm -rf /']\n", result.Stdout);
    }

    /// <summary>
    /// The runner kills the program at its limit and says so. The wall time the result reports is the
    /// program's, so it is checked closely; the whole call (taking a sandbox, the watchdog's grace) only
    /// within a margin a loaded 2-core machine meets: how fast that is, is the benchmark's to say.
    /// </summary>
    [Fact]
    public async Task An_endless_loop_times_out_at_the_limit_and_leaves_nothing_running()
    {
        var clock = Stopwatch.StartNew();
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "while True:\n    pass",
            Limits = new RequestedLimits { TimeMs = 1_000 },
        });
        clock.Stop();

        Assert.Equal(RunStatus.Timeout, result.Status);
        Assert.Equal("SIGKILL", result.Signal);
        Assert.Contains("1000 ms", result.Message);
        Assert.InRange(result.WallTimeMs, 1_000, 1_900);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await executor.AssertNoProcessLeftAsync("python3");
    }

    [Fact]
    public async Task Allocating_past_the_memory_limit_ends_as_memory_limit()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "chunks = []\nwhile True:\n    chunks.append(b'x' * (16 * 1024 * 1024))",
            Limits = new RequestedLimits { MemoryMb = 64 },
        });

        Assert.True(result.Status == RunStatus.MemoryLimit, $"{result.Status} (exit {result.ExitCode}, {result.Signal}, {result.MemoryBytes} bytes): {result.Message} / {result.Stderr}");
        Assert.Equal(64, result.Limits.MemoryMb);
        Assert.Contains("64 MB", result.Message);
    }

    [Fact]
    public async Task A_fork_bomb_is_contained_and_the_next_run_is_unaffected()
    {
        var bomb = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = "bomb() { bomb | bomb & }; bomb; sleep 1; echo survived",
            Limits = new RequestedLimits { TimeMs = 3_000, Pids = 32 },
        });

        Assert.NotEqual(RunStatus.InternalError, bomb.Status);
        // Killed at its 3 s limit; the margin is for a loaded machine.
        Assert.True(bomb.WallTimeMs < 5_000, $"wall {bomb.WallTimeMs}");
        await executor.AssertNoProcessLeftAsync("sleep");

        var next = await executor.RunAsync(new RunRequest { Lang = "bash", Code = "echo fine" });
        Assert.Equal(RunStatus.Ok, next.Status);
        Assert.Equal("fine\n", next.Stdout);
    }

    [Fact]
    public async Task Endless_output_ends_as_output_limit_with_at_most_the_cap_and_flat_executor_memory()
    {
        const int cap = 16 * 1024;
        var request = new RunRequest
        {
            Lang = "python3",
            Code = "import sys\nline = 'y' * 1023 + '\\n'\nwhile True:\n    sys.stdout.write(line)",
            Limits = new RequestedLimits { OutputBytes = cap },
        };
        // One run warms up code paths; the next ones must not grow the heap.
        await executor.RunAsync(request);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        for (var i = 0; i < 5; i++)
        {
            var result = await executor.RunAsync(request);
            Assert.Equal(RunStatus.OutputLimit, result.Status);
            Assert.True(result.StdoutTruncated);
            Assert.Equal(cap, result.Stdout.Length);
            Assert.True(result.Output.Length <= 2 * cap + 256);
        }

        var growth = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.True(growth < 8 * 1024 * 1024, $"executor heap grew by {growth} bytes over five floods");
    }

    [Fact]
    public async Task The_sandbox_has_no_network_no_route_and_no_name_resolution()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import socket
                # Only loopback exists: no interface could carry a packet out, and there is no route.
                print(sorted(line.split(':')[0].strip() for line in open('/proc/net/dev').readlines()[2:]))
                print(len(open('/proc/net/route').readlines()) - 1)
                try:
                    socket.getaddrinfo('example.com', 80)
                    print('resolved')
                except OSError as e:
                    print('no dns')
                s = socket.socket()
                s.settimeout(2)
                try:
                    # The executor's own port on the host's loopback: unreachable from the sandbox's loopback.
                    s.connect(('127.0.0.1', 5180))
                    print('connected')
                except OSError as e:
                    print('no connect')
                """,
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("['lo']\n0\nno dns\nno connect\n", result.Stdout);
    }

    [Fact]
    public async Task Only_the_work_directory_and_tmp_are_writable()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import os
                for path in ['/etc/evil', '/usr/bin/evil', '/opt/quicktry/runner', '/root/evil', '/evil', '/box/ok', '/tmp/ok']:
                    try:
                        with open(path, 'w') as f:
                            f.write('x')
                        print(path, 'written')
                    except OSError as e:
                        print(path, 'refused')
                """,
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal(
            "/etc/evil refused\n/usr/bin/evil refused\n/opt/quicktry/runner refused\n/root/evil refused\n/evil refused\n/box/ok written\n/tmp/ok written\n",
            result.Stdout);
    }

    [Fact]
    public async Task The_host_environment_does_not_leak_into_the_sandbox()
    {
        Assert.Equal(ExecutorFixture.CanaryValue, Environment.GetEnvironmentVariable(ExecutorFixture.CanaryVariable));

        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "import os\nfor k in sorted(os.environ): print(k + '=' + os.environ[k])",
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.DoesNotContain(ExecutorFixture.CanaryValue, result.Stdout);
        Assert.DoesNotContain(ExecutorFixture.CanaryVariable, result.Stdout);
        var names = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')[0]).ToHashSet();
        // The sandbox's own, and what the Python image sets for matplotlib (Dockerfile ENV).
        Assert.Subset(new HashSet<string> { "HOME", "HOSTNAME", "LANG", "PATH", "PWD", "TMPDIR", "SHLVL", "OLDPWD", "_", "MPLBACKEND", "MPLCONFIGDIR" }, names);
    }

    [Fact]
    public async Task The_program_runs_unprivileged_without_capabilities_under_seccomp()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = "id -u; grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | tr -s '\\t' ' '; cat /proc/1/comm",
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        // 10001 in a one-run container; in a slot, a fresh uid of the slot's block (from 100000 up).
        var uid = int.Parse(result.Stdout.Split('\n')[0]);
        Assert.True(result.Isolation == Isolation.Container ? uid == 10001 : uid >= 100_000, $"uid {uid} with isolation {result.Isolation}");
        var rest = result.Stdout[(result.Stdout.IndexOf('\n') + 1)..];
        if (executor.Runtime == SandboxRuntimes.Gvisor)
        {
            // gVisor's kernel shows neither the host's seccomp filter (it is gVisor's own, around gVisor)
            // nor NoNewPrivs; the program still has no capability.
            Assert.StartsWith("CapEff: 0000000000000000\nCapBnd: 0000000000000000\n", rest);
            Assert.EndsWith("docker-init\n", rest);
        }
        else
        {
            Assert.Equal("CapEff: 0000000000000000\nCapBnd: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2\ndocker-init\n", rest);
        }
    }

    [Fact]
    public async Task A_runtime_error_reports_its_exit_code_and_stderr()
    {
        var result = await executor.RunAsync(new RunRequest { Lang = "python3", Code = "import sys\nprint('before')\nsys.exit(7)" });
        Assert.Equal(RunStatus.RuntimeError, result.Status);
        Assert.Equal(7, result.ExitCode);
        Assert.Equal("before\n", result.Stdout);

        var crash = await executor.RunAsync(new RunRequest { Lang = "python3", Code = "raise ValueError('boom')" });
        Assert.Equal(RunStatus.RuntimeError, crash.Status);
        Assert.Equal(1, crash.ExitCode);
        Assert.Contains("ValueError: boom", crash.Stderr);
        // The supervisor takes CPU time from the reaped processes' rusage: known under gVisor too.
        Assert.NotNull(crash.CpuTimeMs);
        Assert.True(crash.MemoryBytes > 0);
    }

    [Fact]
    public async Task A_segfault_is_reported_with_its_signal()
    {
        var result = await executor.RunAsync(new RunRequest { Lang = "c", Code = "int main(void) { volatile int *p = 0; return *p; }" });
        Assert.Equal(RunStatus.RuntimeError, result.Status);
        Assert.Equal("SIGSEGV", result.Signal);
    }

    [Fact]
    public async Task A_compile_error_is_reported_as_such_and_nothing_runs()
    {
        var result = await executor.RunAsync(new RunRequest { Lang = "c", Code = "int main(void) { return missing; }" });

        Assert.Equal(RunStatus.CompileError, result.Status);
        Assert.NotNull(result.Compile);
        Assert.NotEqual(0, result.Compile.ExitCode);
        Assert.Contains("missing", result.Compile.Stderr);
        Assert.Null(result.ExitCode);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Extra_files_sit_beside_the_main_file()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = "from pkg.util import greet\nprint(greet(open('data.txt').read().strip()))",
            Files = [new RunFile("pkg/__init__.py", ""), new RunFile("pkg/util.py", "def greet(n):\n    return 'hi ' + n"), new RunFile("data.txt", "files\n")],
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("hi files\n", result.Stdout);
    }

    [Fact]
    public async Task Background_processes_do_not_outlive_the_run_or_its_output()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = "(sleep 0.3; echo late) & echo early",
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("early\n", result.Stdout);
        await executor.AssertNoProcessLeftAsync("sleep");
    }

    [Fact]
    public async Task Invalid_requests_are_problem_details_with_field_errors()
    {
        var response = await executor.Client.PostAsync("/execute",
            new StringContent("""{"lang":"klingon","code":""}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"lang\"", body);
        Assert.Contains("python3", body);
        Assert.Contains("\"code\"", body);
    }
}

/// <summary>The same promises with isolation <c>container</c>: a fresh container per run.</summary>
[Collection(ContainerDockerCollection.Name)]
public class SandboxTestsInOneRunContainers(ContainerExecutorFixture executor) : SandboxTests(executor);

/// <summary>Every language's cases and the sandbox's guarantees with every sandbox under gVisor (slots).</summary>
[Collection(GVisorCollection.Name)]
public class SandboxTestsUnderGVisor(GVisorExecutorFixture executor) : SandboxTests(executor);
