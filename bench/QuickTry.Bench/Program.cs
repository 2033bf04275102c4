using System.Net.Http.Json;
using QuickTry.Bench;

// QuickTry's benchmark: the real stack against the seed's `docker run --rm` per run and the bare host
// toolchain, measured side by side in one run. Usage: dotnet run -c Release --project bench/QuickTry.Bench
//   [--runs 50] [--docker-runs 20] [--warmup 5] [--interval-ms 250] [--warm 4] [--language-runs 5] [--overload-seconds 60]
//   [--out docs/benchmarks.md] [--only overload|soak|scale-out|judge|sessions|floor] [--soak-minutes 10] [--judge-runs 5]
//   [--supervisor compiled|script]
var options = BenchOptions.Parse(args);
var languagesFolder = Path.Combine(options.Repository, "docker-images");
string[] languages = ["python3", "javascript", "bash", "c", "go", "java"];
var hellos = languages.ToDictionary(l => l, l => HelloWorld.Load(languagesFolder, l));
var python = hellos["python3"];
var hostDir = Directory.CreateTempSubdirectory("quicktry-bench-").FullName;

Console.WriteLine("Starting the stack (AppHost: Redis, executor, API)...");
// --only scale-out: each executor's sandboxes on a core of their own (the first executor's on CPU 0, the
// second's on CPU 1), a stand-in for two hosts on one machine; only Python, the language it runs, is kept
// warm (warming all six in every mode on two pinned executors kept the engine too busy to answer).
var scaleOutOnly = options.Only == "scale-out";
// The judge section's C++ solution needs a warm cpp sandbox besides the latency table's languages.
string[] warmLanguages = options.Only switch
{
    "scale-out" or "sessions" => ["python3"],
    "judge" => ["cpp", "python3"],
    "floor" => ["bash", "python3"],
    _ => [.. languages, "cpp"],
};
await using var stack = await BenchStack.StartAsync(warmLanguages,
    options.WarmPerLanguage, options.Repository, cpusets: scaleOutOnly ? ["0", "1"] : null, options.Supervisor);
var executorPid = BenchStack.ExecutorProcessId("executor") ?? throw new InvalidOperationException("executor process not found");
var report = new Report(options, Machine.Describe());

// A section measured alone (--only ...): measure it, then write its own page.
(Func<Task> Measure, Func<Task> Write)? alone = options.Only switch
{
    "scale-out" => (() => ScaleOutAsync(report.ScaleOut), report.WriteScaleOutAsync),
    "sessions" => (async () => report.Sessions = await SessionsAsync(), report.WriteSessionsAsync),
    "floor" => (async () => report.Floor = await FloorAsync(), report.WriteFloorAsync),
    "judge" => (() => JudgeAsync(report.Judge), report.WriteJudgeAsync),
    _ => null,
};
if (alone is { } section)
{
    await section.Measure();
    Directory.Delete(hostDir, recursive: true);
    await section.Write();
    Console.WriteLine($"Wrote {options.Output}.");
    return;
}

// --only soak (scripts/soak.sh): the mixed load with Redis and executor faults, alone.
if (options.Only == "soak")
{
    Console.WriteLine($"Soak: {options.SoakMinutes} minutes, 24 callers");
    await Soak.RunAsync(stack, TimeSpan.FromMinutes(options.SoakMinutes), callers: 24, options.Output, Machine.Describe());
    Console.WriteLine($"Wrote {options.Output}.");
    return;
}

// Sustained overload: callers enough to fill every slot and queue place of the executor (4 running, 32
// queued), then twice and four times as many, each for the same time. Served runs per second must hold
// (>= 90 % of the saturated rate) while the surplus waits in the gateway's queue or gets quick refusals.
{
    var capacity = BenchStack.Slots + BenchStack.QueueLength;
    var loads = new List<SustainedLoad>();
    foreach (var callers in new[] { capacity, 2 * capacity, 4 * capacity })
    {
        Console.WriteLine($"Overload: {callers} callers");
        var load = await Measure.SustainedAsync(() => Workloads.ViaHttpOrRefusedAsync(stack.Api, python), callers, options.OverloadDuration);
        Console.WriteLine($"  {load.ServedPerSecond:0.0} runs/s served, {load.Refused.Count} refused (p99 {Stats.Of(load.Refused).P99:0} ms)");
        loads.Add(load);
    }
    report.Overload = new OverloadRow(loads, options.OverloadDuration);
}
if (options.Only == "overload")
{
    await report.WriteOverloadAsync();
    Console.WriteLine($"Wrote {options.Output}.");
    return;
}

