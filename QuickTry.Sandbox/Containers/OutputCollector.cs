using System.Buffers;
using System.Globalization;
using System.Text;

namespace QuickTry.Sandbox.Containers;

/// <summary>
/// Splits the attached stdout/stderr of a sandbox into compile output, program output and the runner's
/// trailer (see docker-images/base/runner for the framing), keeping each under its cap while the program
/// runs. Memory use is bounded by the caps however much the program writes.
/// </summary>
internal sealed class OutputCollector : IDisposable
{
    /// <summary>Room kept after each stream's cap for the runner's end marker and trailer.</summary>
    internal const int TrailerSlack = 256;
    private const int MaxHeaderBytes = 128;

    private readonly string _nonce;
    private readonly int _cap;
    private readonly byte[] _endMarker;
    private readonly byte[] _verdictPrefix;
    private readonly StreamState _stdout;
    private readonly StreamState _stderr;
    // Arrival order of program output: which stream, how many kept bytes; runs of one stream merged.
    private readonly List<(bool Stderr, int Length)> _order = [];
    // A slot's runner writes the wipe's verdict on stdout after the end marker; it is not output.
    private readonly CappedBuffer _verdict = new(TrailerSlack);
    private bool _endSeen;
    // The archive of the run's out/ files, which follows the end marker when the job asked for it.
    private readonly int _artifactCap;
    private readonly byte[] _artifactPrefix;
    private readonly CappedBuffer _artifactHeader = new(MaxHeaderBytes);
    private byte[]? _artifacts;
    private int _artifactsReceived = -1;
    private bool _artifactsTruncated;
    // A live run's output, passed on as it arrives: never the runner's marks, never past the cap, never
    // half a UTF-8 character; what Finish returns is exactly what was passed on.
    private readonly Action<OutputStream, string>? _live;
    private readonly LiveCursor _stdoutLive = new();
    private readonly LiveCursor _stderrLive = new();

    /// <param name="artifactCap">The job's artifact bytes: the archive of out/ follows the end marker (0: none comes).</param>
    public OutputCollector(int outputCap, bool compiled, int compileCap, string nonce, Action<OutputStream, string>? live = null,
        int artifactCap = 0)
    {
        _artifactCap = artifactCap;
        _artifactPrefix = Encoding.ASCII.GetBytes($"\x1eQTA {nonce} ");
        _live = live;
        ExpectsCompile = compiled;
        _cap = outputCap;
        _nonce = nonce;
        _stdout = new StreamState(compiled, compileCap, outputCap + TrailerSlack);
        _stderr = new StreamState(compiled, compileCap, outputCap + TrailerSlack);
        _endMarker = Encoding.ASCII.GetBytes($"\x1eQTE {nonce}\x1e");
        _verdictPrefix = Encoding.ASCII.GetBytes($"\x1eQTW {nonce} ");
    }

    /// <summary>A stream went past its cap: the program must be stopped.</summary>
    public bool CapExceeded => _stdout.Program.Overflowed || _stderr.Program.Overflowed;

    /// <summary>The archive of out/ arrived whole (or no archive was asked for).</summary>
    private bool ArtifactsDone => _artifactCap == 0 || _artifactsReceived >= 0 && _artifactsReceived == (_artifacts?.Length ?? -1);

    /// <summary>The job has a compile step, whose report comes first.</summary>
    public bool ExpectsCompile { get; }

    /// <summary>The runner reported the end of the compile step (it writes stdout's header first).</summary>
    public bool CompileFinished => _stdout.CompileHeader is not null;

    /// <summary>The compiler's exit code, once <see cref="CompileFinished"/>.</summary>
    public int? CompileExitCode => _stdout.CompileHeader?.ExitCode;

    /// <summary>
    /// Both streams ended with the runner's end marks: everything has arrived, and there is no need to
    /// wait for the engine to close the streams of the exited container.
    /// </summary>
    public bool Complete { get; private set; }

