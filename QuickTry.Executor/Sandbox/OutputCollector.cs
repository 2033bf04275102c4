using System.Globalization;
using System.Text;

namespace QuickTry.Executor.Sandbox;

/// <summary>
/// Splits the attached stdout/stderr of a sandbox into compile output, program output and the runner's
/// trailer (see docker-images/base/runner for the framing), keeping each under its cap while the program
/// runs. Memory use is bounded by the caps however much the program writes.
/// </summary>
internal sealed class OutputCollector
{
    /// <summary>Room kept after stderr's cap for the trailer, which the runner writes last.</summary>
    internal const int TrailerSlack = 256;
    private const int MaxHeaderBytes = 128;

    private readonly string _nonce;
    private readonly int _cap;
    private readonly StreamState _stdout;
    private readonly StreamState _stderr;
    private readonly CappedBuffer _combined;

    public OutputCollector(int outputCap, bool compiled, int compileCap, string nonce)
    {
        _cap = outputCap;
        _nonce = nonce;
        _stdout = new StreamState(compiled, compileCap, outputCap);
        _stderr = new StreamState(compiled, compileCap, outputCap + TrailerSlack);
        _combined = new CappedBuffer(2 * outputCap + TrailerSlack);
    }

    /// <summary>A stream went past its cap: the program must be stopped.</summary>
    public bool CapExceeded => _stdout.Program.Overflowed || _stderr.Program.Overflowed;

    /// <summary>The runner reported the end of the compile step (it writes stdout's header first).</summary>
    public bool CompileFinished => _stdout.CompileHeader is not null;

    /// <summary>The compiler's exit code, once <see cref="CompileFinished"/>.</summary>
    public int? CompileExitCode => _stdout.CompileHeader?.ExitCode;

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
                    var before = state.Program.Length;
                    state.Program.Append(data);
                    _combined.Append(data[..(state.Program.Length - before)]);
                    return;
            }
        }
    }

    private void StartCompileBody(StreamState state, bool isStderr)
    {
        // stdout: "\x1eQTC <exit> <elapsed us> <length> <truncated>"; stderr: "\x1eQTC <length> <truncated>".
        var text = Encoding.ASCII.GetString(state.Header.Span);
        var fields = text.TrimStart('\x1e').Split(' ');
        var expected = isStderr ? 3 : 5;
        if (fields.Length != expected || fields[0] != "QTC"
            || !long.TryParse(fields[^2], CultureInfo.InvariantCulture, out var length) || length < 0)
        {
            ProtocolError ??= "malformed compile header";
            state.Phase = Phase.Program;
            return;
        }
        state.CompileTruncated = fields[^1] == "1";
        if (!isStderr)
        {
            state.CompileHeader = new CompileHeader(
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[2], CultureInfo.InvariantCulture));
        }
        state.CompileRemaining = length;
        state.Phase = length == 0 ? Phase.Program : Phase.CompileBody;
    }

    /// <summary>Call once the streams ended: separates the trailer and returns what was collected.</summary>
    public CollectedOutput Finish()
    {
        var stderrOffered = _stderr.Program.Offered;
        var (trailer, trailerLength) = TakeTrailer();
        var stderrTruncated = stderrOffered - trailerLength > _cap;
        _stderr.Program.Shorten(_cap);

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
            Decode(_combined.Span),
            _stdout.Program.Overflowed,
            stderrTruncated,
            compile,
            trailer);
    }

    private (RunnerTrailer?, int Length) TakeTrailer()
    {
        var span = _stderr.Program.Span;
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
        if (fields is not ["QTR", var nonce, var code, var wall, var cpu, var memory] || nonce != _nonce
            || !int.TryParse(code, CultureInfo.InvariantCulture, out var exitCode)
            || !long.TryParse(wall, CultureInfo.InvariantCulture, out var wallMicros)
            || !long.TryParse(cpu, CultureInfo.InvariantCulture, out var cpuNanos)
            || !long.TryParse(memory, CultureInfo.InvariantCulture, out var peakBytes))
        {
            return (null, 0);
        }
        if (_combined.EndsWith(trailerBytes))
        {
            _combined.Shorten(_combined.Length - trailerBytes.Length);
        }
        var length = trailerBytes.Length;
        _stderr.Program.Shorten(start);
        return (new RunnerTrailer(exitCode, wallMicros / 1000.0,
            cpuNanos < 0 ? null : cpuNanos / 1_000_000.0,
            peakBytes < 0 ? null : peakBytes), length);
    }

    private static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private enum Phase { Header, CompileBody, Program }

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
internal sealed record RunnerTrailer(int ExitCode, double WallTimeMs, double? CpuTimeMs, long? PeakMemoryBytes);

internal sealed record CollectedCompile(int ExitCode, double WallTimeMs, string Stdout, string Stderr, bool Truncated);

internal sealed record CollectedOutput(
    string Stdout,
    string Stderr,
    string Output,
    bool StdoutTruncated,
    bool StderrTruncated,
    CollectedCompile? Compile,
    RunnerTrailer? Trailer);
