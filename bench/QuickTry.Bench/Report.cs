using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace QuickTry.Bench;

/// <param name="Api">Through the API with isolation <c>slot</c> (the default).</param>
/// <param name="ApiContainer">Through the API with isolation <c>container</c> (a fresh container per run).</param>
/// <param name="ApiGVisor">Through the API with isolation <c>slot</c> under gVisor (<c>runsc</c>).</param>
internal sealed record LatencyRow(string Language, Stats Api, Stats ApiContainer, Stats ApiGVisor, Stats Docker, Stats? Host);

/// <param name="CompileMs">The compile step's wall time as the result reports it (p50; 0 for interpreted languages).</param>
/// <param name="RunMs">The run step's wall time as the result reports it (p50).</param>
/// <param name="CompileAndRunMs">Compile plus run, per run (p50).</param>
/// <param name="Call">The whole <c>POST /run</c>, as the client saw it.</param>
internal sealed record LanguageRow(string Name, string Version, bool Compiled, double CompileMs, double RunMs, double CompileAndRunMs, Stats Call);

internal sealed record ThroughputRow(int Concurrency, double ApiPerSecond, Stats Api, double ContainerPerSecond, Stats Container,
    double GVisorPerSecond, Stats GVisor, double DockerPerSecond, Stats Docker);

/// <param name="Api">Through the API and the run queue (the default path).</param>
/// <param name="ApiDirect">Through an API replica with the queue off, calling the executor over HTTP (the path before the queue).</param>
/// <param name="Direct">Straight to the executor's internal endpoint.</param>
internal sealed record GatewayRow(Stats Api, Stats ApiDirect, Stats Direct);

/// <param name="FirstOutput">A streamed run's first output (printed before a 500 ms sleep).</param>
/// <param name="StreamedResult">The same run's result, streamed.</param>
/// <param name="WholeResult">The same run through plain <c>POST /run</c>.</param>
/// <param name="HelloWhole">A hello world through plain <c>POST /run</c>.</param>
internal sealed record LiveRow(Stats FirstOutput, Stats StreamedResult, Stats WholeResult, Stats HelloWhole);

/// <param name="SlotCpu">Host CPU busy (0..1) while the slot runs were measured.</param>
/// <param name="SlotCores">Each core's busy fraction while the slot runs were measured (CPU 0 first).</param>
internal sealed record ScaleOutRow(int Executors, double SlotPerSecond, Stats Slot, double SlotCpu, double ContainerPerSecond, Stats Container, double ContainerCpu,
    IReadOnlyList<double> SlotCores, IReadOnlyList<double> ContainerCores);

/// <param name="Judged">One <c>POST /run</c> with every case (judge mode): compiled once.</param>
/// <param name="Separate">The same cases as separate runs, one after another: compiled per run.</param>
/// <param name="SeparateConcurrent">The same separate runs, as many at once as the executor has slots.</param>
/// <param name="DockerRuns">The same cases as a <c>docker run --rm</c> each, one after another (null when not measured).</param>
/// <param name="Open">POST /sessions (python3), each closed again before the next.</param>
/// <param name="Increment">x += 1; x in the session's kernel.</param>
/// <param name="IncrementInKernelMs">p50 of those cells' wall time as the executor measured it: from the executor into the kernel and back.</param>
/// <param name="Hello">The baseline: python3 hello world through POST /run, between the same calls.</param>
/// <param name="FirstFigure">The first matplotlib figure of the session (matplotlib imported in the kernel).</param>
/// <param name="Figure">Later figures, each returned as image/png.</param>
internal sealed record FloorLatency(string Language, Stats Api, Stats ApiGVisor, Stats? Host);

internal sealed record FloorRow(List<FloorLatency> Latency, double? GVisorCpuTimeMs, double GVisorWallTimeMs, double ApiPerSecond8, Stats Api8,
    double DockerPerSecond8, Stats Docker8, long MemoryBaseline, long MemoryFloodPeak, int FloodRuns, int FloodFailures);

internal sealed record SessionsRow(Stats Open, Stats Increment, double IncrementInKernelMs, Stats Hello, Sample FirstFigure, Stats Figure);

internal sealed record JudgeRow(string Language, int Cases, Stats Judged, Stats Separate, Stats SeparateConcurrent, Stats? DockerRuns);

/// <summary>Host CPU busy time between two readings of /proc/stat.</summary>
internal sealed class CpuSampler
{
    // The machine's line first ("cpu"), then one per core ("cpu0", "cpu1", ...).
    private readonly (long Busy, long Total)[] _start = Read();

    public static CpuSampler Start() => new();

    /// <summary>The whole machine's busy fraction since the start.</summary>
    public double BusyFraction() => Busy()[0];

    /// <summary>Each core's busy fraction since the start, CPU 0 first.</summary>
    public IReadOnlyList<double> CoreBusyFractions() => Busy()[1..];

    private double[] Busy()
    {
        var end = Read();
        return [.. end.Zip(_start, (e, s) => e.Total - s.Total <= 0 ? double.NaN : (double)(e.Busy - s.Busy) / (e.Total - s.Total))];
    }

    private static (long Busy, long Total)[] Read() =>
    [
        .. File.ReadLines("/proc/stat").TakeWhile(line => line.StartsWith("cpu", StringComparison.Ordinal)).Select(line =>
        {
            // cpu  user nice system idle iowait irq softirq steal ...
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            var total = fields.Take(8).Sum();
            return (total - fields[3] - fields[4], total);
        }),
    ];
}

