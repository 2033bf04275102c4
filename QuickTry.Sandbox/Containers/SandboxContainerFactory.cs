using System.Formats.Tar;
using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Runs;

namespace QuickTry.Sandbox.Containers;

/// <summary>What makes a sandbox a session's: its id (a label) and the size of its files.</summary>
internal sealed record SessionSandbox(string Id, int DiskMb);

/// <summary>
/// Creates and starts locked-down sandbox containers. Every setting here is a layer of the sandbox;
/// none of them depends on the request, which reaches the container only as the runner's stdin.
/// </summary>
public sealed class SandboxContainerFactory(
    IDockerClient docker,
    IOptions<ExecutorOptions> executorOptions,
    IOptions<SandboxOptions> sandboxOptions,
    IOptions<IsolationOptions> isolationOptions,
    IOptions<LimitsOptions> limitsOptions,
    ImageVersionCache versions,
    TimeProvider time)
{
    /// <summary>
    /// The container's main process (docker-init, then the runner) runs as root inside the container,
    /// which it needs to start the program as <see cref="ProgramUid"/> and to kill it; the program then
    /// cannot ptrace, signal or read it, so what the runner reports cannot be forged.
    /// </summary>
    public const string RunnerUser = "0:0";

    /// <summary>The user a program runs as in isolation <c>container</c> (created in docker-images/base).</summary>
    public const int ProgramUid = 10001;
    public const string WorkDir = "/box";

    /// <summary>The runner's own scratch space (root-only): compiler output and rusage figures.</summary>
    public const string RunnerDir = "/run/quicktry";

    /// <summary>
    /// Slots take their uids from here up: block i is <c>[FirstSlotUid + i·SlotRuns, ...)</c>. A uid is never
    /// used twice by one slot, and blocks rotate through millions of uids, so no two live slots on a host
    /// share one (RLIMIT_NPROC counts processes per uid across the whole host).
    /// </summary>
    public const int FirstSlotUid = 100_000;
    private const int LastSlotUid = 1_000_000_000;

    /// <summary>
    /// All the runner keeps of root's power: switching to the program's user (SETUID, SETGID), dropping
    /// the program's bounding set (SETPCAP) and killing what the program left (KILL). The program runs
    /// with none: setpriv clears every set when it switches user.
    /// </summary>
    private static readonly IList<string> RunnerCapabilities = ["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP", "CAP_KILL"];

    // The whole environment a program sees besides what its own image sets: nothing of the host's.
    private static readonly IList<string> Environment =
    [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/box",
        "LANG=C.UTF-8",
        "TMPDIR=/tmp",
    ];

    private readonly ExecutorOptions _executor = executorOptions.Value;
    private readonly SandboxOptions _sandbox = sandboxOptions.Value;
    private readonly LimitsOptions _limits = limitsOptions.Value;
    private readonly IsolationOptions _isolation = isolationOptions.Value;
    private readonly IList<string> _securityOptions = SecurityOptions(sandboxOptions.Value);
    // Starts at a random block so two executors sharing a host rarely walk the same uids.
    private int _uidBlock = Random.Shared.Next(0, 1_000_000);

    public string ImageOf(LanguageDefinition language) => $"{_executor.ImagePrefix}{language.Name}:latest";

    /// <summary>A new container's id of our own (its <c>quicktry.slot</c> label), known before the engine's.</summary>
    public static string NewSlot() => Guid.CreateVersion7().ToString("N");

    /// <summary>
    /// Creates and starts a container whose runner then blocks reading its first job from stdin, sized for
    /// <paramref name="limits"/> or, without them, for the language's default limits (what warm ones get).
    /// </summary>
    public async Task<SandboxContainer> StartAsync(string slot, LanguageDefinition language, SandboxKind kind, AppliedLimits? limits,
        CancellationToken cancellationToken)
    {
        var memoryMb = limits?.MemoryMb ?? language.Limits.MemoryMb ?? _limits.MemoryMb.Default;
        var pids = limits?.Pids ?? language.Limits.Pids ?? _limits.Pids.Default;
        var (firstUid, maxRuns) = kind.Isolation == Isolation.Slot ? (NextUidBlock(), _isolation.SlotRuns) : (ProgramUid, 1);
        var parameters = Describe(language, kind, slot, firstUid, maxRuns, memoryMb, pids);
        // Not cancellable mid-call: a cancelled create request may still create the container in the
        // engine, and we would never learn its id. Both calls are short; cancellation is honoured after.
        var created = await docker.Containers.CreateContainerAsync(parameters, CancellationToken.None);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), CancellationToken.None);
            cancellationToken.ThrowIfCancellationRequested();
        }
        catch
        {
            await RemoveAsync(created.ID, CancellationToken.None);
            throw;
        }
        return new SandboxContainer(created.ID, slot, language.Name, kind, firstUid, maxRuns, memoryMb, pids, time.GetTimestamp())
        {
            Sized = limits is not null,
        };
    }

    /// <summary>
    /// Creates and starts a session's sandbox: the same lock-down as every sandbox, a uid of its own (the
    /// first of a fresh block, so no other sandbox on the host has it) for all its runs, <paramref name="memoryMb"/>
    /// MiB of memory, and a work folder of <paramref name="diskMb"/> MiB that its runs do not wipe.
    /// </summary>
    public async Task<SandboxContainer> StartSessionAsync(string sessionId, LanguageDefinition language, string runtime, int memoryMb, int diskMb,
        CancellationToken cancellationToken)
    {
        var pids = language.Limits.Pids ?? _limits.Pids.Default;
        var kind = new SandboxKind(Isolation.Slot, runtime);
        var uid = NextUidBlock();
        var parameters = Describe(language, kind, sessionId, uid, SessionRuns, memoryMb, pids, new SessionSandbox(sessionId, diskMb));
        var created = await docker.Containers.CreateContainerAsync(parameters, CancellationToken.None);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            await docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), CancellationToken.None);
        }
        catch
        {
            await RemoveAsync(created.ID, CancellationToken.None);
            throw;
        }
        return new SandboxContainer(created.ID, sessionId, language.Name, kind, uid, SessionRuns, memoryMb, pids, time.GetTimestamp())
        {
            Sized = true,
            IsSession = true,
        };
    }

    /// <summary>Runs a session may have: more than any session lives to use.</summary>
    private const int SessionRuns = 1_000_000;

    private int NextUidBlock()
    {
        var blocks = (LastSlotUid - FirstSlotUid) / _isolation.SlotRuns;
        var block = (int)((uint)Interlocked.Increment(ref _uidBlock) % (uint)blocks);
        return FirstSlotUid + block * _isolation.SlotRuns;
    }

    internal CreateContainerParameters Describe(LanguageDefinition language, SandboxKind kind, string slot,
        int firstUid, int maxRuns, int memoryMb, int pids, SessionSandbox? session = null)
    {
        var isolation = kind.Isolation;
        var workDirBytes = (long)(session?.DiskMb ?? _sandbox.WorkDirMb) * 1024 * 1024;
        var memoryBytes = (long)memoryMb * 1024 * 1024;
        var isSlot = isolation == Isolation.Slot;
        // A slot's work directory belongs to no run: sticky and world-writable like /tmp, so each run's
        // uid creates (and its wipe removes) only its own files. A one-run container's belongs to its user.
        // A session's belongs to its one uid (the runner, root without DAC_OVERRIDE, must still read the
        // job's instructions in it: 0755, and no other uid runs in a session's sandbox).
        var workDirOwner = session is not null ? $"uid={firstUid},gid={firstUid},mode=0755"
            : isSlot ? "mode=1777" : $"uid={ProgramUid},gid={ProgramUid},mode=0755";
        var labels = new Dictionary<string, string>
        {
            [SandboxLabels.Managed] = "true",
            [SandboxLabels.Instance] = _executor.InstanceName,
            [SandboxLabels.Language] = language.Name,
            [SandboxLabels.Slot] = slot,
            [SandboxLabels.Isolation] = isolation.ToWireName(),
            [SandboxLabels.Runtime] = kind.Runtime,
        };
        if (session is not null)
        {
            labels[SandboxLabels.Session] = session.Id;
        }
        // Compiler output (each stream up to the largest file), and the archive of a run's out/ files.
        var runnerDirBytes = (2L * _sandbox.MaxFileMb + 1) * 1024 * 1024 + _limits.ArtifactBytes.Max + 1;
        var supervisor = Supervisors.PathOf(_sandbox.Supervisor);
        return new CreateContainerParameters
        {
            Image = ImageOf(language),
            Cmd = session is not null
                ? [supervisor, firstUid.ToString(CultureInfo.InvariantCulture), maxRuns.ToString(CultureInfo.InvariantCulture), "session"]
                : isSlot
                ? [supervisor, firstUid.ToString(CultureInfo.InvariantCulture), maxRuns.ToString(CultureInfo.InvariantCulture)]
                : [supervisor],
            User = RunnerUser,
            WorkingDir = WorkDir,
            Env = Environment,
            Hostname = "sandbox",
            NetworkDisabled = true,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            OpenStdin = true,
            // One-run containers: closing our half of the attached stdin ends the runner's stdin. A slot's
            // stdin outlives each attach: the next job comes on a later one.
            StdinOnce = !isSlot,
            Tty = false,
            Labels = labels,
            HostConfig = new HostConfig
            {
                NetworkMode = "none",
                CapDrop = ["ALL"],
                CapAdd = RunnerCapabilities,
                SecurityOpt = _securityOptions,
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string>
                {
                    [WorkDir] = string.Create(CultureInfo.InvariantCulture, $"rw,exec,nosuid,nodev,size={workDirBytes},{workDirOwner}"),
                    ["/tmp"] = string.Create(CultureInfo.InvariantCulture, $"rw,exec,nosuid,nodev,size={workDirBytes},mode=1777"),
                    [RunnerDir] = string.Create(CultureInfo.InvariantCulture, $"rw,noexec,nosuid,nodev,size={runnerDirBytes},mode=0700"),
                },
                Memory = memoryBytes,
                MemorySwap = memoryBytes,
                NanoCPUs = (long)(_sandbox.Cpus * 1_000_000_000),
                CpusetCpus = _sandbox.CpusetCpus,
                PidsLimit = HostPidsLimit(kind, pids),
                Ulimits =
                [
                    new Ulimit { Name = "nofile", Soft = _sandbox.OpenFiles, Hard = _sandbox.OpenFiles },
                    new Ulimit { Name = "fsize", Soft = (long)_sandbox.MaxFileMb * 1024 * 1024, Hard = (long)_sandbox.MaxFileMb * 1024 * 1024 },
                    new Ulimit { Name = "core", Soft = 0, Hard = 0 },
                ],
                // An init as PID 1 reaps orphans (so a killed run's processes vanish) and forwards signals.
                Init = true,
                IpcMode = "private",
                // Output reaches us over the attach stream; the engine keeps no log of it.
                LogConfig = new LogConfig { Type = "none" },
                Runtime = kind.Runtime,
                AutoRemove = false,
                Privileged = false,
            },
        };
    }

    /// <summary>
    /// The container's PID limit as the host counts it. Under runc every process and thread of the program is
    /// a host task, so it is the run's limit. Under gVisor the host sees gVisor's kernel instead (about 40
    /// tasks idle, and about 8 more per program process on the ptrace platform, measured): the run's limit
    /// there is RLIMIT_NPROC inside the sandbox (gVisor enforces it), and the host limit only bounds gVisor.
    /// </summary>
    internal static long HostPidsLimit(SandboxKind kind, int pids) =>
        kind.Runtime == SandboxRuntimes.Gvisor ? GVisorHostTasksIdle + (long)pids * GVisorHostTasksPerProcess : pids;

    private const int GVisorHostTasksIdle = 64;
    private const int GVisorHostTasksPerProcess = 10;

    /// <summary>
    /// no-new-privileges, and our seccomp profile unless the operator chose the engine's. runsc does not apply
    /// either inside gVisor (see <c>scripts/gvisor.sh</c>): there the program's calls reach gVisor's kernel,
    /// not the host's.
    /// </summary>
    private static List<string> SecurityOptions(SandboxOptions sandbox)
    {
        var options = new List<string> { "no-new-privileges" };
        var profile = SeccompProfile.Load(sandbox.SeccompProfile);
        if (profile is not null)
        {
            options.Add("seccomp=" + profile);
        }
        return options;
    }

    /// <summary>
    /// Whether a started container of this kind can be moved to other limits. runsc has no <c>update</c>:
    /// under gVisor a run whose limits differ from a warm container's gets a container started with them.
    /// </summary>
    public static bool CanChangeLimits(SandboxKind kind) => kind.Runtime != SandboxRuntimes.Gvisor;

    /// <summary>Whether <paramref name="limits"/> are what a warm container of <paramref name="language"/> is started with.</summary>
    public bool HasDefaultLimits(LanguageDefinition language, AppliedLimits limits) =>
        limits.MemoryMb == (language.Limits.MemoryMb ?? _limits.MemoryMb.Default) && limits.Pids == (language.Limits.Pids ?? _limits.Pids.Default);

    /// <summary>Moves a started container to the limits a run asked for, when they differ.</summary>
    public async Task ApplyLimitsAsync(SandboxContainer container, AppliedLimits limits, CancellationToken cancellationToken)
    {
        if (container.MemoryMb == limits.MemoryMb && container.Pids == limits.Pids)
        {
            return;
        }
        var memoryBytes = (long)limits.MemoryMb * 1024 * 1024;
        await docker.Containers.UpdateContainerAsync(container.Id, new ContainerUpdateParameters
        {
            Memory = memoryBytes,
            MemorySwap = memoryBytes,
            PidsLimit = HostPidsLimit(container.Kind, limits.Pids),
        }, cancellationToken);
        container.MemoryMb = limits.MemoryMb;
        container.Pids = limits.Pids;
    }

    /// <summary>Reads the toolchain version the image recorded at build time (/opt/quicktry/version).</summary>
    public async Task<string?> ReadVersionAsync(string containerId, CancellationToken cancellationToken)
    {
        var archive = await docker.Containers.GetArchiveFromContainerAsync(
            containerId, new GetArchiveFromContainerParameters { Path = "/opt/quicktry/version" }, statOnly: false, cancellationToken);
        using var stream = archive.Stream;
        using var tar = new TarReader(stream);
        var entry = await tar.GetNextEntryAsync(copyData: true, cancellationToken);
        if (entry?.DataStream is null)
        {
            return null;
        }
        using var reader = new StreamReader(entry.DataStream);
        var version = (await reader.ReadToEndAsync(cancellationToken)).Trim();
        return version.Length == 0 ? null : version;
    }

    /// <summary>
    /// Reads an image's toolchain version without running anything: remembered by image id, or from a
    /// container that is created, never started, and removed at once. Languages without warm sandboxes learn their version this way at start-up,
    /// so a request can pick among a language's versions before any of them has run.
    /// </summary>
    public async Task<string?> ReadImageVersionAsync(LanguageDefinition language, SandboxKind kind, CancellationToken cancellationToken)
    {
        var imageId = (await docker.Images.InspectImageAsync(ImageOf(language), cancellationToken)).ID;
        if (versions.Find(imageId) is { } known)
        {
            return known;
        }
        var version = await ReadFromCreatedContainerAsync(language, kind, cancellationToken);
        if (version is not null)
        {
            versions.Remember(imageId, version);
            versions.Save();
        }
        return version;
    }

    private async Task<string?> ReadFromCreatedContainerAsync(LanguageDefinition language, SandboxKind kind, CancellationToken cancellationToken)
    {
        var created = await docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = ImageOf(language),
            Cmd = ["/bin/true"],
            NetworkDisabled = true,
            Labels = new Dictionary<string, string>
            {
                [SandboxLabels.Managed] = "true",
                [SandboxLabels.Instance] = _executor.InstanceName,
                [SandboxLabels.Language] = language.Name,
                [SandboxLabels.Slot] = "version",
                [SandboxLabels.Isolation] = kind.Isolation.ToWireName(),
                [SandboxLabels.Runtime] = kind.Runtime,
            },
            HostConfig = new HostConfig { NetworkMode = "none" },
        }, cancellationToken);
        try
        {
            return await ReadVersionAsync(created.ID, cancellationToken);
        }
        finally
        {
            await RemoveAsync(created.ID, CancellationToken.None);
        }
    }

    public async Task RemoveAsync(string containerId, CancellationToken cancellationToken)
    {
        try
        {
            await docker.Containers.RemoveContainerAsync(containerId, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone: what removal wanted.
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // "removal already in progress".
        }
    }
}
