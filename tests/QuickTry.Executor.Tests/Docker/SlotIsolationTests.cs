using System.Text.RegularExpressions;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Executor.Tests.Docker;

/// <summary>
/// Slots with nothing warm and at most one idle slot per language: run after run of one language lands in
/// the same slot, so an attack in run N is checked from run N+1 there (its uid is N's plus one).
/// </summary>
public sealed class SlotExecutorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Executor:Isolation:Default"] = "slot",
        ["Executor:Pool:WarmPerLanguage"] = "0",
        ["Executor:Isolation:MaxIdleSlotsPerLanguage"] = "1",
        ["Executor:Isolation:SlotRuns"] = "1000",
    };
}

/// <summary>A slot serves two runs, then is replaced.</summary>
public sealed class ShortSlotExecutorFixture : ExecutorFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Executor:Isolation:Default"] = "slot",
        ["Executor:Pool:WarmPerLanguage"] = "0",
        ["Executor:Isolation:MaxIdleSlotsPerLanguage"] = "1",
        ["Executor:Isolation:SlotRuns"] = "2",
    };
}

/// <summary>Nothing of one run reaches the next run in the same slot; each attack tried for real.</summary>
public partial class SlotIsolationTests(SlotExecutorFixture executor) : IClassFixture<SlotExecutorFixture>
{
    private const string PrintUidBash = "echo \"uid=$(id -u)\"\n";
    private const string PrintUidPython = "import os\nprint(f'uid={os.getuid()}', flush=True)\n";

    [Fact]
    public async Task Files_in_every_writable_place_do_not_reach_the_next_run()
    {
        var (attack, check) = await SameSlotAsync("bash",
            PrintUidBash + """
                for d in /box /tmp /dev/shm; do echo secret > "$d/left" && echo "wrote $d/left"; done
                echo secret > /box/.dotfile
                mkdir -p /box/locked/inner && echo s > /box/locked/inner/f && chmod 000 /box/locked/inner /box/locked && echo locked
                mkdir /tmp/.hidden && touch /tmp/.hidden/x && chmod 000 /tmp/.hidden && echo hidden
                ln -s /etc/passwd /box/link && echo linked
                """,
            PrintUidBash + "find /box /tmp /dev/shm /dev/mqueue -mindepth 1 ! -path /box/main.sh -printf 'LEFT %p\\n' 2>&1\n");

        Assert.Contains("wrote /dev/shm/left", attack.Stdout);
        Assert.Contains("locked", attack.Stdout);
        Assert.Contains("hidden", attack.Stdout);
        Assert.Equal(RunStatus.Ok, check.Status);
        Assert.DoesNotContain("LEFT", check.Stdout);
        Assert.Equal("", check.Stderr);
    }

    [Fact]
    public async Task Processes_a_run_leaves_behind_do_not_reach_the_next_run()
    {
        var (attack, check) = await SameSlotAsync("bash",
            PrintUidBash + """
                sleep 1000 &
                setsid sleep 1001 &
                ( ( sleep 1002 & ) & )
                ( trap '' TERM HUP INT QUIT USR1; exec sleep 1003 ) &
                ( while :; do ( sleep 1004 & ) 2>/dev/null; done ) &
                sleep 0.5
                echo started
                """,
            PrintUidBash + """
                me=$(id -u)
                for p in /proc/[0-9]*; do
                  u=$(stat -c %u "$p" 2>/dev/null) || continue
                  [[ $u == 0 || $u == "$me" ]] && continue
                  echo "FOREIGN uid=$u $(tr '\0' ' ' < "$p/cmdline" 2>/dev/null)"
                done
                echo checked
                """);

        Assert.Contains("started", attack.Stdout);
        Assert.Equal(RunStatus.Ok, check.Status);
        Assert.Contains("checked", check.Stdout);
        Assert.DoesNotContain("FOREIGN", check.Stdout);
    }