    /// <summary>
    /// A slot's verdict on the wipe after the run (<c>ok</c> when the slot may serve another run), once it
    /// arrived; it follows the end marks, so keep appending after <see cref="Complete"/> to receive it.
    /// </summary>
    public string? WipeVerdict { get; private set; }

    /// <summary>The runner's framing was broken: something other than the runner wrote first.</summary>
    public string? ProtocolError { get; private set; }

    public void Append(bool isStderr, ReadOnlySpan<byte> data)
    {
        var state = isStderr ? _stderr : _stdout;
        while (!data.IsEmpty)
        {
            switch (state.Phase)
            {
                case Phase.Header:
                    var newline = data.IndexOf((byte)'\n');
                    var take = newline < 0 ? data.Length : newline;
                    if (state.Header.Length + take > MaxHeaderBytes)
                    {
                        ProtocolError ??= "compile header too long";
                        state.Phase = Phase.Program;
                        continue;
                    }
                    state.Header.Append(data[..take]);
                    if (newline < 0)
                    {
                        return;
                    }
                    data = data[(newline + 1)..];
                    StartCompileBody(state, isStderr);
                    break;
                case Phase.CompileBody:
                    var body = (int)Math.Min(data.Length, state.CompileRemaining);
                    state.Compile.Append(data[..body]);
                    state.CompileRemaining -= body;
                    data = data[body..];
                    if (state.CompileRemaining == 0)
                    {
                        state.Phase = Phase.Program;
                    }
                    break;
                default:
                    if (!isStderr && _endSeen)
                    {
                        AppendAfterEnd(data);
                        UpdateComplete(isStderr, data);
                        return;
                    }
                    // What follows stdout's end marker (the archive of out/, the wipe's verdict) is not output.
                    var after = ReadOnlySpan<byte>.Empty;
                    if (!isStderr && EndOfMarker(data) is var cut and >= 0)
                    {
                        after = data[cut..];
                        data = data[..cut];
                        _endSeen = true;
                    }
                    var before = state.Program.Length;
                    state.Program.Append(data);
                    Record(isStderr, state.Program.Length - before);
                    PassOn(isStderr, final: false);
                    AppendAfterEnd(after);
                    UpdateComplete(isStderr, data);
                    return;
            }
        }
    }

    /// <summary>
    /// Where in <paramref name="data"/> stdout's end marker ends, or -1: found in it, or begun in what was
    /// kept before and finished in it. Found before the bytes are kept, so what follows the marker in the
    /// same read (an archive of out/ larger than the output cap) never counts as output.
    /// </summary>
    private int EndOfMarker(ReadOnlySpan<byte> data)
    {
        var at = data.IndexOf(_endMarker);
        if (at >= 0)
        {
            return at + _endMarker.Length;
        }
        var kept = _stdout.Program.Span;
        for (var k = Math.Min(_endMarker.Length - 1, data.Length); k >= 1; k--)
        {
            if (data[..k].SequenceEqual(_endMarker.AsSpan(_endMarker.Length - k)) && kept.EndsWith(_endMarker.AsSpan(0, _endMarker.Length - k)))
            {
                return k;
            }
        }
        return -1;
    }

    /// <summary>Everything arrived: both end marks, and the archive of out/ when the job asked for one.</summary>
    private void UpdateComplete(bool isStderr, ReadOnlySpan<byte> data)
    {
        if (Complete || !_endSeen || !ArtifactsDone || isStderr && (data.IsEmpty || data[^1] != 0x1e))
        {
            return;
        }
        Complete = Trailer(_stderr.Program.Span).Length > 0;
    }