// Latency per language: API with slots (runc), a container per run (runc) and slots under gVisor (runsc)
// vs docker run --rm vs the bare host toolchain.
foreach (var language in languages)
{
    var hello = hellos[language];
    Console.WriteLine($"Latency: {language}");
    var api = await Measure.SequentialAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", hello), options.Warmup, options.Runs, options.Interval);
    var apiContainer = await Measure.SequentialAsync(() => Workloads.ViaHttpAsync(stack.ApiContainer, "/run", hello), options.Warmup, options.Runs, options.Interval);
    var apiGVisor = await Measure.SequentialAsync(() => Workloads.ViaHttpAsync(stack.ApiGVisor, "/run", hello), options.Warmup, options.Runs, options.Interval);
    var docker = await Measure.SequentialAsync(() => Workloads.ViaDockerRunAsync(hello), 2, options.DockerRuns, options.Interval);
    var host = await Workloads.OnHostAsync(hello, hostDir) is null
        ? null
        : await Measure.SequentialAsync(async () => (await Workloads.OnHostAsync(hello, hostDir))!.Value, options.Warmup, options.Runs, options.Interval);
    report.Latency.Add(new LatencyRow(language, Stats.Of(api), Stats.Of(apiContainer), Stats.Of(apiGVisor), Stats.Of(docker), host is null ? null : Stats.Of(host)));
}

// Every language and version: its own test program's compile and run times, as its result reports them,
// and the whole call. One run at a time; only the languages above have warm sandboxes.
Console.WriteLine("Every language: compile + run");
foreach (var language in (await stack.Api.GetFromJsonAsync<List<LanguageInfo>>("/languages"))!.Where(l => l.Available))
{
    var test = LanguageTest.Load(languagesFolder, language);
    var calls = new List<Sample>();
    var compile = new List<double>();
    var run = new List<double>();
    for (var i = 0; i < 1 + options.LanguageRuns; i++)
    {
        var (call, compileMs, runMs) = await Workloads.LanguageTestAsync(stack.Api, test);
        if (i > 0)
        {
            calls.Add(call);
            compile.Add(compileMs);
            run.Add(runMs);
        }
        await Task.Delay(options.Interval);
    }
    Console.WriteLine($"  {language.Name} {language.Version}: {Stats.Of(calls).P50:F0} ms");
    report.Languages.Add(new LanguageRow(language.Name, language.Version, language.Compiled, Stats.Median(compile), Stats.Median(run),
        Stats.Median([.. compile.Zip(run, (c, r) => c + r)]), Stats.Of(calls)));
}

// Gateway overhead: the same run through the API and the queue, through an API replica calling the
// executor directly (the path before the queue, and while Redis is down), and straight to the executor.
Console.WriteLine("Gateway and queue overhead");
var viaQueue = new List<Sample>();
var viaDirectApi = new List<Sample>();
var direct = new List<Sample>();
for (var i = 0; i < options.Warmup + options.Runs; i++)
{
    var q = await Workloads.ViaHttpAsync(stack.Api, "/run", python);
    await Task.Delay(options.Interval);
    var a = await Workloads.ViaHttpAsync(stack.ApiDirect, "/run", python);
    await Task.Delay(options.Interval);
    var d = await Workloads.ViaHttpAsync(stack.Executor, "/execute", python);
    await Task.Delay(options.Interval);
    if (i >= options.Warmup)
    {
        viaQueue.Add(q);
        viaDirectApi.Add(a);
        direct.Add(d);
    }
}
report.Gateway = new GatewayRow(Stats.Of(viaQueue), Stats.Of(viaDirectApi), Stats.Of(direct));

// Live output: when a streamed run's first line arrives, against a whole trivial run; and what streaming
// costs a run's result, against the same program answered whole.
Console.WriteLine("Live output");
const string sleeper = "import time\nprint('first', flush=True)\ntime.sleep(0.5)\nprint('last')";
var firstOutput = new List<Sample>();
var streamedResult = new List<Sample>();
var wholeResult = new List<Sample>();
var helloWhole = new List<Sample>();
for (var i = 0; i < options.Warmup + options.Runs; i++)
{
    var (first, streamed) = await Workloads.ViaEventStreamAsync(stack.Api, python.Language, python.Version, sleeper);
    await Task.Delay(options.Interval);
    var whole = await Workloads.ViaRunAsync(stack.Api, python.Language, python.Version, sleeper);
    await Task.Delay(options.Interval);
    var hello = await Workloads.ViaHttpAsync(stack.Api, "/run", python);
    await Task.Delay(options.Interval);
    if (i >= options.Warmup)
    {
        firstOutput.Add(first);
        streamedResult.Add(streamed);
        wholeResult.Add(whole);
        helloWhole.Add(hello);
    }
}
report.Live = new LiveRow(Stats.Of(firstOutput), Stats.Of(streamedResult), Stats.Of(wholeResult), Stats.Of(helloWhole));

