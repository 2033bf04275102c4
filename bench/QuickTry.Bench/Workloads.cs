using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace QuickTry.Bench;

/// <summary>A hello-world program of one language, runnable three ways.</summary>
internal sealed record HelloWorld(string Language, string SourceFile, string Code, IReadOnlyList<string>? Compile, IReadOnlyList<string> Run)
{
    /// <summary>
    /// The image's toolchain version, sent with every run: a language's name alone picks its newest
    /// version, and the benchmark measures this folder's image (the one docker run and the host compare with).
    /// </summary>
    public string? Version { get; init; }

    public static readonly IReadOnlyDictionary<string, string> Programs = new Dictionary<string, string>
    {
        ["python3"] = "print(\"hello world\")\n",
        ["javascript"] = "console.log(\"hello world\");\n",
        ["bash"] = "echo \"hello world\"\n",
        ["c"] = "#include <stdio.h>\nint main(void) { puts(\"hello world\"); return 0; }\n",
        ["go"] = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello world\") }\n",
        ["java"] = "public class Main { public static void main(String[] a) { System.out.println(\"hello world\"); } }\n",
    };

    /// <summary>Reads the compile and run commands from the language's definition, as the executor does.</summary>
    public static HelloWorld Load(string languagesFolder, string language, string? code = null)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(languagesFolder, language, "language.json")));
        var root = json.RootElement;
        static List<string>? Strings(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) ? [.. value.EnumerateArray().Select(v => v.GetString()!)] : null;
        return new HelloWorld(language, root.GetProperty("sourceFile").GetString()!, code ?? Programs[language], Strings(root, "compile"), Strings(root, "run")!)
        {
            Version = ImageVersion(language),
        };
    }

    /// <summary>What the image recorded as its toolchain's version when it was built.</summary>
    private static string ImageVersion(string language)
    {
        using var docker = System.Diagnostics.Process.Start(new ProcessStartInfo("docker", ["run", "--rm", "--network", "none", "--entrypoint", "cat", $"quicktry/{language}:latest", "/opt/quicktry/version"])
        {
            RedirectStandardOutput = true,
        })!;
        var version = docker.StandardOutput.ReadToEnd().Trim();
        docker.WaitForExit();
        return docker.ExitCode == 0 && version.Length > 0 ? version : throw new InvalidOperationException($"quicktry/{language} has no version");
    }
}

/// <summary>One measured call: how long it took and whether it produced the expected output.</summary>
internal readonly record struct Sample(double Milliseconds, bool Ok);

internal static class Workloads
{
    private const string Expected = "hello world\n";