/// <summary>What the benchmark ran on.</summary>
internal static class Machine
{
    public static string Describe()
    {
        string Read(string file, Func<string, bool> pick) =>
            File.Exists(file) ? File.ReadLines(file).FirstOrDefault(pick)?.Split(':', 2)[1].Trim() ?? "?" : "?";
        var cpu = Read("/proc/cpuinfo", l => l.StartsWith("model name", StringComparison.Ordinal));
        var memory = Read("/proc/meminfo", l => l.StartsWith("MemTotal", StringComparison.Ordinal));
        var kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?";
        var os = File.Exists("/etc/os-release")
            ? File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? "?"
            : "?";
        return $"{os}, kernel {kernel}; {Environment.ProcessorCount} cores ({cpu}); {memory} memory; Docker engine {Output("docker", "version", "--format", "{{.Server.Version}}")}; .NET {Environment.Version}";
    }

    private static string Output(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var text = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return text;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "?";
        }
    }
}

/// <summary>Writes docs/benchmarks.md and its two SVG plots.</summary>
internal sealed class Report(BenchOptions options, string machine)
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public List<LatencyRow> Latency { get; } = [];
    public List<ThroughputRow> Throughput { get; } = [];
    public List<LanguageRow> Languages { get; } = [];
    public GatewayRow? Gateway { get; set; }
    public LiveRow? Live { get; set; }
    public List<ScaleOutRow> ScaleOut { get; } = [];
    public List<JudgeRow> Judge { get; } = [];
    public SessionsRow? Sessions { get; set; }

    public FloorRow? Floor { get; set; }
    public long MemoryBaseline { get; set; }
    public long MemoryFloodPeak { get; set; }
    public long MemoryThroughputPeak { get; set; }
    public int FloodRuns { get; set; }
    public int FloodFailures { get; set; }
    public OverloadRow? Overload { get; set; }

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "0.0" : "0", Invariant);
    private static string X(double value) => double.IsNaN(value) ? "–" : value.ToString("0.00", Invariant) + "×";
    private static string Mb(long bytes) => (bytes / 1048576.0).ToString("0.0", Invariant) + " MiB";

    public async Task WriteAsync()
    {
        var folder = Path.GetDirectoryName(options.Output)!;
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "benchmark-latency.svg"), LatencyPlot());
        await File.WriteAllTextAsync(Path.Combine(folder, "benchmark-throughput.svg"), ThroughputPlot());
        await File.WriteAllTextAsync(options.Output, Markdown());
    }

    private string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine("# QuickTry benchmarks").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}.").AppendLine();
        md.AppendLine("Reproduce with `bash scripts/bench.sh` (it runs `scripts/setup.sh`, then");
        md.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/QuickTry.Bench -- --runs {options.Runs} --docker-runs {options.DockerRuns} --warmup {options.Warmup} --interval-ms {options.Interval.TotalMilliseconds} --warm {options.WarmPerLanguage} --language-runs {options.LanguageRuns}`).");
        md.AppendLine("Everything below comes from that one run: every ratio compares numbers measured minutes apart on the");
        md.AppendLine("same machine, so the machine's noise hits both sides. Times are client-side wall times in milliseconds.").AppendLine();
        md.AppendLine("- **API (slot)**: `POST /run` through the whole stack started from the AppHost (rate limiter, Redis quota, executor), isolation `slot`: a warm sandbox serves run after run, each as a fresh uid, wiped and verified in between.");
        md.AppendLine("- **API (container)**: the same stack and the same image, called with a key whose plan asks for isolation `container`: a fresh (pre-started) container per run, removed afterwards.");
        md.AppendLine("- **docker run**: the original QuickTry's approach, a fresh `docker run --rm -i --network none` of the same image per run, the code on stdin, compiled and run with the same commands.");
        md.AppendLine("- **gVisor (slot)**: the same stack, called with a key whose plan asks for the runtime `runsc`: slots as above, each sandbox under gVisor's kernel in user space (ptrace platform) instead of the host's kernel. Compared with API (slot), which runs under `runc`, in its own section.");
        md.AppendLine("- **host**: the bare toolchain on the host (`/usr/bin/python3 main.py`, `gcc … && ./main`, ...), where it is installed.").AppendLine();

        md.AppendLine("## Targets").AppendLine();
        var py = Latency.Single(r => r.Language == "python3");
        var at8 = Throughput.Single(r => r.Concurrency == 8);
        var overhead = Gateway is null ? double.NaN : Gateway.ApiDirect.P50 - Gateway.Direct.P50;
        var queueOverhead = Gateway is null ? double.NaN : Gateway.Api.P50 - Gateway.ApiDirect.P50;
        var one = ScaleOut.SingleOrDefault(r => r.Executors == 1);
        var two = ScaleOut.SingleOrDefault(r => r.Executors == 2);
        var flat = MemoryBaseline == 0 ? double.NaN : (double)MemoryFloodPeak / MemoryBaseline;
        md.AppendLine("| target | measured | verdict |").AppendLine("|---|---|---|");
        var java = Latency.SingleOrDefault(r => r.Language == "java");
        Target(md, "Python throughput at concurrency 8 ≥ 6× docker run (slot)", X(at8.ApiPerSecond / at8.DockerPerSecond), at8.ApiPerSecond / at8.DockerPerSecond >= 6);
        Target(md, "p99 at concurrency 8 < 500 ms (slot)", Ms(at8.Api.P99) + " ms", at8.Api.P99 < 500);
        if (py.Host is { } host)
        {
            Target(md, "Python p50 via API ≤ 2.5× bare host process (slot)", X(py.Api.P50 / host.P50), py.Api.P50 / host.P50 <= 2.5);
        }
        if (java is not null)
        {
            Target(md, "Java p50 via API ≤ 0.7× docker run (slot)", X(java.Api.P50 / java.Docker.P50), java.Api.P50 / java.Docker.P50 <= 0.7);
        }
        Target(md, "Python p50 via API ≤ 0.25× docker run (slot)", X(py.Api.P50 / py.Docker.P50), py.Api.P50 / py.Docker.P50 <= 0.25);
        Target(md, "Gateway overhead p50 ≤ 5 ms", Ms(overhead) + " ms", overhead <= 5);
        Target(md, "Synchronous /run through the queue adds ≤ 2 ms p50 over the direct call", Ms(queueOverhead) + " ms", queueOverhead <= 2);
        if (one is not null && two is not null)
        {
            Target(md, "Two executors ≥ 1.6× one, concurrency 16 (slot)", X(two.SlotPerSecond / one.SlotPerSecond), two.SlotPerSecond / one.SlotPerSecond >= 1.6);
            Target(md, "Two executors ≥ 1.6× one, concurrency 16 (container per run)", X(two.ContainerPerSecond / one.ContainerPerSecond), two.ContainerPerSecond / one.ContainerPerSecond >= 1.6);
        }
        if (Live is { } live)
        {
            Target(md, "A streamed run's first output ≤ 1.5× a whole hello world (p50)", X(live.FirstOutput.P50 / live.HelloWhole.P50), live.FirstOutput.P50 / live.HelloWhole.P50 <= 1.5);
            Target(md, "Streaming adds ≤ 5 ms p50 to a run's result", Ms(live.StreamedResult.P50 - live.WholeResult.P50) + " ms", live.StreamedResult.P50 - live.WholeResult.P50 <= 5);
        }
        Target(md, "Executor memory flat (±10%) while runs flood output", $"peak {X(flat)} of baseline", Math.Abs(flat - 1) <= 0.10);
        JudgeTargets(md);
        md.AppendLine();
        if (Judge.Count > 0)
        {
            JudgeSection(md);
        }

        md.AppendLine("## Latency: hello world per language").AppendLine();
        md.AppendLine("![p50 latency by language](benchmark-latency.svg)").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{options.Runs} measured runs after {options.Warmup} warm-up runs (API, host); {options.DockerRuns} for docker run. One run at a time, a new one started at most every {options.Interval.TotalMilliseconds} ms on every side (latency at a rate the service sustains; saturation is the throughput table's job). Compiled languages compile on every run, on every side. The pool keeps {options.WarmPerLanguage} warm containers per measured language.").AppendLine();
        md.AppendLine("| language | slot p50 | p95 | p99 | container p50 | p95 | p99 | docker run p50 | p95 | p99 | host p50 | p95 | p99 | slot ÷ docker run | container ÷ docker run | slot ÷ host | failed runs |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Latency)
        {
            var h = row.Host;
            var c = row.ApiContainer;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Language} | {Ms(row.Api.P50)} | {Ms(row.Api.P95)} | {Ms(row.Api.P99)} | {Ms(c.P50)} | {Ms(c.P95)} | {Ms(c.P99)} | {Ms(row.Docker.P50)} | {Ms(row.Docker.P95)} | {Ms(row.Docker.P99)} | {(h is null ? "not installed" : Ms(h.P50))} | {(h is null ? "" : Ms(h.P95))} | {(h is null ? "" : Ms(h.P99))} | {X(row.Api.P50 / row.Docker.P50)} | {X(c.P50 / row.Docker.P50)} | {(h is null ? "–" : X(row.Api.P50 / h.P50))} | {row.Api.Failures + c.Failures + row.Docker.Failures + (h?.Failures ?? 0)} |");
        }
        md.AppendLine();

        if (Languages.Count > 0)
        {
            md.AppendLine("## Every language: compile + run").AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"Each language version's own test program (`docker-images/<name>/test/hello`, with its stdin), {options.LanguageRuns} measured runs after one warm-up, one at a time, through the API with its version named. Compile and run are the steps' wall times the result reports; the call is the whole `POST /run` as the client saw it (queue, sandbox start or reuse, copying the files in, both steps). Only the languages of the latency table have warm sandboxes; the others start one per run. Programs differ per language, so compare a language with itself across runs, not with another.").AppendLine();
            md.AppendLine("| language | version | compile p50 | run p50 | compile + run p50 | call p50 | call p95 | failed runs |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var row in Languages.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {row.Name} | {row.Version} | {(row.Compiled ? Ms(row.CompileMs) : "–")} | {Ms(row.RunMs)} | {Ms(row.CompileAndRunMs)} | {Ms(row.Call.P50)} | {Ms(row.Call.P95)} | {row.Call.Failures} |");
            }
            md.AppendLine();
        }

        md.AppendLine("## Throughput: python3 hello world by concurrency").AppendLine();
        md.AppendLine("![runs per second by concurrency](benchmark-throughput.svg)").AppendLine();
        md.AppendLine("| concurrency | slot runs/s | p50 | p99 | container runs/s | p50 | p99 | docker run runs/s | p50 | p99 | slot ÷ docker run | container ÷ docker run | failed runs |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Throughput)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Concurrency} | {row.ApiPerSecond:0.0} | {Ms(row.Api.P50)} | {Ms(row.Api.P99)} | {row.ContainerPerSecond:0.0} | {Ms(row.Container.P50)} | {Ms(row.Container.P99)} | {row.DockerPerSecond:0.0} | {Ms(row.Docker.P50)} | {Ms(row.Docker.P99)} | {X(row.ApiPerSecond / row.DockerPerSecond)} | {X(row.ContainerPerSecond / row.DockerPerSecond)} | {row.Api.Failures + row.Container.Failures + row.Docker.Failures} |");
        }
        md.AppendLine();

        md.AppendLine("## runc and gVisor side by side").AppendLine();
        md.AppendLine("The same slots, the same images and the same stack; only the OCI runtime differs. gVisor intercepts every system call of the program in its own kernel (the ptrace platform here: `--platform=kvm` hangs on this machine), which is what it costs.").AppendLine();
        md.AppendLine("| language | runc p50 | p99 | gVisor p50 | p99 | gVisor ÷ runc (p50) | failed runs |").AppendLine("|---|---|---|---|---|---|---|");
        foreach (var row in Latency)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Language} | {Ms(row.Api.P50)} | {Ms(row.Api.P99)} | {Ms(row.ApiGVisor.P50)} | {Ms(row.ApiGVisor.P99)} | {X(row.ApiGVisor.P50 / row.Api.P50)} | {row.Api.Failures + row.ApiGVisor.Failures} |");
        }
        md.AppendLine().AppendLine("| concurrency | runc runs/s | p50 | p99 | gVisor runs/s | p50 | p99 | gVisor ÷ runc (runs/s) | failed runs |").AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Throughput)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Concurrency} | {row.ApiPerSecond:0.0} | {Ms(row.Api.P50)} | {Ms(row.Api.P99)} | {row.GVisorPerSecond:0.0} | {Ms(row.GVisor.P50)} | {Ms(row.GVisor.P99)} | {X(row.GVisorPerSecond / row.ApiPerSecond)} | {row.Api.Failures + row.GVisor.Failures} |");
        }
        md.AppendLine();

        md.AppendLine("## Gateway overhead").AppendLine();
        if (Gateway is { } g)
        {
            md.AppendLine("The same python3 hello world, in turn through the API and the run queue (Redis Streams, the default), through a second API replica with the queue off (it calls the executor over HTTP: the path before the queue, and while Redis is down), and straight to the executor's internal endpoint, paced like the latency runs.").AppendLine();
            md.AppendLine("| path | p50 | p95 | p99 |").AppendLine("|---|---|---|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| API `POST /run` through the queue | {Ms(g.Api.P50)} | {Ms(g.Api.P95)} | {Ms(g.Api.P99)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| API `POST /run`, direct call to the executor | {Ms(g.ApiDirect.P50)} | {Ms(g.ApiDirect.P95)} | {Ms(g.ApiDirect.P99)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| executor `POST /execute` | {Ms(g.Direct.P50)} | {Ms(g.Direct.P95)} | {Ms(g.Direct.P99)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| added by the gateway (direct call) | {Ms(g.ApiDirect.P50 - g.Direct.P50)} | | |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| added by the queue over the direct call | {Ms(g.Api.P50 - g.ApiDirect.P50)} | | |").AppendLine();
        }

        md.AppendLine("## Live output").AppendLine();
        if (Live is { } l)
        {
            md.AppendLine("A python3 program that prints a line, sleeps 500 ms and prints another, through the API and the queue: as server-sent events (`Accept: text/event-stream`, read by the .NET client) and as a plain `POST /run`, in turn; and a hello world through plain `POST /run`, the time a whole trivial run takes. A streamed run counts as failed unless its streamed output equals its result's.").AppendLine();
            md.AppendLine("| measure | p50 | p95 | p99 | failed runs |").AppendLine("|---|---|---|---|---|");
            md.AppendLine(CultureInfo.InvariantCulture, $"| streamed: first output | {Ms(l.FirstOutput.P50)} | {Ms(l.FirstOutput.P95)} | {Ms(l.FirstOutput.P99)} | {l.FirstOutput.Failures} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| streamed: result | {Ms(l.StreamedResult.P50)} | {Ms(l.StreamedResult.P95)} | {Ms(l.StreamedResult.P99)} | {l.StreamedResult.Failures} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| plain `POST /run`: result | {Ms(l.WholeResult.P50)} | {Ms(l.WholeResult.P95)} | {Ms(l.WholeResult.P99)} | {l.WholeResult.Failures} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| hello world, plain `POST /run` | {Ms(l.HelloWhole.P50)} | {Ms(l.HelloWhole.P95)} | {Ms(l.HelloWhole.P99)} | {l.HelloWhole.Failures} |").AppendLine();
        }

        md.AppendLine("## Scale-out: two executors").AppendLine();
        if (ScaleOut.Count > 0)
        {
            md.AppendLine("python3 hello world at concurrency 16 through the API and the queue, first with one executor, then with a second executor on the same engine (its own instance, pool and slots), both sharing this machine's cores. [benchmark-scale-out.md](benchmark-scale-out.md) gives each executor's sandboxes a core of their own instead. \"CPU busy\" is the host's, over the measurement.").AppendLine();
            ScaleOutTable(md);
        }

        OverloadSection(md);

        md.AppendLine("## Executor memory").AppendLine();
        md.AppendLine("Resident memory (VmRSS) of the executor process, sampled every 20 ms.").AppendLine();
        md.AppendLine("| phase | RSS |").AppendLine("|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| baseline: peak while {FloodRuns} small runs execute, 4 at a time | {Mb(MemoryBaseline)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| peak while {FloodRuns} runs (4 at a time) each try to print 1 GiB | {Mb(MemoryFloodPeak)} ({X((double)MemoryFloodPeak / MemoryBaseline)} of baseline) |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| peak during the throughput runs | {Mb(MemoryThroughputPeak)} ({X((double)MemoryThroughputPeak / MemoryBaseline)} of baseline) |").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Each flooding run ends as `output_limit` ({FloodRuns - FloodFailures} of {FloodRuns} did): the executor reads each stream only up to the run's cap (here the 1 MiB ceiling) and kills the container, so what a program tries to print never reaches the executor's heap.");
        // The analysis is written by hand (it explains the numbers); it lives beside the benchmark.
        var analysis = Path.Combine(options.Repository, "bench", "QuickTry.Bench", "analysis.md");
        if (File.Exists(analysis))
        {
            md.AppendLine().Append(File.ReadAllText(analysis));
        }
        return md.ToString();
    }

    private void ScaleOutTable(StringBuilder md)
    {
        static string Cores(IReadOnlyList<double> cores) => string.Join(" / ", cores.Select(c => c.ToString("P0", Invariant)));
        md.AppendLine("| executors | slot runs/s | p50 | p99 | CPU busy (per core) | container runs/s | p50 | p99 | CPU busy (per core) | failed runs |").AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in ScaleOut)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Executors} | {row.SlotPerSecond:0.0} | {Ms(row.Slot.P50)} | {Ms(row.Slot.P99)} | {row.SlotCpu:P0} ({Cores(row.SlotCores)}) | {row.ContainerPerSecond:0.0} | {Ms(row.Container.P50)} | {Ms(row.Container.P99)} | {row.ContainerCpu:P0} ({Cores(row.ContainerCores)}) | {row.Slot.Failures + row.Container.Failures} |");
        }
        md.AppendLine();
    }

    /// <summary>
    /// The scale-out with each executor's sandboxes on a core of their own (<c>--only scale-out</c>): one
    /// executor on CPU 0, then a second on CPU 1, as a stand-in for a second host.
    /// </summary>
    private void JudgeTargets(StringBuilder md)
    {
        foreach (var row in Judge)
        {
            var separate = row.Separate.P50 / row.Judged.P50;
            var goal = row.Language == "cpp" ? 5 : 3;
            Target(md, $"{row.Language} against {row.Cases} cases ≥ {goal}× faster judged than as {row.Cases} separate runs (p50)", X(separate), separate >= goal);
            if (row.DockerRuns is { } docker)
            {
                Target(md, $"{row.Language} against {row.Cases} cases ≥ 10× faster judged than {row.Cases} `docker run --rm` (p50)", X(docker.P50 / row.Judged.P50), docker.P50 / row.Judged.P50 >= 10);
            }
        }
    }

    private void JudgeSection(StringBuilder md)
    {
        md.AppendLine("## Judge mode: one program against many test cases").AppendLine();
        md.AppendLine("A solution (C++: reads n, prints n²; Python: the same) against its test cases: in one judged `POST /run` (`tests`: compiled once, each case run from that build in a clean folder, compared outside the sandbox); as separate `POST /run` calls, one per case, each compiling again (a judge without test cases, Judge0's way), one after another and as many at once as the executor has slots; and as a `docker run --rm` per case, compiling and running in it. Each figure is the whole set's time, client-side.").AppendLine();
        md.AppendLine("| language | cases | judged p50 | p95 | separate runs p50 | p95 | separate, 4 at once p50 | docker run per case p50 | separate ÷ judged | 4 at once ÷ judged | docker run ÷ judged | failed sets |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in Judge)
        {
            var d = row.DockerRuns;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Language} | {row.Cases} | {Ms(row.Judged.P50)} | {Ms(row.Judged.P95)} | {Ms(row.Separate.P50)} | {Ms(row.Separate.P95)} | {Ms(row.SeparateConcurrent.P50)} | {(d is null ? "–" : Ms(d.P50))} | {X(row.Separate.P50 / row.Judged.P50)} | {X(row.SeparateConcurrent.P50 / row.Judged.P50)} | {(d is null ? "–" : X(d.P50 / row.Judged.P50))} | {row.Judged.Failures + row.Separate.Failures + row.SeparateConcurrent.Failures + (d?.Failures ?? 0)} |");
        }
        md.AppendLine();
    }

    public async Task WriteSessionsAsync()
    {
        var s = Sessions ?? throw new InvalidOperationException("The sessions section was not measured.");
        var md = new StringBuilder();
        md.AppendLine("# QuickTry benchmark: sessions").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with `dotnet run -c Release --project bench/QuickTry.Bench -- --only sessions --runs {options.Runs}`. Everything through the API (one replica, the run queue and one executor under Aspire), one call at a time; all figures from this one run.").AppendLine();
        md.AppendLine("| target | measured | verdict |").AppendLine("|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture, $"| session creation p50 ≤ 400 ms | {Ms(s.Open.P50)} (p95 {Ms(s.Open.P95)}) | {(s.Open.P50 <= 400 ? "met" : "missed")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Python session run of `x += 1` p50 ≤ 15 ms | {s.Increment.P50:0.0} ms (p95 {Ms(s.Increment.P95)}); a stateless `print('hello world')` through `POST /run`: {Ms(s.Hello.P50)}, {X(s.Hello.P50 / s.Increment.P50)} the cell | {(s.Increment.P50 <= 15 ? "met" : "missed")} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| a matplotlib figure round trip (as `image/png` in `outputs`) | first of the session {Ms(s.FirstFigure.Milliseconds)} (imports matplotlib), then p50 {Ms(s.Figure.P50)} | reported |");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Where a `x += 1` cell's {s.Increment.P50:0.0} ms go (p50s): {s.IncrementInKernelMs:0.0} ms from the executor into the kernel and back (the bridge writes the cell to ipykernel over Jupyter's messages and collects its outputs), the other {s.Increment.P50 - s.IncrementInKernelMs:0.0} ms the way through the API (rate limit, the session's record and the quota in Redis, validation) to the executor and back.").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Calls: {s.Open.Count} opens, {s.Increment.Count} cells and {s.Hello.Count} runs interleaved, {s.Figure.Count + 1} figures; failures: {s.Open.Failures + s.Increment.Failures + s.Hello.Failures + s.Figure.Failures + (s.FirstFigure.Ok ? 0 : 1)}.");
        md.AppendLine("Opening answers once the session's sandbox runs; its Jupyter kernel starts behind the answer (about a second), so the first cell may wait for it. A cell goes from the API to the executor holding the session, into the kernel over the attached stream of a process already running in the sandbox: no process starts per cell.");
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, md.ToString());
    }

    /// <summary>The per-run floor alone (<c>--only floor</c>): what a trivial run costs over the bare process.</summary>
    public async Task WriteFloorAsync()
    {
        var f = Floor ?? throw new InvalidOperationException("The floor section was not measured.");
        var supervisor = options.Supervisor ?? "compiled";
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# QuickTry benchmark: the per-run floor ({supervisor} supervisor)").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with `dotnet run -c Release --project bench/QuickTry.Bench -- --only floor --runs {options.Runs}{(options.Supervisor is null ? "" : " --supervisor " + options.Supervisor)}` (`Executor:Sandbox:Supervisor={supervisor}`). All figures from this one run; a hello world through the API (one replica, the run queue, one executor under Aspire) one call at a time, at most one every {options.Interval.TotalMilliseconds} ms, {options.Runs} measured after {options.Warmup} warm-up calls; the bare host process is the toolchain on this machine.").AppendLine();
        md.AppendLine("| target | measured | verdict |").AppendLine("|---|---|---|");
        var bash = f.Latency.Single(r => r.Language == "bash");
        var py = f.Latency.Single(r => r.Language == "python3");
        if (bash.Host is { } bashHost)
        {
            var over = bash.Api.P50 - bashHost.P50;
            Target(md, "bash hello p50 through the API ≤ 5 ms over the bare process", $"{bash.Api.P50:0.0} ms − {bashHost.P50:0.0} ms = {over:0.0} ms", over <= 5);
        }
        if (py.Host is { } pyHost)
        {
            Target(md, "Python hello p50 through the API ≤ 2× the bare process", $"{X(py.Api.P50 / pyHost.P50)} ({py.Api.P50:0.0} ÷ {pyHost.P50:0.0} ms)", py.Api.P50 / pyHost.P50 <= 2);
        }
        Target(md, "bash hello under gVisor ≤ 3× runc (p50)", $"{X(bash.ApiGVisor.P50 / bash.Api.P50)} ({bash.ApiGVisor.P50:0.0} ÷ {bash.Api.P50:0.0} ms)", bash.ApiGVisor.P50 / bash.Api.P50 <= 3);
        Target(md, "`cpuTimeMs` reported under gVisor", f.GVisorCpuTimeMs is { } cpu ? $"{cpu:0} ms CPU in a {f.GVisorWallTimeMs:0} ms run" : "null", f.GVisorCpuTimeMs is not null);
        var flat = f.MemoryBaseline == 0 ? double.NaN : (double)f.MemoryFloodPeak / f.MemoryBaseline;
        Target(md, "executor memory while runs flood output within ±10 % of small runs'", $"{X(flat)} ({Mb(f.MemoryFloodPeak)} vs {Mb(f.MemoryBaseline)}; {f.FloodRuns - f.FloodFailures} of {f.FloodRuns} floods ended `output_limit`)", Math.Abs(flat - 1) <= 0.10);
        Target(md, "Python hello throughput at concurrency 8 ≥ 10× `docker run --rm`", $"{X(f.ApiPerSecond8 / f.DockerPerSecond8)} ({f.ApiPerSecond8:0.0} vs {f.DockerPerSecond8:0.0} runs/s)", f.ApiPerSecond8 / f.DockerPerSecond8 >= 10);
        md.AppendLine();
        md.AppendLine("| language | API slot p50 | p95 | gVisor slot p50 | p95 | bare host p50 | p95 | API − host | API ÷ host | gVisor ÷ runc | failed calls |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in f.Latency)
        {
            var host = row.Host;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Language} | {row.Api.P50:0.0} | {row.Api.P95:0.0} | {row.ApiGVisor.P50:0.0} | {row.ApiGVisor.P95:0.0} | {(host is null ? "–" : $"{host.P50:0.0}")} | {(host is null ? "–" : $"{host.P95:0.0}")} | {(host is null ? "–" : $"{row.Api.P50 - host.P50:0.0} ms")} | {(host is null ? "–" : X(row.Api.P50 / host.P50))} | {X(row.ApiGVisor.P50 / row.Api.P50)} | {row.Api.Failures + row.ApiGVisor.Failures} |");
        }
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Throughput, python3 hello world at concurrency 8: the API (slots) {f.ApiPerSecond8:0.0} runs/s (p50 {Ms(f.Api8.P50)}, p99 {Ms(f.Api8.P99)}), `docker run --rm -i --network none` of the same image {f.DockerPerSecond8:0.0} runs/s (p50 {Ms(f.Docker8.P50)}).").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Executor memory (resident set, sampled): peak {Mb(f.MemoryBaseline)} while {f.FloodRuns} small runs execute 4 at a time, {Mb(f.MemoryFloodPeak)} while {f.FloodRuns} runs, 4 at a time, each try to print 1 GiB against a 1 MiB output cap.");
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, md.ToString());
    }

    public async Task WriteJudgeAsync()
    {
        var md = new StringBuilder();
        md.AppendLine("# QuickTry benchmark: judge mode").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with `dotnet run -c Release --project bench/QuickTry.Bench -- --only judge --judge-runs {options.JudgeRuns}` (the full benchmark, docs/benchmarks.md, has the same section). All figures from this one run.").AppendLine();
        md.AppendLine("| target | measured | verdict |").AppendLine("|---|---|---|");
        JudgeTargets(md);
        md.AppendLine();
        JudgeSection(md);
        md.AppendLine("Where a Python case's time goes: [the benchmark's analysis](../bench/QuickTry.Bench/analysis.md) (Judge mode, Python).");
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, md.ToString());
    }

    public async Task WriteScaleOutAsync()
    {
        var md = new StringBuilder();
        md.AppendLine("# QuickTry scale-out, one core per executor").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with");
        md.AppendLine(CultureInfo.InvariantCulture, $"`bash scripts/bench.sh --only scale-out --runs {options.Runs}` (set-up, then `dotnet run -c Release --project bench/QuickTry.Bench -- --only scale-out --runs {options.Runs}`).").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"python3 hello world at concurrency 16 through the API and the run queue, first with one executor, then with two. Each executor runs {BenchStack.Slots} runs at once and queues {BenchStack.QueueLength} more. The first executor's sandboxes run on CPU 0 only, the second's on CPU 1 only (`Executor:Sandbox:CpusetCpus`), so two executors have twice the cores for their programs that one has, as two hosts would. What is not pinned still shares both cores: the API, Redis, both executor processes and the Docker engine (which starts and removes a container per run in the container column). \"CPU busy\" is the whole machine's over the measurement, then CPU 0's and CPU 1's; both rows and columns come from this one run.").AppendLine();
        ScaleOutTable(md);
        var one = ScaleOut.SingleOrDefault(r => r.Executors == 1);
        var two = ScaleOut.SingleOrDefault(r => r.Executors == 2);
        if (one is not null && two is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"Two executors on two cores serve **{X(two.SlotPerSecond / one.SlotPerSecond)}** the runs per second of one on one core in slots, and **{X(two.ContainerPerSecond / one.ContainerPerSecond)}** with a container per run.").AppendLine();
            if (one.SlotCores.Count >= 2)
            {
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"Where the time goes, in slots: with one executor its sandboxes' core (CPU 0) was {one.SlotCores[0]:P0} busy and the other core {one.SlotCores[1]:P0}, though no sandbox ran there: that is the unpinned part of the stack (the API, Redis, the executor process, the Docker engine and its container shims) serving {one.SlotPerSecond:0.0} runs a second. The second executor's sandboxes need CPU 1 for themselves, where that part already runs, so the machine is then full ({two.SlotCpu:P0}) and the rate goes only from {one.SlotPerSecond:0.0} to {two.SlotPerSecond:0.0} a second. On separate hosts each executor would bring its own engine and cores; here it would take a core per executor and more for the rest to show it. The ratio is noisy on this machine: repeated runs gave 0.78× to 1.19×.").AppendLine();
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, md.ToString());
    }

    /// <summary>The overload section alone (<c>--only overload</c>), with how it was measured.</summary>
    public async Task WriteOverloadAsync()
    {
        var md = new StringBuilder();
        md.AppendLine("# QuickTry under sustained overload").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on: {machine}, with");
        md.AppendLine(CultureInfo.InvariantCulture, $"`dotnet run -c Release --project bench/QuickTry.Bench -- --only overload --overload-seconds {options.OverloadDuration.TotalSeconds}` (the whole benchmark, `scripts/bench.sh`, measures it too).").AppendLine();
        OverloadSection(md);
        Directory.CreateDirectory(Path.GetDirectoryName(options.Output)!);
        await File.WriteAllTextAsync(options.Output, md.ToString());
    }

    private void OverloadSection(StringBuilder md)
    {
        if (Overload is not { } o)
        {
            return;
        }
        md.AppendLine("## Sustained overload").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"python3 hello world through the API and the queue to one executor, each load for {o.Duration.TotalSeconds:0} s. The executor runs {BenchStack.Slots} at once and queues {BenchStack.QueueLength} more (its capacity: past it the queue refuses with 503); the API replica forwards 32 runs at once and holds 64 more in its own queue (`Gateway:MaxForwardedRuns`, `Gateway:MaxWaitingRuns`; past them, 429). Callers send one run after another; after a refusal a caller waits its Retry-After (at most 2 s), as a well-behaved client does. **Saturated**: as many callers as the executor's capacity; then twice and four times as many.").AppendLine();
        md.AppendLine("| callers | served runs/s | of saturated | served p50 | served p99 | wrong or failed | refused (429/503) | refused p50 | refused p99 | refused without Retry-After |").AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        var saturated = o.Loads[0].ServedPerSecond;
        foreach (var load in o.Loads)
        {
            var served = Stats.Of(load.Served);
            var refused = Stats.Of(load.Refused);
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {load.Callers} | {load.ServedPerSecond:0.0} | {load.ServedPerSecond / saturated:P0} | {Ms(served.P50)} | {Ms(served.P99)} | {served.Failures} | {refused.Count} | {Ms(refused.P50)} | {Ms(refused.P99)} | {refused.Failures} |");
        }
        var ratio = o.Loads[1].ServedPerSecond / saturated;
        md.AppendLine().AppendLine(CultureInfo.InvariantCulture,
            $"At twice the saturating load the served rate is **{ratio:P0}** of the saturated rate (target ≥ 90 %: {(ratio >= 0.9 ? "met" : "**missed**")}).").AppendLine();
    }

    private static void Target(StringBuilder md, string target, string measured, bool met) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met ? "met" : "**missed**")} |");

    private string LatencyPlot()
    {
        // Horizontal bars, log scale: the sides differ by an order of magnitude or more.
        const int left = 110, width = 560, rowHeight = 83, top = 40;
        var height = top + Latency.Count * rowHeight + 50;
        var max = Latency.Max(r => new[] { r.Docker.P50, r.Api.P50, r.ApiContainer.P50, r.ApiGVisor.P50 }.Max());
        double Scale(double ms) => Math.Log10(Math.Max(ms, 1)) / Math.Log10(Math.Max(max * 1.2, 10)) * width;
        var svg = Svg(left + width + 120, height, "Hello world, p50 latency (ms, log scale)");
        (string Name, string Color, Func<LatencyRow, double> Value)[] series =
        [
            ("API (slot)", "#2157d6", r => r.Api.P50),
            ("API (container)", "#27ae60", r => r.ApiContainer.P50),
            ("gVisor (slot)", "#8e44ad", r => r.ApiGVisor.P50),
            ("docker run", "#c0392b", r => r.Docker.P50),
            ("host", "#7f8c8d", r => r.Host?.P50 ?? double.NaN),
        ];
        for (var i = 0; i < Latency.Count; i++)
        {
            var row = Latency[i];
            var y = top + i * rowHeight;
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 8}\" y=\"{y + 26}\" text-anchor=\"end\">{row.Language}</text>");
            for (var s = 0; s < series.Length; s++)
            {
                var value = series[s].Value(row);
                if (double.IsNaN(value))
                {
                    continue;
                }
                var barY = y + 4 + s * 15;
                svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{barY}\" width=\"{Scale(value):0.0}\" height=\"12\" fill=\"{series[s].Color}\"/>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + Scale(value) + 4:0.0}\" y=\"{barY + 10}\" font-size=\"10\">{Ms(value)}</text>");
            }
        }
        Legend(svg, left, height - 20, series.Select(s => (s.Name, s.Color)));
        return svg.AppendLine("</svg>").ToString();
    }

    private string ThroughputPlot()
    {
        const int left = 60, width = 560, plotHeight = 260, top = 40;
        var height = top + plotHeight + 70;
        var max = Throughput.Max(r => new[] { r.ApiPerSecond, r.ContainerPerSecond, r.GVisorPerSecond, r.DockerPerSecond }.Max()) * 1.15;
        double X(int index) => left + index * (width / (double)Math.Max(1, Throughput.Count - 1));
        double Y(double value) => top + plotHeight - value / max * plotHeight;
        var svg = Svg(left + width + 60, height, "python3 hello world: runs per second by concurrency");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top + plotHeight}\" x2=\"{left + width}\" y2=\"{top + plotHeight}\" stroke=\"#888\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotHeight}\" stroke=\"#888\"/>");
        for (var i = 0; i < Throughput.Count; i++)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{X(i):0.0}\" y=\"{top + plotHeight + 16}\" text-anchor=\"middle\">{Throughput[i].Concurrency}</text>");
        }
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left + width / 2}\" y=\"{top + plotHeight + 34}\" text-anchor=\"middle\" font-size=\"11\">concurrency</text>");
        foreach (var tick in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Y(tick * max) + 4:0.0}\" text-anchor=\"end\" font-size=\"10\">{tick * max:0}</text>");
        }
        (string Name, string Color, Func<ThroughputRow, double> Value)[] series =
        [
            ("API (slot)", "#2157d6", r => r.ApiPerSecond),
            ("API (container)", "#27ae60", r => r.ContainerPerSecond),
            ("gVisor (slot)", "#8e44ad", r => r.GVisorPerSecond),
            ("docker run", "#c0392b", r => r.DockerPerSecond),
        ];
        foreach (var (name, color, value) in series)
        {
            var points = string.Join(' ', Throughput.Select((r, i) => string.Create(CultureInfo.InvariantCulture, $"{X(i):0.0},{Y(value(r)):0.0}")));
            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline points=\"{points}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\"/>");
            for (var i = 0; i < Throughput.Count; i++)
            {
                svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{X(i):0.0}\" cy=\"{Y(value(Throughput[i])):0.0}\" r=\"3.5\" fill=\"{color}\"/>");
                svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{X(i) + 5:0.0}\" y=\"{Y(value(Throughput[i])) - 6:0.0}\" font-size=\"10\">{value(Throughput[i]):0.0}</text>");
            }
        }
        Legend(svg, left, height - 14, series.Select(s => (s.Name, s.Color)));
        return svg.AppendLine("</svg>").ToString();
    }

    private static StringBuilder Svg(int width, int height, string title)
    {
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{title}</text>");
        return svg;
    }

    private static void Legend(StringBuilder svg, int x, int y, IEnumerable<(string Name, string Color)> entries)
    {
        foreach (var (name, color) in entries)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{y - 10}\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{x + 16}\" y=\"{y}\">{name}</text>");
            x += 30 + name.Length * 7;
        }
    }
}

/// <summary>The overload section: the saturated load first, then the heavier ones.</summary>
internal sealed record OverloadRow(IReadOnlyList<SustainedLoad> Loads, TimeSpan Duration);