    [Fact]
    public async Task Ipc_objects_and_abstract_sockets_do_not_reach_the_next_run_and_the_supervisor_is_out_of_reach()
    {
        var (attack, check) = await SameSlotAsync("python3",
            PrintUidPython + """
                import ctypes, socket, subprocess, time
                for args in (["ipcmk", "-M", "4096"], ["ipcmk", "-S", "2"], ["ipcmk", "-Q"]):
                    subprocess.run(args, check=True, capture_output=True)
                libc = ctypes.CDLL(None, use_errno=True)
                fd = libc.mq_open(b"/qtleft", os.O_CREAT | os.O_RDWR, 0o600, None)
                print("mq", "made" if fd >= 0 else os.strerror(ctypes.get_errno()))
                s = socket.socket(socket.AF_UNIX)
                s.bind("\0qtleft")
                s.listen()
                if os.fork() == 0:
                    os.setsid()
                    time.sleep(1000)
                print("objects", sum(len(open(f"/proc/sysvipc/{t}").read().splitlines()) - 1 for t in ("shm", "sem", "msg")))
                """,
            PrintUidPython + """
                import ctypes, signal, socket
                for t in ("shm", "sem", "msg"):
                    print(t, len(open(f"/proc/sysvipc/{t}").read().splitlines()) - 1)
                print("mqueue", sorted(os.listdir("/dev/mqueue")))
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect("\0qtleft")
                    print("abstract CONNECTED")
                except OSError as e:
                    print("abstract", e.strerror)
                runner = next(int(p) for p in filter(str.isdigit, os.listdir("/proc"))
                              if open(f"/proc/{p}/cmdline", "rb").read().startswith((b"/opt/quicktry/supervisor", b"/bin/bash\0/opt/quicktry/runner")))
                try:
                    open(f"/proc/{runner}/environ", "rb").read()
                    print("environ READABLE")
                except OSError as e:
                    print("environ", e.strerror)
                try:
                    os.kill(runner, signal.SIGKILL)
                    print("signal DELIVERED")
                except OSError as e:
                    print("signal", e.strerror)
                libc = ctypes.CDLL(None, use_errno=True)
                print("ptrace", "ATTACHED" if libc.ptrace(16, runner, None, None) == 0 else os.strerror(ctypes.get_errno()))
                """);

        Assert.Contains("mq made", attack.Stdout);
        Assert.Contains("objects 3", attack.Stdout);
        Assert.Equal(RunStatus.Ok, check.Status);
        Assert.Contains("shm 0", check.Stdout);
        Assert.Contains("sem 0", check.Stdout);
        Assert.Contains("msg 0", check.Stdout);
        Assert.Contains("mqueue []", check.Stdout);
        Assert.Contains("abstract Connection refused", check.Stdout);
        Assert.Contains("environ Permission denied", check.Stdout);
        Assert.Contains("signal Operation not permitted", check.Stdout);
        Assert.DoesNotContain("ATTACHED", check.Stdout);
    }

    [Fact]
    public async Task A_run_after_a_memory_and_cpu_hungry_run_reports_its_own_figures()
    {
        var (hungry, small) = await SameSlotAsync("python3",
            PrintUidPython + """
                import time
                block = bytearray(300 * 1024 * 1024)
                for i in range(0, len(block), 4096):
                    block[i] = 1
                end = time.process_time() + 1.0
                while time.process_time() < end:
                    pass
                print("done")
                """,
            PrintUidPython + "print('small')\n",
            new RequestedLimits { MemoryMb = 512 });

        Assert.Equal(RunStatus.Ok, hungry.Status);
        Assert.True(hungry.MemoryBytes >= 300L * 1024 * 1024, $"hungry run reported {hungry.MemoryBytes} bytes");
        Assert.True(hungry.CpuTimeMs >= 900, $"hungry run reported {hungry.CpuTimeMs} ms CPU");
        Assert.Equal(RunStatus.Ok, small.Status);
        Assert.NotNull(small.MemoryBytes);
        Assert.True(small.MemoryBytes < 100L * 1024 * 1024, $"the next run reported {small.MemoryBytes} bytes: the slot's peak, not its own");
        Assert.True(small.CpuTimeMs < 500, $"the next run reported {small.CpuTimeMs} ms CPU");
    }

