using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Docker.DotNet;
using Docker.DotNet.Models;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Sessions;

/// <summary>
/// A Python session's Jupyter kernel: <c>/opt/quicktry/kernel-bridge</c> started in the session's sandbox as
/// the session's uid (a Docker exec whose streams stay attached), which runs ipykernel and answers each
/// cell in a line of JSON. Variables live in the kernel between runs. A cell past its time limit, or a
/// kernel that dies, ends the kernel (every process of the session's uid is killed); the next run starts a
/// new one, and the session's files stay. Everything the kernel does is the session's uid's: it can reach
/// nothing a run of the session could not.
/// </summary>
internal sealed class SessionKernel(IDockerClient docker, SandboxContainer container) : IAsyncDisposable
{
    public const string BridgePath = "/opt/quicktry/kernel-bridge";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // The kernel's files (its connection file, IPython's folder) stay out of the session's own.
    private static readonly IList<string> Environment =
    [
        "JUPYTER_RUNTIME_DIR=/tmp/.quicktry-jupyter/runtime",
        "JUPYTER_DATA_DIR=/tmp/.quicktry-jupyter/data",
        "JUPYTER_CONFIG_DIR=/tmp/.quicktry-jupyter/config",
        "IPYTHONDIR=/tmp/.quicktry-jupyter/ipython",
        "PYTHONUNBUFFERED=1",
    ];

    private MultiplexedStream? _stream;
    private readonly StringBuilder _pending = new();
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _requests;

    /// <summary>Whether a kernel is running (started, and not ended since).</summary>
    public bool Running => _stream is not null;

    /// <summary>How many kernels this session has started (more than one: one died or was ended).</summary>
    public int Starts { get; private set; }

    private readonly object _startLock = new();
    private Task? _starting;

    /// <summary>Starts the kernel unless it runs or is starting; completes once it answers.</summary>
    public Task StartAsync()
    {
        lock (_startLock)
        {
            if (_starting is null || _starting.IsFaulted || _starting.IsCompletedSuccessfully && _stream is null)
            {
                _starting = StartCoreAsync(CancellationToken.None);
            }
            return _starting;
        }
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        var uid = container.FirstUid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = await docker.Exec.ExecCreateContainerAsync(container.Id, new ContainerExecCreateParameters
        {
            User = $"{uid}:{uid}",
            Cmd = ["python3", BridgePath],
            Env = Environment,
            WorkingDir = SandboxContainerFactory.WorkDir,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            Tty = false,
        }, cancellationToken);
        _stream = await docker.Exec.StartAndAttachContainerExecAsync(created.ID, tty: false, cancellationToken);
        _pending.Clear();
        Starts++;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        var ready = await ReadLineAsync(timeout.Token);
        if (ready is null || !ready.Contains("\"ready\"", StringComparison.Ordinal))
        {
            await EndAsync();
            throw new IOException("The Python kernel did not start.");
        }
    }

    /// <summary>
    /// Runs a cell. Without an answer when the kernel did not answer within <paramref name="timeLimit"/> (it
    /// is then ended) or ended without one; <see cref="Running"/> is then false.
    /// </summary>
    public async Task<KernelOutcome> ExecuteAsync(string code, int outputBytes, int artifactBytes, TimeSpan timeLimit, CancellationToken cancellationToken)
    {
        if (_stream is null)
        {
            throw new InvalidOperationException("The kernel is not running.");
        }
        var id = (++_requests).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { id, code, outputBytes, artifactBytes }, Json) + "\n");
        await _stream.WriteAsync(line, 0, line.Length, cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeLimit);
        try
        {
            while (await ReadLineAsync(limit.Token) is { } answer)
            {
                var parsed = JsonSerializer.Deserialize<KernelAnswer>(answer, Json);
                if (parsed?.Id == id)
                {
                    if (parsed.KernelDied)
                    {
                        await EndAsync();
                    }
                    return new KernelOutcome(parsed, TimedOut: false);
                }
            }
            await EndAsync();
            return new KernelOutcome(null, TimedOut: false);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Past the time limit: the kernel goes, with whatever the cell started.
            await EndAsync();
            return new KernelOutcome(null, TimedOut: true);
        }
    }

    /// <summary>One line of the bridge's stdout, or null when it ended.</summary>
    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var text = _pending.ToString();
            var newline = text.IndexOf('\n');
            if (newline >= 0)
            {
                _pending.Remove(0, newline + 1);
                return text[..newline];
            }
            var stream = _stream ?? throw new IOException("The kernel ended.");
            // Reads on the attached stream ignore cancellation; disposing the stream ends them.
            await using var onCancel = cancellationToken.Register(() => stream.Dispose());
            MultiplexedStream.ReadResult read;
            try
            {
                read = await stream.ReadOutputAsync(_buffer, 0, _buffer.Length, CancellationToken.None);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }
            if (read.EOF)
            {
                // A disposed stream may end as EOF rather than fail: past the limit is still past the limit.
                cancellationToken.ThrowIfCancellationRequested();
                return null;
            }
            if (read.Target == MultiplexedStream.TargetStream.StandardOut)
            {
                if (_pending.Length > 64 * 1024 * 1024)
                {
                    throw new IOException("The kernel's answer is too long.");
                }
                _pending.Append(Encoding.UTF8.GetString(_buffer, 0, read.Count));
            }
        }
    }

    /// <summary>Ends the kernel: every process of the session's uid is killed, the bridge's stream closed.</summary>
    public async Task EndAsync()
    {
        var stream = _stream;
        _stream = null;
        stream?.Dispose();
        try
        {
            var uid = container.FirstUid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var kill = await docker.Exec.ExecCreateContainerAsync(container.Id, new ContainerExecCreateParameters
            {
                User = $"{uid}:{uid}",
                Cmd = ["bash", "-c", "kill -KILL -1 2>/dev/null; exit 0"],
            });
            using var killing = await docker.Exec.StartAndAttachContainerExecAsync(kill.ID, tty: false);
            await killing.ReadOutputToEndAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            // The sandbox is gone: so is the kernel.
        }
    }

    public async ValueTask DisposeAsync() => await EndAsync();
}

/// <summary>The kernel's answer to one cell (see the bridge script).</summary>
internal sealed record KernelAnswer
{
    public string? Id { get; init; }
    public string Status { get; init; } = "error";
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    public bool StdoutTruncated { get; init; }
    public bool StderrTruncated { get; init; }
    public IReadOnlyList<RichOutput> Outputs { get; init; } = [];
    public int? ExecutionCount { get; init; }
    public double? CpuTimeMs { get; init; }
    public bool KernelDied { get; init; }
    public bool OomKilled { get; init; }

    /// <summary>The files the cell wrote under out/ (the bridge reads them: no process per cell).</summary>
    public IReadOnlyList<KernelArtifact> Artifacts { get; init; } = [];
    public bool ArtifactsTruncated { get; init; }
}

internal sealed record KernelArtifact(string Path, long Size, string Data);

/// <summary>A cell's end: the kernel's answer, or none because it ran past its time limit (the kernel was ended) or the kernel ended.</summary>
internal sealed record KernelOutcome(KernelAnswer? Answer, bool TimedOut);