    /// <summary>Through the public API (or the executor's internal endpoint).</summary>
    public static async Task<Sample> ViaHttpAsync(HttpClient http, string path, HelloWorld hello)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync(path, new { lang = hello.Language, version = hello.Version, code = hello.Code });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        var ok = response.IsSuccessStatusCode && body.GetProperty("stdout").GetString() == Expected;
        return new Sample(clock.Elapsed.TotalMilliseconds, ok);
    }

    /// <summary>
    /// One run through the API, telling a refusal (503 or 429 with Retry-After) apart: its wait comes back with it.
    /// A refusal without Retry-After, or any other failure, is a failed sample.
    /// </summary>
    public static async Task<(Sample Sample, TimeSpan? RetryAfter)> ViaHttpOrRefusedAsync(HttpClient http, HelloWorld hello)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/run", new { lang = hello.Language, version = hello.Version, code = hello.Code });
        if (response.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable or System.Net.HttpStatusCode.TooManyRequests)
        {
            await response.Content.ReadAsStringAsync();
            clock.Stop();
            var wait = response.Headers.RetryAfter?.Delta;
            return (new Sample(clock.Elapsed.TotalMilliseconds, wait is not null), wait ?? TimeSpan.FromSeconds(1));
        }
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        var ok = response.IsSuccessStatusCode && body.GetProperty("stdout").GetString() == Expected;
        return (new Sample(clock.Elapsed.TotalMilliseconds, ok), null);
    }

    /// <summary>
    /// A run as server-sent events through the .NET client: when its first output arrived (a line printed
    /// before the program sleeps) and when its result did. Ok when the result is ok and streamed output
    /// equals the result's.
    /// </summary>
    public static async Task<(Sample FirstOutput, Sample Result)> ViaEventStreamAsync(HttpClient http, string lang, string? version, string code)
    {
        var clock = Stopwatch.StartNew();
        double? first = null;
        var streamed = new System.Text.StringBuilder();
        RunResult? result = null;
        try
        {
            await foreach (var e in new QuickTryClient(http).StreamAsync(new RunRequest { Lang = lang, Version = version, Code = code }))
            {
                switch (e)
                {
                    case RunOutput output:
                        first ??= clock.Elapsed.TotalMilliseconds;
                        streamed.Append(output.Text);
                        break;
                    case RunCompleted completed:
                        result = completed.Result;
                        break;
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or QuickTryException)
        {
            // A failed run: counted as such below.
        }
        var total = clock.Elapsed.TotalMilliseconds;
        var ok = result is { Status: RunStatus.Ok } && result.Stdout == streamed.ToString() && first is not null;
        return (new Sample(first ?? total, ok), new Sample(total, ok));
    }

    /// <summary>A run of <paramref name="code"/> through <c>POST /run</c>, answered whole; ok when its status is.</summary>
    public static async Task<Sample> ViaRunAsync(HttpClient http, string lang, string? version, string code)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/run", new { lang, version, code });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        return new Sample(clock.Elapsed.TotalMilliseconds, response.IsSuccessStatusCode && body.GetProperty("status").GetString() == "ok");
    }

    /// <summary>Opens a session (<c>POST /sessions</c>); the sample is the call, the id the session's (null when refused).</summary>
    public static async Task<(Sample Sample, string? Id)> OpenSessionAsync(HttpClient http, string lang)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/sessions", new { lang });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        var id = response.StatusCode == System.Net.HttpStatusCode.Created ? body.GetProperty("id").GetString() : null;
        return (new Sample(clock.Elapsed.TotalMilliseconds, id is not null), id);
    }

    /// <summary>
    /// A run in a session (<c>POST /sessions/{id}/run</c>); ok when its status is and <paramref name="check"/>
    /// holds. Also the run's own wall time as the executor measured it (for a Python cell: the kernel's round
    /// trip from the executor), to tell it from the way there and back.
    /// </summary>
    public static async Task<(Sample Sample, double WallTimeMs)> RunInSessionAsync(HttpClient http, string id, string code, Func<JsonElement, bool>? check = null)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync($"/sessions/{id}/run", new { code });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        var ok = response.IsSuccessStatusCode && body.GetProperty("status").GetString() == "ok" && (check?.Invoke(body) ?? true);
        var wall = ok ? body.GetProperty("wallTimeMs").GetDouble() : double.NaN;
        return (new Sample(clock.Elapsed.TotalMilliseconds, ok), wall);
    }

    /// <summary>
    /// A language's own test program (<c>test/hello</c>, with its stdin) through <c>POST /run</c>: the
    /// whole call, and the compile and run steps' wall times the result reports. Ok when it printed
    /// <c>expected.txt</c>.
    /// </summary>
    public static async Task<(Sample Call, double CompileMs, double RunMs)> LanguageTestAsync(HttpClient http, LanguageTest test)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/run", new { lang = test.Name, version = test.Version, code = test.Code, stdin = test.Stdin });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        if (!response.IsSuccessStatusCode)
        {
            return (new Sample(clock.Elapsed.TotalMilliseconds, false), 0, 0);
        }
        var ok = body.GetProperty("status").GetString() == "ok" && body.GetProperty("stdout").GetString() == test.Expected;
        var compile = body.GetProperty("compile") is { ValueKind: JsonValueKind.Object } c ? c.GetProperty("wallTimeMs").GetDouble() : 0;
        return (new Sample(clock.Elapsed.TotalMilliseconds, ok), compile, body.GetProperty("wallTimeMs").GetDouble());
    }

    /// <summary>
    /// The original QuickTry's way: a fresh <c>docker run --rm</c> of the same image per run, the code sent
    /// on stdin, compiled and run with the same commands the executor uses.
    /// </summary>
    /// <summary>
    /// A grader's time limit per case, the same on both sides: a language's default (Python 3.13's is 10 s)
    /// times 20 cases would be more than a run may take at the gateway (120 s), which refuses such a set.
    /// </summary>
    private static readonly object JudgeLimits = new { timeMs = 2_000 };

    /// <summary>One judged run: the program against every case in one <c>POST /run</c>; ok when every case is accepted.</summary>
    public static async Task<Sample> JudgedAsync(HttpClient http, HelloWorld program, IReadOnlyList<(string Stdin, string Expected)> cases)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync("/run", new
        {
            lang = program.Language,
            version = program.Version,
            code = program.Code,
            tests = cases.Select(c => new { stdin = c.Stdin, expectedOutput = c.Expected }),
            limits = JudgeLimits,
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        clock.Stop();
        var ok = response.IsSuccessStatusCode && body.GetProperty("verdict").GetString() == "accepted";
        return new Sample(clock.Elapsed.TotalMilliseconds, ok);
    }

    /// <summary>
    /// The same cases as separate runs, as a judge without test cases takes them (Judge0's way): every run
    /// compiles again. <paramref name="concurrency"/> at a time; the sample is the whole set's time.
    /// </summary>
    public static async Task<Sample> SeparateRunsAsync(HttpClient http, HelloWorld program, IReadOnlyList<(string Stdin, string Expected)> cases, int concurrency)
    {
        var clock = Stopwatch.StartNew();
        var ok = 0;
        using var gate = new SemaphoreSlim(concurrency);
        await Task.WhenAll(cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                using var response = await http.PostAsJsonAsync("/run", new { lang = program.Language, version = program.Version, code = program.Code, stdin = c.Stdin, limits = JudgeLimits });
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (response.IsSuccessStatusCode && body.GetProperty("stdout").GetString() == c.Expected)
                {
                    Interlocked.Increment(ref ok);
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        return new Sample(clock.Elapsed.TotalMilliseconds, ok == cases.Count);
    }

    /// <summary>The same cases as a <c>docker run --rm</c> each, compiling and running in it, one after another.</summary>
    public static async Task<Sample> SeparateDockerRunsAsync(HelloWorld program, IReadOnlyList<(string Stdin, string Expected)> cases)
    {
        var clock = Stopwatch.StartNew();
        var ok = true;
        foreach (var (stdin, _) in cases)
        {
            // The code arrives on stdin, the case's input in an environment variable.
            var script = $"cat > {program.SourceFile}" + (program.Compile is { } compile ? " && " + Shell(compile) : "")
                + " && printf '%s' \"$CASE_INPUT\" | " + Shell(program.Run);
            var sample = await ProcessAsync("docker", ["run", "--rm", "-i", "--network", "none", "-e", "CASE_INPUT=" + stdin,
                $"quicktry/{program.Language}:latest", "bash", "-c", script], program.Code, null, expected: cases.First(c => c.Stdin == stdin).Expected);
            ok &= sample.Ok;
        }
        return new Sample(clock.Elapsed.TotalMilliseconds, ok);
    }

    public static async Task<Sample> ViaDockerRunAsync(HelloWorld hello)
    {
        var script = $"cat > {hello.SourceFile}" + (hello.Compile is { } compile ? " && " + Shell(compile) : "") + " && " + Shell(hello.Run);
        return await ProcessAsync("docker", ["run", "--rm", "-i", "--network", "none", $"quicktry/{hello.Language}:latest", "bash", "-c", script], hello.Code, null);
    }

    /// <summary>The bare toolchain on the host, compile included, or null where it is not installed.</summary>
    public static async Task<Sample?> OnHostAsync(HelloWorld hello, string workDir)
    {
        var tool = (hello.Compile ?? hello.Run)[0];
        if (Which(tool) is null)
        {
            return null;
        }
        await File.WriteAllTextAsync(Path.Combine(workDir, hello.SourceFile), hello.Code);
        var script = (hello.Compile is { } compile ? Shell(compile) + " && " : "") + "exec " + Shell(hello.Run);
        // bash -c adds a few ms; run interpreted languages directly so the baseline is the bare process.
        return hello.Compile is null
            ? await ProcessAsync(Which(tool)!, [.. hello.Run.Skip(1)], "", workDir)
            : await ProcessAsync("bash", ["-c", script], "", workDir);
    }

    /// <param name="expected">The stdout that makes the sample ok; hello world's by default, null for any.</param>
    private static async Task<Sample> ProcessAsync(string file, IReadOnlyList<string> args, string stdin, string? workDir, string? expected = Expected)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        clock.Stop();
        return new Sample(clock.Elapsed.TotalMilliseconds, process.ExitCode == 0 && (expected is null || await output == expected) && (await errors).Length >= 0);
    }

    /// <summary>Our own constant commands as one shell line (single-quoted words).</summary>
    private static string Shell(IEnumerable<string> argv) => string.Join(' ', argv.Select(a => "'" + a.Replace("'", "'\\''") + "'"));

    private static string? Which(string tool)
    {
        if (tool.StartsWith('.'))
        {
            return tool;
        }
        // The system's toolchains, not version-manager shims (a pyenv shim adds ~80 ms to python3).
        foreach (var dir in new[] { "/usr/bin", "/usr/local/bin", "/bin" })
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }
}

/// <summary>A language version's test program, <c>docker-images/&lt;name&gt;/test/hello</c> (or its language's).</summary>
internal sealed record LanguageTest(string Name, string Version, bool Compiled, string Code, string? Stdin, string Expected)
{
    public static LanguageTest Load(string languagesFolder, LanguageInfo language)
    {
        // A version without a hello program of its own runs its language's, as the tests do.
        var folder = Path.Combine(languagesFolder, language.Name, "test", "hello");
        if (!Directory.Exists(folder))
        {
            folder = Path.Combine(languagesFolder, language.Language, "test", "hello");
        }
        var stdin = Path.Combine(folder, "stdin.txt");
        return new LanguageTest(language.Name, language.Version, language.Compiled,
            File.ReadAllText(Path.Combine(folder, language.SourceFile)),
            File.Exists(stdin) ? File.ReadAllText(stdin) : null,
            File.ReadAllText(Path.Combine(folder, "expected.txt")));
    }
}