    /// <summary>
    /// Attacks on the wipe itself: a full work directory and /tmp, the PID limit exhausted, a deleted file
    /// held open. Whether the wipe copes (same slot) or the slot is replaced, the next run sees nothing.
    /// </summary>
    [Theory]
    [InlineData("full tmpfs", "for d in /box /tmp /dev/shm; do head -c 200000000 /dev/zero > \"$d/fill\" 2>/dev/null; done; df --output=used /box | tail -1")]
    [InlineData("pid limit", "bomb() { bomb | bomb & }; bomb; sleep 1")]
    [InlineData("held file", "exec 3<>/box/held; head -c 50000000 /dev/zero >&3; ( sleep 1000 <&3 & ); rm /box/held; sleep 0.2")]
    public async Task Attacks_on_the_wipe_leave_the_next_run_clean(string attack, string code)
    {
        _ = attack;
        var first = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = PrintUidBash + code,
            Limits = new RequestedLimits { TimeMs = 3_000, Pids = 32 },
        });
        Assert.NotEqual(RunStatus.InternalError, first.Status);

        var next = await executor.RunAsync(new RunRequest
        {
            Lang = "bash",
            Code = PrintUidBash + "find /box /tmp /dev/shm -mindepth 1 ! -path /box/main.sh -printf 'LEFT %p\\n'; df --output=used /box /tmp /dev/shm | tail -n +2 | tr -s ' ' | tr '\\n' ' '; echo; echo",
        });
        Assert.Equal(RunStatus.Ok, next.Status);
        Assert.DoesNotContain("LEFT", next.Stdout);
        // Nothing of the fill is still counted on any of the three tmpfs (a few KB for the source file).
        var used = Regex.Match(next.Stdout, @"\n\s*(\d+)\s+(\d+)\s+(\d+)").Groups;
        Assert.True(used.Count == 4 && used.Values.Skip(1).All(g => long.Parse(g.Value) < 1024), next.Stdout);
        Assert.NotEqual(Uid(first), Uid(next));
    }

    [Fact]
    public async Task A_timeout_keeps_the_slot_and_the_next_run_is_clean()
    {
        var (spin, next) = await SameSlotAsync("python3",
            PrintUidPython + "open('/tmp/spin', 'w').write('x')\nwhile True:\n    pass\n",
            PrintUidPython + "print(os.listdir('/tmp'))\n",
            new RequestedLimits { TimeMs = 500 });

        Assert.Equal(RunStatus.Timeout, spin.Status);
        Assert.Equal("SIGKILL", spin.Signal);
        Assert.Contains("[]", next.Stdout);
    }

    /// <summary>Runs <paramref name="attack"/> then <paramref name="check"/>, and proves they shared a slot.</summary>
    private async Task<(RunResult Attack, RunResult Check)> SameSlotAsync(string lang, string attack, string check, RequestedLimits? limits = null)
    {
        var first = await executor.RunAsync(new RunRequest { Lang = lang, Code = attack, Limits = limits });
        var second = await executor.RunAsync(new RunRequest { Lang = lang, Code = check });
        Assert.Equal(Isolation.Slot, first.Isolation);
        Assert.Equal(Isolation.Slot, second.Isolation);
        Assert.True(Uid(first) + 1 == Uid(second),
            $"run N+1 did not land in run N's slot as the next uid (uids {Uid(first)}, {Uid(second)}); attack: {first.Status} {first.Stdout}{first.Stderr}");
        return (first, second);
    }

    private static int Uid(RunResult result)
    {
        var match = UidLine().Match(result.Stdout);
        Assert.True(match.Success, $"no uid line in: {result.Stdout}{result.Stderr}");
        return int.Parse(match.Groups[1].Value);
    }

    [GeneratedRegex(@"uid=(\d+)")]
    private static partial Regex UidLine();
}

/// <summary>A slot is replaced after its runs; the replacement uses other uids.</summary>
public class SlotRecyclingTests(ShortSlotExecutorFixture executor) : IClassFixture<ShortSlotExecutorFixture>
{
    [Fact]
    public async Task A_slot_serves_its_runs_then_a_new_slot_with_new_uids_takes_over()
    {
        var runs = new List<(int Uid, string Container)>();
        for (var i = 0; i < 3; i++)
        {
            // The engine's path to the container's hostname file names the container.
            var result = await executor.RunAsync(new RunRequest
            {
                Lang = "bash",
                Code = "id -u; grep -o 'containers/[0-9a-f]*' /proc/self/mountinfo | head -1",
            });
            Assert.Equal(RunStatus.Ok, result.Status);
            var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            runs.Add((int.Parse(lines[0]), lines[1]));
        }

        Assert.Equal(runs[0].Container, runs[1].Container);
        Assert.Equal(runs[0].Uid + 1, runs[1].Uid);
        Assert.NotEqual(runs[1].Container, runs[2].Container);
        Assert.DoesNotContain(runs[2].Uid, new[] { runs[0].Uid, runs[1].Uid });
        Assert.True(runs.All(r => r.Uid >= 100_000), string.Join(",", runs));
    }
}