(report.MemoryBaseline, report.MemoryFloodPeak, report.FloodRuns, report.FloodFailures) = await FloodMemoryAsync();

// Throughput by concurrency: API with slots, a container per run, slots under gVisor; docker run --rm.
await using (var sampler = new MemorySampler(executorPid))
{
    foreach (var concurrency in new[] { 1, 2, 4, 8, 16 })
    {
        Console.WriteLine($"Throughput at concurrency {concurrency}");
        var api = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", python), concurrency, Math.Max(options.Runs, 8 * concurrency));
        var container = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.ApiContainer, "/run", python), concurrency, Math.Max(options.Runs, 8 * concurrency));
        var gvisor = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.ApiGVisor, "/run", python), concurrency, Math.Max(options.Runs, 8 * concurrency));
        var docker = await Measure.ConcurrentAsync(() => Workloads.ViaDockerRunAsync(python), concurrency, Math.Max(options.DockerRuns, 2 * concurrency));
        report.Throughput.Add(new ThroughputRow(concurrency, api.PerSecond, Stats.Of(api.Samples), container.PerSecond, Stats.Of(container.Samples),
            gvisor.PerSecond, Stats.Of(gvisor.Samples), docker.PerSecond, Stats.Of(docker.Samples)));
    }
    report.MemoryThroughputPeak = sampler.Peak;
}

await ScaleOutAsync(report.ScaleOut);
await JudgeAsync(report.Judge);

Directory.Delete(hostDir, recursive: true);
await report.WriteAsync();
Console.WriteLine($"Wrote {options.Output} and its plots.");

// Executor memory: peak while small runs execute 4 at a time, then peak while the same number of runs,
// 4 at a time, each try to print 1 GiB. Same concurrency on both sides, so only the output volume differs.
async Task<(long Baseline, long FloodPeak, int Floods, int Failures)> FloodMemoryAsync()
{
    Console.WriteLine("Memory: small runs, then output floods");
    var flood = new { lang = python.Language, version = python.Version, code = "import sys\nchunk = 'x' * 65535 + '\\n'\nfor _ in range(16384):\n    sys.stdout.write(chunk)\n", limits = new { outputBytes = 1_048_576 } };
    await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", python), concurrency: 4, total: 8);
    long baseline;
    await using (var small = new MemorySampler(executorPid))
    {
        await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", python), concurrency: 4, total: options.FloodRuns);
        baseline = small.Peak;
    }
    await using var sampler = new MemorySampler(executorPid);
    var floods = await Measure.ConcurrentAsync(async () =>
    {
        using var response = await stack.Api.PostAsJsonAsync("/run", flood);
        var result = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return new Sample(0, result.GetProperty("status").GetString() == "output_limit");
    }, concurrency: 4, total: options.FloodRuns);
    return (baseline, sampler.Peak, floods.Samples.Count, floods.Samples.Count(s => !s.Ok));
}

// The per-run floor: bash and python3 hello world through the API (slots under runc and under gVisor)
// against the bare host process; CPU time as a gVisor run reports it; python3 throughput at concurrency 8
// against docker run --rm; and the executor's memory under output floods.
async Task<FloorRow> FloorAsync()
{
    var rows = new List<FloorLatency>();
    foreach (var hello in new[] { hellos["bash"], python })
    {
        Console.WriteLine($"Floor: {hello.Language}");
        var api = await Measure.SequentialAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", hello), options.Warmup, options.Runs, options.Interval);
        var gvisor = await Measure.SequentialAsync(() => Workloads.ViaHttpAsync(stack.ApiGVisor, "/run", hello), options.Warmup, options.Runs, options.Interval);
        var host = await Workloads.OnHostAsync(hello, hostDir) is null
            ? null
            : await Measure.SequentialAsync(async () => (await Workloads.OnHostAsync(hello, hostDir))!.Value, options.Warmup, options.Runs, options.Interval);
        rows.Add(new FloorLatency(hello.Language, Stats.Of(api), Stats.Of(gvisor), host is null ? null : Stats.Of(host)));
    }
    using var busy = await stack.ApiGVisor.PostAsJsonAsync("/run", new { lang = python.Language, version = python.Version, code = "print(sum(range(5_000_000)))" });
    var busyResult = await busy.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    double? gvisorCpu = busyResult.TryGetProperty("cpuTimeMs", out var cpu) && cpu.ValueKind == System.Text.Json.JsonValueKind.Number ? cpu.GetDouble() : null;
    var gvisorWall = busyResult.TryGetProperty("wallTimeMs", out var wall) ? wall.GetDouble() : double.NaN;
    Console.WriteLine("Floor: throughput at concurrency 8");
    var api8 = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", python), 8, Math.Max(options.Runs, 64));
    var docker8 = await Measure.ConcurrentAsync(() => Workloads.ViaDockerRunAsync(python), 8, Math.Max(options.DockerRuns, 16));
    var (baseline, floodPeak, floods, failures) = await FloodMemoryAsync();
    return new FloorRow(rows, gvisorCpu, gvisorWall, api8.PerSecond, Stats.Of(api8.Samples), docker8.PerSecond, Stats.Of(docker8.Samples),
        baseline, floodPeak, floods, failures);
}

