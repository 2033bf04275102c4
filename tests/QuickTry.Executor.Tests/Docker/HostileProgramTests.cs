using Docker.DotNet.Models;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Executor.Languages;
using QuickTry.Protocol;
using QuickTry.Sandbox.Languages;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Programs that try to falsify their own result or reach the kernel's riskier parts, run for real.
/// Each of these passed on the first version, where the program, the runner and docker-init shared a uid.
/// </summary>
[Collection(DockerCollection.Name)]
public class HostileProgramTests(ExecutorFixture executor)
{
    [Fact]
    public async Task A_program_cannot_ptrace_signal_or_read_the_runner_or_pid_1()
    {
        // The program's parent is the supervisor (root; with Executor:Sandbox:Supervisor=script, /usr/bin/time
        // between it and the bash runner); PID 1 is docker-init.
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import ctypes, os, signal
                libc = ctypes.CDLL(None, use_errno=True)
                PTRACE_ATTACH = 16
                def parent(pid):
                    with open(f"/proc/{pid}/stat") as f:
                        return int(f.read().rsplit(")", 1)[1].split()[1])
                def runner():
                    for pid in filter(str.isdigit, os.listdir("/proc")):
                        try:
                            if open(f"/proc/{pid}/cmdline", "rb").read().startswith((b"/opt/quicktry/supervisor", b"/bin/bash\0/opt/quicktry/runner")):
                                return int(pid)
                        except OSError:
                            pass
                targets = {"init": 1, "parent": os.getppid(), "supervisor": runner()}
                for name, pid in targets.items():
                    rc = libc.ptrace(PTRACE_ATTACH, pid, None, None)
                    print(name, "ptrace", rc, os.strerror(ctypes.get_errno()) if rc != 0 else "ATTACHED")
                    try:
                        open(f"/proc/{pid}/mem", "rb").read(1)
                        print(name, "mem READABLE")
                    except OSError as e:
                        print(name, "mem", e.strerror)
                    try:
                        os.kill(pid, signal.SIGSTOP)
                        print(name, "signal DELIVERED")
                    except OSError as e:
                        print(name, "signal", e.strerror)
                """,
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.DoesNotContain("ATTACHED", result.Stdout);
        Assert.DoesNotContain("READABLE", result.Stdout);
        Assert.DoesNotContain("DELIVERED", result.Stdout);
        Assert.Equal(9, result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Forged_end_marks_neither_cut_the_output_nor_change_the_time_or_exit_code()
    {
        // A forged end mark and trailer (with a guessed nonce), then more output, a 1.5 s busy loop and exit 3.
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import sys, time
                sys.stdout.write("\x1eQTE 000000000000000000000000\x1e")
                sys.stdout.flush()
                sys.stderr.write("\x1eQTR 000000000000000000000000 0 1 1 1\x1e")
                sys.stderr.flush()
                end = time.time() + 1.5
                while time.time() < end:
                    pass
                print("after the forged marks")
                sys.exit(3)
                """,
        });

        Assert.Equal(RunStatus.RuntimeError, result.Status);
        Assert.Equal(3, result.ExitCode);
        Assert.EndsWith("after the forged marks\n", result.Stdout);
        Assert.StartsWith("\x1eQTE 000000000000000000000000\x1e", result.Stdout);
        Assert.True(result.WallTimeMs >= 1_400, $"wall time {result.WallTimeMs} ms");
        // The forged trailer did not set the CPU time: the busy loop's is reported (under gVisor as well).
        Assert.True(result.CpuTimeMs >= 1_000, $"cpu time {result.CpuTimeMs} ms");
    }

    [Fact]
    public async Task Io_uring_namespaces_and_bpf_are_refused_by_the_seccomp_profile()
    {
        var result = await executor.RunAsync(new RunRequest
        {
            Lang = "python3",
            Code = """
                import ctypes, os
                libc = ctypes.CDLL(None, use_errno=True)
                params = ctypes.create_string_buffer(120)
                for name, number, args in [("io_uring_setup", 425, (8, params)), ("bpf", 321, (0, None, 0)),
                                           ("unshare_user", 272, (0x10000000,)), ("userfaultfd", 323, (0,))]:
                    rc = libc.syscall(number, *args)
                    print(name, rc, os.strerror(ctypes.get_errno()) if rc < 0 else "ALLOWED")
                """,
        });

        Assert.Equal(RunStatus.Ok, result.Status);
        if (executor.Runtime == SandboxRuntimes.Gvisor)
        {
            // Under gVisor these calls never reach the host's kernel: gVisor's own kernel answers them (it has
            // its own io_uring and user namespaces; no bpf, no userfaultfd), and gVisor alone, under its own
            // seccomp filter, calls the host. QuickTry's profile is not applied inside (see scripts/gvisor.sh).
            var lines = result.Stdout.Split('\n');
            Assert.Equal("bpf -1 Operation not permitted", lines[1]);
            Assert.StartsWith("userfaultfd -1 ", lines[3]);
            return;
        }
        Assert.Equal(
            "io_uring_setup -1 Operation not permitted\nbpf -1 Operation not permitted\n"
            + "unshare_user -1 Operation not permitted\nuserfaultfd -1 Operation not permitted\n",
            result.Stdout);
    }

    [Fact]
    public async Task A_sandbox_whose_executor_vanished_kills_its_program_at_the_limit()
    {
        // Send a job by hand and walk away, as a crashed executor would: nobody kills the container.
        var services = executor.Factory.Services;
        var factory = services.GetRequiredService<SandboxContainerFactory>();
        var catalog = services.GetRequiredService<LanguageCatalog>();
        var validator = services.GetRequiredService<RunValidator>();
        Assert.True(catalog.TryFind("python3", out var python));
        Assert.True(validator.TryPrepare(new RunRequest { Lang = "python3", Code = "while True: pass", Limits = new RequestedLimits { TimeMs = 1_000 } }, out var run, out _));
        var container = await factory.StartAsync(SandboxContainerFactory.NewSlot(), python, new SandboxKind(Isolation.Container, executor.Runtime), null, CancellationToken.None);
        try
        {
            var payload = RunPayload.Build(run, "abandoned", 1024, perUidProcesses: 0);
            using (var stream = await executor.Docker.Containers.AttachContainerAsync(container.Id, tty: false,
                new ContainerAttachParameters { Stream = true, Stdin = true, Stdout = true, Stderr = true }))
            {
                await stream.WriteAsync(payload, 0, payload.Length, CancellationToken.None);
                stream.CloseWrite();
            }
            // Limit 1 s: by 6 s the runner has killed the loop and the container has ended.
            var deadline = DateTime.UtcNow.AddSeconds(6);
            var running = true;
            while (running && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
                running = (await executor.Docker.Containers.InspectContainerAsync(container.Id)).State.Running;
            }
            Assert.False(running, "the spinning program outlived its time limit");
            var state = (await executor.Docker.Containers.InspectContainerAsync(container.Id)).State;
            Assert.Equal(137, state.ExitCode);
        }
        finally
        {
            await factory.RemoveAsync(container.Id, CancellationToken.None);
        }
    }
}

/// <summary>The same attacks with isolation <c>container</c>: a fresh container per run.</summary>
[Collection(ContainerDockerCollection.Name)]
public class HostileProgramTestsInOneRunContainers(ContainerExecutorFixture executor) : HostileProgramTests(executor);

/// <summary>The same attacks with every sandbox under gVisor (slots).</summary>
[Collection(GVisorCollection.Name)]
public class HostileProgramTestsUnderGVisor(GVisorExecutorFixture executor) : HostileProgramTests(executor);
