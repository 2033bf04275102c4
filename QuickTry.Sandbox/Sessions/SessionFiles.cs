using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Sandbox.Sessions;

/// <summary>
/// A session's files, read and written by a process started in its sandbox as the session's own uid (a
/// Docker exec): it can reach nothing the session's runs could not. The scripts are constants; the path is
/// their argument, never evaluated. The contract's <see cref="SessionPaths"/> rule is checked first, and the scripts refuse a path
/// that resolves (through a link the session made) outside the session's folder.
/// </summary>
internal sealed class SessionFiles(IDockerClient docker)
{
    // The longest a file call may take (a file of the session's whole disk included).
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    // Exit codes the scripts use: not found, outside the folder (or not a file), over the disk quota.
    private const int NotFound = 44;
    private const int Outside = 43;
    private const int NoSpace = 45;

    private const string ReadScript = """
        p=$(realpath -e -- "/box/$1" 2>/dev/null) || exit 44
        [[ $p == /box/* ]] || exit 43
        [[ -f $p ]] || exit 44
        exec cat -- "$p"
        """;

    private const string WriteScript = """
        d=$(dirname -- "/box/$1")
        mkdir -p -- "$d" 2>/dev/null || exit 43
        r=$(realpath -e -- "$d" 2>/dev/null) || exit 43
        [[ $r == /box || $r == /box/* ]] || exit 43
        f="$r/$(basename -- "$1")"
        [[ -L $f || -d $f ]] && exit 43
        cat >"$f" 2>/dev/null || { rm -f -- "$f"; exit 45; }
        """;

    private const string ListScript = """
        cd /box && find . -mindepth 1 -type f -printf '%P\0%s\0' | head -c 4194304
        """;

    public async Task<FileRead> ReadAsync(SandboxContainer container, string path, long maxBytes, CancellationToken cancellationToken)
    {
        var (code, output, _) = await ExecAsync(container, ["bash", "-c", ReadScript, "session-file", path], null, maxBytes, cancellationToken);
        return code switch
        {
            0 when output is not null => new FileRead.Found(output),
            0 => new FileRead.TooLarge(),
            NotFound => new FileRead.Missing(),
            Outside => new FileRead.Outside(),
            _ => throw new IOException($"Reading a session file failed (exit {code})."),
        };
    }

    public async Task<FileWrite> WriteAsync(SandboxContainer container, string path, Stream content, CancellationToken cancellationToken)
    {
        var (code, _, _) = await ExecAsync(container, ["bash", "-c", WriteScript, "session-file", path], content, 0, cancellationToken);
        return code switch
        {
            0 => FileWrite.Written,
            Outside => FileWrite.Outside,
            NoSpace => FileWrite.NoSpace,
            _ => throw new IOException($"Writing a session file failed (exit {code})."),
        };
    }

    public async Task<IReadOnlyList<SessionFile>> ListAsync(SandboxContainer container, CancellationToken cancellationToken)
    {
        var (code, output, _) = await ExecAsync(container, ["bash", "-c", ListScript], null, 4 * 1024 * 1024 + 1, cancellationToken);
        if (code != 0 || output is null)
        {
            throw new IOException($"Listing the session's files failed (exit {code}).");
        }
        var fields = Encoding.UTF8.GetString(output).Split('\0');
        var files = new List<SessionFile>();
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            if (long.TryParse(fields[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var size))
            {
                files.Add(new SessionFile(fields[i], size));
            }
        }
        return [.. files.OrderBy(f => f.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Runs <paramref name="command"/> in the sandbox as the session's uid; returns its exit code, its stdout
    /// (null when longer than <paramref name="maxOutput"/>) and the start of its stderr.
    /// </summary>
    private async Task<(long ExitCode, byte[]? Stdout, string Stderr)> ExecAsync(SandboxContainer container, IList<string> command,
        Stream? stdin, long maxOutput, CancellationToken cancellationToken)
    {
        var uid = container.FirstUid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = await docker.Exec.ExecCreateContainerAsync(container.Id, new ContainerExecCreateParameters
        {
            User = $"{uid}:{uid}",
            Cmd = command,
            WorkingDir = SandboxContainerFactory.WorkDir,
            AttachStdin = stdin is not null,
            AttachStdout = true,
            AttachStderr = true,
            Privileged = false,
            Tty = false,
        }, cancellationToken);
        using var stream = await docker.Exec.StartAndAttachContainerExecAsync(created.ID, tty: false, cancellationToken);
        // Reads on the attached stream ignore cancellation (and under gVisor may never end once the sandbox is
        // removed): a cancelled call, or one past its bound, disposes the stream.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(CallTimeout);
        await using var onCancel = bound.Token.Register(stream.Dispose);
        // A script that refuses a file ends before its content has all been sent: the rest has nowhere to go.
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = stdin is null ? Task.CompletedTask : WriteAllAsync(stream, stdin, stopWriting.Token);
        using var stdout = new MemoryStream();
        var stderr = new StringBuilder();
        var tooLong = false;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            MultiplexedStream.ReadResult read;
            try
            {
                read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, bound.Token);
            }
            catch (Exception e) when (bound.IsCancellationRequested && e is IOException or ObjectDisposedException)
            {
                throw new OperationCanceledException("The session file call was stopped.", e, bound.Token);
            }
            if (read.EOF)
            {
                bound.Token.ThrowIfCancellationRequested();
                break;
            }
            if (read.Target == MultiplexedStream.TargetStream.StandardOut)
            {
                if (stdout.Length + read.Count > maxOutput)
                {
                    tooLong = true;
                    continue;
                }
                stdout.Write(buffer, 0, read.Count);
            }
            else if (stderr.Length < 4096)
            {
                stderr.Append(Encoding.UTF8.GetString(buffer, 0, read.Count));
            }
        }
        await stopWriting.CancelAsync();
        try
        {
            await writing.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        }
        catch (TimeoutException)
        {
            // Blocked on a stream nobody reads any more; disposing the stream below ends it.
        }
        // The streams close as the process exits; its exit code follows within moments.
        for (var attempt = 0; ; attempt++)
        {
            var inspect = await docker.Exec.InspectContainerExecAsync(created.ID, cancellationToken);
            if (!inspect.Running || attempt == 50)
            {
                return (inspect.Running ? -1 : inspect.ExitCode, tooLong ? null : stdout.ToArray(), stderr.ToString());
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    private static async Task WriteAllAsync(MultiplexedStream stream, Stream content, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await stream.WriteAsync(buffer, 0, read, cancellationToken);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The script ended early (the path was refused, or the disk is full): it says which.
            return;
        }
        try
        {
            stream.CloseWrite();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>What reading a session file found.</summary>
public abstract record FileRead
{
    public sealed record Found(byte[] Content) : FileRead;
    public sealed record Missing : FileRead;
    public sealed record Outside : FileRead;
    public sealed record TooLarge : FileRead;
}

/// <summary>What writing a session file did: written, refused (its folder leads outside the session's), or over the disk quota.</summary>
public enum FileWrite { Written, Outside, NoSpace }