// Scale-out: one executor, then two executors, both pulling from the queue; python3 in
// slots and in a container per run (the engine's container lifecycle), at concurrency 16. Host CPU is
// sampled alongside, to tell an engine-bound from a CPU-bound machine.
async Task ScaleOutAsync(List<ScaleOutRow> rows)
{
    foreach (var executors in new[] { 1, 2 })
    {
        if (executors == 2)
        {
            Console.WriteLine("Starting the second executor");
            await stack.StartSecondExecutorAsync(CancellationToken.None);
        }
        Console.WriteLine($"Scale-out: {executors} executor(s) at concurrency 16");
        var total = Math.Max(options.Runs, 160);
        var cpu = CpuSampler.Start();
        var slot = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.Api, "/run", python), 16, total);
        var (slotCpu, slotCores) = (cpu.BusyFraction(), cpu.CoreBusyFractions());
        cpu = CpuSampler.Start();
        var container = await Measure.ConcurrentAsync(() => Workloads.ViaHttpAsync(stack.ApiContainer, "/run", python), 16, total);
        rows.Add(new ScaleOutRow(executors, slot.PerSecond, Stats.Of(slot.Samples), slotCpu, container.PerSecond, Stats.Of(container.Samples), cpu.BusyFraction(),
            slotCores, cpu.CoreBusyFractions()));
    }
}

// Judge mode: one program against 20 test cases, judged in one run, as 20 separate runs (each compiling
// again) one after another and 4 at once, and (C++) as 20 docker run --rm. Whole sets, one at a time.
async Task JudgeAsync(List<JudgeRow> rows)
{
    var cases = Enumerable.Range(1, 20).Select(n => (Stdin: $"{n}\n", Expected: $"{n * n}\n")).ToList();
    var solutions = new[]
    {
        HelloWorld.Load(languagesFolder, "cpp", "#include <iostream>\nint main() { long n; std::cin >> n; std::cout << n * n << '\\n'; }\n"),
        HelloWorld.Load(languagesFolder, "python3", "n = int(input())\nprint(n * n)\n"),
    };
    foreach (var solution in solutions)
    {
        Console.WriteLine($"Judge mode: {solution.Language} against {cases.Count} cases");
        var judged = await Measure.SequentialAsync(() => Workloads.JudgedAsync(stack.Api, solution, cases), 1, options.JudgeRuns);
        var separate = await Measure.SequentialAsync(() => Workloads.SeparateRunsAsync(stack.Api, solution, cases, 1), 1, options.JudgeRuns);
        var concurrent = await Measure.SequentialAsync(() => Workloads.SeparateRunsAsync(stack.Api, solution, cases, BenchStack.Slots), 1, options.JudgeRuns);
        var docker = solution.Compile is null ? null
            : await Measure.SequentialAsync(() => Workloads.SeparateDockerRunsAsync(solution, cases), 0, Math.Max(1, options.JudgeRuns / 2));
        var row = new JudgeRow(solution.Language, cases.Count, Stats.Of(judged), Stats.Of(separate), Stats.Of(concurrent), docker is null ? null : Stats.Of(docker));
        Console.WriteLine($"  judged {row.Judged.P50:0} ms, separate {row.Separate.P50:0} ms, 4 at once {row.SeparateConcurrent.P50:0} ms, docker run {row.DockerRuns?.P50:0} ms");
        rows.Add(row);
    }
}