    /// <summary>
    /// stdout after the end marker: "\x1eQTA nonce length truncated\n" and the archive (when asked for),
    /// then a slot's wipe verdict. The runner writes both after every process of the run is gone.
    /// </summary>
    private void AppendAfterEnd(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && !ArtifactsDone)
        {
            if (_artifacts is null)
            {
                var newline = data.IndexOf((byte)'\n');
                var take = newline < 0 ? data.Length : newline;
                if (_artifactHeader.Length + take > MaxHeaderBytes)
                {
                    FailArtifacts("artifacts header too long");
                    return;
                }
                _artifactHeader.Append(data[..take]);
                if (newline < 0)
                {
                    return;
                }
                data = data[(newline + 1)..];
                var header = _artifactHeader.Span;
                var fields = header.StartsWith(_artifactPrefix)
                    ? Encoding.ASCII.GetString(header[_artifactPrefix.Length..]).Split(' ')
                    : [];
                if (fields is not [var length, var truncated]
                    || !int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) || bytes > _artifactCap
                    || truncated is not ("0" or "1"))
                {
                    FailArtifacts("malformed artifacts header");
                    return;
                }
                _artifacts = new byte[bytes];
                _artifactsReceived = 0;
                _artifactsTruncated = truncated == "1";
                continue;
            }
            var body = Math.Min(data.Length, _artifacts.Length - _artifactsReceived);
            data[..body].CopyTo(_artifacts.AsSpan(_artifactsReceived));
            _artifactsReceived += body;
            data = data[body..];
        }
        AppendVerdict(data);
    }

    private void FailArtifacts(string error)
    {
        ProtocolError ??= error;
        _artifacts = [];
        _artifactsReceived = 0;
    }

    private void AppendVerdict(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty || WipeVerdict is not null)
        {
            return;
        }
        _verdict.Append(data);
        var verdict = _verdict.Span;
        if (verdict.Length < 2 || verdict[^1] != 0x1e)
        {
            if (_verdict.Overflowed)
            {
                WipeVerdict = "malformed";
            }
            return;
        }
        WipeVerdict = verdict.StartsWith(_verdictPrefix)
            ? Encoding.ASCII.GetString(verdict[_verdictPrefix.Length..^1])
            : "malformed";
    }

    private void StartCompileBody(StreamState state, bool isStderr)
    {
        // stdout: "\x1eQTC <exit> <elapsed us> <length> <truncated>"; stderr: "\x1eQTC <length> <truncated>".
        var text = Encoding.ASCII.GetString(state.Header.Span);
        var fields = text.TrimStart('\x1e').Split(' ');
        var expected = isStderr ? 3 : 5;
        // The header is written by the runner, but the bytes around it pass through a stream the
        // compiler also wrote to: every field is checked before it is believed.
        var exitCode = 0;
        var elapsedMicros = 0L;
        if (fields.Length != expected || fields[0] != "QTC"
            || !long.TryParse(fields[^2], CultureInfo.InvariantCulture, out var length) || length < 0
            || !isStderr && (!int.TryParse(fields[1], CultureInfo.InvariantCulture, out exitCode)
                             || !long.TryParse(fields[2], CultureInfo.InvariantCulture, out elapsedMicros) || elapsedMicros < 0))
        {
            ProtocolError ??= "malformed compile header";
            state.Phase = Phase.Program;
            return;
        }
        state.CompileTruncated = fields[^1] == "1";
        if (!isStderr)
        {
            state.CompileHeader = new CompileHeader(exitCode, elapsedMicros);
        }
        state.CompileRemaining = length;
        state.Phase = length == 0 ? Phase.Program : Phase.CompileBody;
    }

    /// <summary>Call once the streams ended (or <see cref="Complete"/>): separates the end marks and returns what was collected.</summary>
    public CollectedOutput Finish()
    {
        var stdoutOffered = _stdout.Program.Offered;
        var stderrOffered = _stderr.Program.Offered;
        var markerLength = EndMarker(_stdout.Program.Span);
        var (trailer, trailerLength) = Trailer(_stderr.Program.Span);
        _stdout.Program.Shorten(Math.Min(_cap, _stdout.Program.Length - markerLength));
        _stderr.Program.Shorten(Math.Min(_cap, _stderr.Program.Length - trailerLength));
        PassOn(isStderr: false, final: true);
        PassOn(isStderr: true, final: true);
        var stdoutTruncated = stdoutOffered - markerLength > _cap;
        var stderrTruncated = stderrOffered - trailerLength > _cap;

        CollectedCompile? compile = null;
        if (_stdout.CompileHeader is { } header)
        {
            var compileOut = Decode(_stdout.Compile.Span);
            var compileErr = Decode(_stderr.Compile.Span);
            compile = new CollectedCompile(header.ExitCode, header.ElapsedMicros / 1000.0, compileOut, compileErr,
                _stdout.CompileTruncated || _stderr.CompileTruncated);
        }
        return new CollectedOutput(
            Decode(_stdout.Program.Span),
            Decode(_stderr.Program.Span),
            Interleave(),
            stdoutTruncated,
            stderrTruncated,
            compile,
            trailer,
            _artifactCap > 0 && ArtifactsDone && ProtocolError is null ? _artifacts : null,
            _artifactsTruncated);
    }

    /// <summary>
    /// Passes on a live run's new output of one stream: up to the cap, and short of any mark byte (0x1e)
    /// near the end, which may be the start of the runner's end mark or trailer. <paramref name="final"/>
    /// passes on the rest, once <see cref="Finish"/> has removed the marks.
    /// </summary>
    private void PassOn(bool isStderr, bool final)
    {
        if (_live is null)
        {
            return;
        }
        var span = (isStderr ? _stderr : _stdout).Program.Span;
        var cursor = isStderr ? _stderrLive : _stdoutLive;
        var safe = Math.Min(span.Length, _cap);
        if (!final)
        {
            if (!isStderr && _endSeen)
            {
                safe = Math.Min(safe, span.Length - _endMarker.Length);
            }
            var holdBack = isStderr ? TrailerSlack : _endMarker.Length;
            var from = Math.Max(cursor.Passed, safe - holdBack);
            if (from < safe)
            {
                var mark = span[from..safe].IndexOf((byte)0x1e);
                if (mark >= 0)
                {
                    safe = from + mark;
                }
            }
        }
        if (safe < cursor.Passed || safe == cursor.Passed && !final)
        {
            return;
        }
        var chunk = span[cursor.Passed..safe];
        var chars = new char[cursor.Decoder.GetCharCount(chunk, flush: final)];
        var count = cursor.Decoder.GetChars(chunk, chars, flush: final);
        cursor.Passed = safe;
        if (count > 0)
        {
            _live(isStderr ? OutputStream.Stderr : OutputStream.Stdout, new string(chars, 0, count));
        }
    }

    private void Record(bool isStderr, int kept)
    {
        if (kept == 0)
        {
            return;
        }
        if (_order.Count > 0 && _order[^1].Stderr == isStderr)
        {
            _order[^1] = (isStderr, _order[^1].Length + kept);
        }
        else
        {
            _order.Add((isStderr, kept));
        }
    }

    /// <summary>Both streams' final bytes (caps and end marks removed) in the order they arrived, decoded.</summary>
    private string Interleave()
    {
        var output = ArrayPool<byte>.Shared.Rent(Math.Max(1, _stdout.Program.Length + _stderr.Program.Length));
        int outTaken = 0, errTaken = 0, written = 0;
        foreach (var (isStderr, length) in _order)
        {
            var source = isStderr ? _stderr.Program.Span : _stdout.Program.Span;
            ref var taken = ref isStderr ? ref errTaken : ref outTaken;
            var take = Math.Min(length, source.Length - taken);
            if (take <= 0)
            {
                continue;
            }
            source.Slice(taken, take).CopyTo(output.AsSpan(written));
            taken += take;
            written += take;
        }
        var text = Decode(output.AsSpan(0, written));
        ArrayPool<byte>.Shared.Return(output);
        return text;
    }

    /// <summary>Length of the end marker ("\x1eQTE nonce\x1e") stdout ends with, or 0.</summary>
    private int EndMarker(ReadOnlySpan<byte> span) => span.EndsWith(_endMarker) ? _endMarker.Length : 0;

    /// <summary>The trailer stderr ends with, and its length; (null, 0) when there is none of ours.</summary>
    private (RunnerTrailer?, int Length) Trailer(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty || span[^1] != 0x1e)
        {
            return (null, 0);
        }
        var start = span[..^1].LastIndexOf((byte)0x1e);
        if (start < 0 || span.Length - start > TrailerSlack)
        {
            return (null, 0);
        }
        var trailerBytes = span[start..];
        var fields = Encoding.ASCII.GetString(trailerBytes[1..^1]).Split(' ');
        if (fields is not ["QTR", var nonce, var code, var wall, var cpu, var peak, var rss, var ooms, var timedOut]
            || nonce != _nonce
            || !int.TryParse(code, CultureInfo.InvariantCulture, out var exitCode)
            || !long.TryParse(wall, CultureInfo.InvariantCulture, out var wallMicros)
            || !long.TryParse(cpu, CultureInfo.InvariantCulture, out var cpuNanos)
            || !long.TryParse(peak, CultureInfo.InvariantCulture, out var peakBytes)
            || !long.TryParse(rss, CultureInfo.InvariantCulture, out var rssBytes)
            || !int.TryParse(ooms, CultureInfo.InvariantCulture, out var oomKills)
            || timedOut is not ("0" or "1"))
        {
            return (null, 0);
        }
        return (new RunnerTrailer(exitCode, wallMicros / 1000.0,
            cpuNanos < 0 ? null : cpuNanos / 1_000_000.0,
            peakBytes < 0 ? null : peakBytes,
            rssBytes < 0 ? null : rssBytes,
            oomKills > 0,
            timedOut == "1"), trailerBytes.Length);
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    public void Dispose()
    {
        foreach (var state in new[] { _stdout, _stderr })
        {
            state.Header.Dispose();
            state.Compile.Dispose();
            state.Program.Dispose();
        }
        _verdict.Dispose();
    }

    private enum Phase { Header, CompileBody, Program }

    /// <summary>How much of a stream's program output a live run has passed on, and the partial character it holds.</summary>
    private sealed class LiveCursor
    {
        public int Passed { get; set; }
        public Decoder Decoder { get; } = Encoding.UTF8.GetDecoder();
    }

    private sealed record CompileHeader(int ExitCode, long ElapsedMicros);

    private sealed class StreamState(bool compiled, int compileCap, int programCap)
    {
        public Phase Phase { get; set; } = compiled ? Phase.Header : Phase.Program;
        public CappedBuffer Header { get; } = new(MaxHeaderBytes);
        public CappedBuffer Compile { get; } = new(compileCap);
        public long CompileRemaining { get; set; }
        public bool CompileTruncated { get; set; }
        public CompileHeader? CompileHeader { get; set; }
        public CappedBuffer Program { get; } = new(programCap);
    }
}

/// <summary>What the runner reports after the program ended.</summary>
/// <param name="PeakMemoryBytes">The container's memory peak (spans every run of a slot unless reset).</param>
/// <param name="LargestRssBytes">The largest resident size among the run's processes.</param>
/// <param name="OomKilled">The kernel's OOM killer struck during this run.</param>
/// <param name="TimedOut">The runner killed the program at its time limit.</param>
internal sealed record RunnerTrailer(int ExitCode, double WallTimeMs, double? CpuTimeMs, long? PeakMemoryBytes,
    long? LargestRssBytes, bool OomKilled, bool TimedOut);

internal sealed record CollectedCompile(int ExitCode, double WallTimeMs, string Stdout, string Stderr, bool Truncated);

internal sealed record CollectedOutput(
    string Stdout,
    string Stderr,
    string Output,
    bool StdoutTruncated,
    bool StderrTruncated,
    CollectedCompile? Compile,
    RunnerTrailer? Trailer,
    byte[]? Artifacts = null,
    bool ArtifactsTruncated = false);