// Sessions: opening one (a sandbox of its own, its kernel started behind the answer), a Python cell that
// only touches a variable in the session's kernel against a stateless python3 hello world through POST /run
// (the baseline, measured between the same calls), and a matplotlib figure's round trip as image/png.
async Task<SessionsRow> SessionsAsync()
{
    Console.WriteLine("Sessions: open, x += 1 in the kernel, a figure");
    var opens = new List<Sample>();
    for (var i = 0; i < Math.Max(5, options.Runs / 5); i++)
    {
        var (sample, id) = await Workloads.OpenSessionAsync(stack.Api, "python3");
        opens.Add(sample);
        if (id is not null)
        {
            await stack.Api.DeleteAsync($"/sessions/{id}");
        }
    }
    var (_, session) = await Workloads.OpenSessionAsync(stack.Api, "python3");
    if (session is null)
    {
        throw new InvalidOperationException("No session could be opened.");
    }
    await Workloads.RunInSessionAsync(stack.Api, session, "x = 0");
    var increments = new List<Sample>();
    var kernelTimes = new List<double>();
    var hellos = new List<Sample>();
    for (var i = 0; i < options.Runs; i++)
    {
        var (increment, kernelMs) = await Workloads.RunInSessionAsync(stack.Api, session, "x += 1\nx");
        increments.Add(increment);
        kernelTimes.Add(kernelMs);
        hellos.Add(await Workloads.ViaRunAsync(stack.Api, "python3", null, "print('hello world')"));
    }
    const string figure = "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9, 16])\nplt.show()";
    static bool HasPng(System.Text.Json.JsonElement body) =>
        body.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == System.Text.Json.JsonValueKind.Array
        && outputs.EnumerateArray().Any(o => o.GetProperty("mimeType").GetString() == "image/png");
    var (firstFigure, _) = await Workloads.RunInSessionAsync(stack.Api, session, figure, HasPng);
    var figures = new List<Sample>();
    for (var i = 0; i < 5; i++)
    {
        figures.Add((await Workloads.RunInSessionAsync(stack.Api, session, figure, HasPng)).Sample);
    }
    await stack.Api.DeleteAsync($"/sessions/{session}");
    var row = new SessionsRow(Stats.Of(opens), Stats.Of(increments), Stats.Median([.. kernelTimes.Where(t => !double.IsNaN(t))]), Stats.Of(hellos), firstFigure, Stats.Of(figures));
    Console.WriteLine($"  open {row.Open.P50:0} ms, x += 1 {row.Increment.P50:0.0} ms (hello via /run {row.Hello.P50:0.0} ms), figure first {firstFigure.Milliseconds:0} ms then {row.Figure.P50:0} ms");
    return row;
}

internal sealed record BenchOptions(string Repository, string Output, int Runs, int DockerRuns, int Warmup, int WarmPerLanguage, int FloodRuns, TimeSpan Interval, int LanguageRuns,
    TimeSpan OverloadDuration, string? Only, double SoakMinutes, int JudgeRuns, string? Supervisor)
{
    public static BenchOptions Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var repository = FindRepository();
        return new BenchOptions(
            repository,
            Path.GetFullPath(Value("--out") ?? Path.Combine(repository, "docs", Value("--only") switch
            {
                "overload" => "benchmark-overload.md",
                "soak" => "soak.md",
                "scale-out" => "benchmark-scale-out.md",
                "judge" => "benchmark-judge.md",
                "sessions" => "benchmark-sessions.md",
                "floor" => Value("--supervisor") == "script" ? "benchmark-floor-script.md" : "benchmark-floor.md",
                _ => "benchmarks.md",
            })),
            int.Parse(Value("--runs") ?? "50"),
            int.Parse(Value("--docker-runs") ?? "20"),
            int.Parse(Value("--warmup") ?? "5"),
            int.Parse(Value("--warm") ?? "4"),
            int.Parse(Value("--flood-runs") ?? "16"),
            TimeSpan.FromMilliseconds(int.Parse(Value("--interval-ms") ?? "250")),
            int.Parse(Value("--language-runs") ?? "5"),
            TimeSpan.FromSeconds(int.Parse(Value("--overload-seconds") ?? "60")),
            // --only overload: that section alone, written to --out (default docs/benchmark-overload.md);
            // --only soak: the soak (scripts/soak.sh), written to --out (default docs/soak.md);
            // --only scale-out: one executor then two, each executor's sandboxes on a core of their own,
            // written to --out (default docs/benchmark-scale-out.md).
            Value("--only"),
            double.Parse(Value("--soak-minutes") ?? "10", System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(Value("--judge-runs") ?? "5"),
            Value("--supervisor"));
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "QuickTry.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("QuickTry.sln not found above the benchmark");
    }
}
