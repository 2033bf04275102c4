using System.Text;
using Microsoft.AspNetCore.Http;
using QuickTry.Api.Piston;

namespace QuickTry.Api.Tests.Piston;

/// <summary>Piston's request to QuickTry's, QuickTry's result to Piston's answer, and the runtime list; pure logic.</summary>
public sealed class PistonTranslationTests
{
    private static readonly AppliedLimits Defaults = new(3_000, 10_000, 128, 64, 65_536);
    private static readonly AppliedLimits Ceilings = new(20_000, 60_000, 1_024, 512, 1_048_576);

    private static LanguageInfo Language(string name, string version = "3.11.2", bool compiled = false, bool available = true, params string[] aliases) =>
        new(name, name, version, aliases, compiled, "main", available, Defaults, Ceilings, null, name, []);

    private static LanguageInfo VersionOf(LanguageInfo language, string name, string version, bool available = true) =>
        language with { Name = name, Version = version, Aliases = [], Available = available };

    private static readonly LanguageInfo Python = Language("python3", aliases: ["py", "py3", "python"]);
    private static readonly LanguageInfo Cpp = Language("cpp", "12.2.0", compiled: true, aliases: ["c++", "g++"]);

    private static PistonFile FileOf(string? name, string? content, string? encoding) => new() { Name = name, Content = content, Encoding = encoding };

    private static PistonExecuteRequest Request(params PistonFile[] files) =>
        new() { Language = "python", Version = "*", Files = files };

    private static RunRequest Translate(PistonExecuteRequest request, LanguageInfo? language = null)
    {
        var (run, error) = PistonTranslation.ToRunRequest(request, language ?? Python);
        Assert.True(error is null, error);
        return run!;
    }

    private static string Error(PistonExecuteRequest request, LanguageInfo? language = null)
    {
        var (run, error) = PistonTranslation.ToRunRequest(request, language ?? Python);
        Assert.Null(run);
        return error!;
    }

    [Fact]
    public void Piston_checks_the_shape_in_its_order_with_its_messages()
    {
        Assert.Equal("language is required as a string", PistonTranslation.CheckShape(new PistonExecuteRequest()));
        Assert.Equal("version is required as a string", PistonTranslation.CheckShape(new() { Language = "python" }));
        Assert.Equal("files is required as an array", PistonTranslation.CheckShape(new() { Language = "python", Version = "3" }));
        Assert.Equal("files[1].content is required as a string",
            PistonTranslation.CheckShape(Request(FileOf(null, "x", null), FileOf("a", null, null))));
        Assert.Null(PistonTranslation.CheckShape(Request(FileOf(null, "x", null))));
    }

    [Fact]
    public void The_first_utf8_file_is_the_program_and_the_others_are_decoded_beside_it()
    {
        var run = Translate(Request(
            FileOf("data.bin", Convert.ToBase64String(Encoding.UTF8.GetBytes("from base64")), "base64"),
            FileOf("main.py", "print(1)", null),
            FileOf("lib.py", "X = 1", "utf8"),
            FileOf(null, Convert.ToHexString(Encoding.UTF8.GetBytes("from hex")), "hex")));

        Assert.Equal("python3", run.Lang);
        Assert.Equal("print(1)", run.Code);
        Assert.Equal([new RunFile("data.bin", "from base64"), new RunFile("lib.py", "X = 1"), new RunFile("file3.code", "from hex")], run.Files!);
    }

    [Fact]
    public void Stdin_gets_a_trailing_newline_as_in_Piston_and_args_default_to_none()
    {
        Assert.Equal("\n", Translate(Request(FileOf(null, "x", null))).Stdin);
        Assert.Equal("a\n", Translate(Request(FileOf(null, "x", null)) with { Stdin = "a" }).Stdin);
        Assert.Equal("a\n", Translate(Request(FileOf(null, "x", null)) with { Stdin = "a\n" }).Stdin);
        Assert.Empty(Translate(Request(FileOf(null, "x", null))).Args!);
        Assert.Equal(["1", "2"], Translate(Request(FileOf(null, "x", null)) with { Args = ["1", "2"] }).Args!);
    }

    [Theory]
    [InlineData("latin1", "files[1].encoding must be one of utf8, base64 or hex")]
    [InlineData("base64", "files[1].content is not valid base64")]
    [InlineData("hex", "files[1].content is not valid hex")]
    public void What_cannot_be_decoded_is_refused(string encoding, string message) =>
        Assert.Equal(message, Error(Request(FileOf(null, "x", null), FileOf("f", "not*decodable", encoding))));

    [Fact]
    public void Decoded_content_that_is_not_utf8_text_is_refused_saying_why()
    {
        var error = Error(Request(FileOf(null, "x", null), FileOf("f", "ff00fe", "hex")));
        Assert.StartsWith("files[1] is not UTF-8 text once decoded from hex", error);
    }

    [Fact]
    public void A_request_without_a_utf8_file_is_refused_as_Piston_does() =>
        Assert.Equal("files must include at least one utf8 encoded file", Error(Request(FileOf(null, "eA==", "base64"))));

    [Fact]
    public void Limits_are_translated_to_QuickTrys_units()
    {
        var limits = Translate(Request(FileOf(null, "x", null)) with
        {
            RunTimeout = 2500, CompileTimeout = 15000, RunMemoryLimit = 256 * 1024 * 1024 + 5,
        }).Limits!;
        Assert.Equal(2500, limits.TimeMs);
        Assert.Equal(15000, limits.CompileTimeMs);
        Assert.Equal(256, limits.MemoryMb);

        var unset = Translate(Request(FileOf(null, "x", null)) with { RunTimeout = 0 });
        Assert.Null(unset.Limits);
    }

    [Fact]
    public void Minus_one_is_the_most_QuickTry_allows()
    {
        var limits = Translate(Request(FileOf(null, "x", null)) with
        {
            RunTimeout = -1, CompileTimeout = -1, RunMemoryLimit = -1, CompileMemoryLimit = -1, RunCpuTime = -1,
        }).Limits!;
        Assert.Equal(new RequestedLimits { TimeMs = 20_000, CompileTimeMs = 60_000, MemoryMb = 1_024 }, limits);
    }

    [Fact]
    public void Negative_limits_are_refused_with_Pistons_message() =>
        Assert.Equal("run_timeout must be non-negative", Error(Request(FileOf(null, "x", null)) with { RunTimeout = -5 }));

    [Fact]
    public void Limits_QuickTry_cannot_honour_are_refused_saying_so()
    {
        var memory = Error(Request(FileOf(null, "x", null)) with { RunMemoryLimit = 256_000_000, CompileMemoryLimit = 512_000_000 });
        Assert.StartsWith("compile_memory_limit cannot be honoured", memory);

        var cpu = Error(Request(FileOf(null, "x", null)) with { RunTimeout = 3000, RunCpuTime = 1000 });
        Assert.StartsWith("run_cpu_time cannot be honoured", cpu);

        var compileCpu = Error(Request(FileOf(null, "x", null)) with { CompileCpuTime = 500 }, Cpp);
        Assert.StartsWith("compile_cpu_time cannot be honoured", compileCpu);

        // Piston's README example: CPU times equal to the timeouts hold under QuickTry's wall-time limits.
        Translate(Request(FileOf(null, "x", null)) with
        {
            CompileTimeout = 10000, RunTimeout = 3000, CompileCpuTime = 10000, RunCpuTime = 3000,
            CompileMemoryLimit = -1, RunMemoryLimit = -1,
        }, Cpp);
        // Only one of the two memory limits: it is the sandbox's.
        Assert.Equal(300, Translate(Request(FileOf(null, "x", null)) with { CompileMemoryLimit = 300 * 1024 * 1024 }).Limits!.MemoryMb);
    }

    private static RunResult Result(RunStatus status, string lang = "python3") => new()
    {
        RunId = "r", Lang = lang, Version = "3.11.2", Status = status, Limits = Defaults,
        Stdout = "out", Stderr = "err", Output = "outerr", WallTimeMs = 12.5, CpuTimeMs = 10, MemoryBytes = 4096,
    };

    [Fact]
    public void An_interpreted_run_has_no_compile_stage_and_succeeds_with_null_status()
    {
        var response = PistonTranslation.ToResponse(Result(RunStatus.Ok) with { ExitCode = 0 }, Python);

        Assert.Equal("python", response.Language);
        Assert.Equal("3.11.2", response.Version);
        Assert.Null(response.Compile);
        Assert.Equal(new PistonStage("out", "err", "outerr", 0, null, null, null, 10, 12.5, 4096), response.Run);
    }

    [Theory]
    [InlineData(RunStatus.RuntimeError, 3, null, "RE", 3, null)]
    [InlineData(RunStatus.RuntimeError, 139, "SIGSEGV", "SG", null, "SIGSEGV")]
    [InlineData(RunStatus.Timeout, null, "SIGKILL", "TO", null, "SIGKILL")]
    [InlineData(RunStatus.MemoryLimit, null, "SIGKILL", "SG", null, "SIGKILL")]
    [InlineData(RunStatus.InternalError, null, null, "XX", null, null)]
    public void Statuses_map_to_Pistons(RunStatus status, int? exitCode, string? signal, string expected, int? code, string? pistonSignal)
    {
        var run = PistonTranslation.ToResponse(Result(status) with { ExitCode = exitCode, Signal = signal, Message = "why" }, Python).Run;

        Assert.Equal(expected, run.Status);
        Assert.Equal(code, run.Code);
        Assert.Equal(pistonSignal, run.Signal);
        Assert.Equal("why", run.Message);
    }

    [Fact]
    public void Output_limits_say_which_stream()
    {
        Assert.Equal("OL", PistonTranslation.ToResponse(Result(RunStatus.OutputLimit) with { StdoutTruncated = true }, Python).Run.Status);
        Assert.Equal("EL", PistonTranslation.ToResponse(Result(RunStatus.OutputLimit) with { StderrTruncated = true }, Python).Run.Status);
    }

    [Fact]
    public void An_internal_error_that_never_ran_reports_no_times() =>
        Assert.Null(PistonTranslation.ToResponse(Result(RunStatus.InternalError) with { WallTimeMs = 0 }, Python).Run.WallTime);

    [Fact]
    public void A_compiled_run_has_both_stages()
    {
        var result = Result(RunStatus.Ok, "cpp") with
        {
            Version = "12.2.0", ExitCode = 0,
            Compile = new CompileResult { ExitCode = 0, Stderr = "warning", Output = "warning", WallTimeMs = 300 },
        };
        var response = PistonTranslation.ToResponse(result, Cpp);

        Assert.Equal("c++", response.Language);
        Assert.Equal(new PistonStage("", "warning", "warning", 0, null, null, null, null, 300, null), response.Compile);
        Assert.Equal("out", response.Run.Stdout);
    }

    [Fact]
    public void A_failed_compile_is_repeated_as_the_run_stage_as_Piston_does()
    {
        var result = Result(RunStatus.CompileError, "cpp") with
        {
            Stdout = "", Stderr = "", Output = "", Message = "Compilation failed.",
            Compile = new CompileResult { ExitCode = 1, Stderr = "error: x", Output = "error: x", WallTimeMs = 200 },
        };
        var response = PistonTranslation.ToResponse(result, Cpp);

        Assert.Equal("RE", response.Compile!.Status);
        Assert.Equal(1, response.Compile.Code);
        Assert.Equal("error: x", response.Compile.Stderr);
        Assert.Same(response.Compile, response.Run);

        var timedOut = PistonTranslation.ToResponse(result with
        {
            Status = RunStatus.Timeout, Compile = new CompileResult { ExitCode = 137, TimedOut = true },
        }, Cpp);
        Assert.Equal(("TO", "SIGKILL", (int?)null), (timedOut.Compile!.Status, timedOut.Compile.Signal, timedOut.Compile.Code));
    }

    [Fact]
    public void Runtimes_use_Pistons_names_and_list_only_what_can_run_with_a_known_version()
    {
        var list = PistonRuntimes.List([
            Python, Cpp, Language("bash", "5.2.15", aliases: ["sh"]),
            Language("go", "unknown"), Language("rust", "1.63.0", available: false),
        ]);

        Assert.Equal(["bash", "c++", "python"], list.Select(r => r.Language));
        Assert.Equal(new[] { "python3", "py", "py3" }, list.Single(r => r.Language == "python").Aliases);
        Assert.Equal(new[] { "cpp", "g++" }, list.Single(r => r.Language == "c++").Aliases);
        Assert.All(list, r => Assert.Null(r.Runtime));
    }

    [Fact]
    public void Each_version_of_a_language_is_a_runtime_and_the_range_picks_the_highest_that_can_run()
    {
        var python313 = VersionOf(Python, "python3-3.13", "3.13.5");
        LanguageInfo[] all = [Python, python313, VersionOf(Python, "python3-3.14", "3.14.0", available: false)];

        var list = PistonRuntimes.List(all);
        Assert.Equal(new[] { ("python", "3.13.5"), ("python", "3.11.2") }, list.Select(r => (r.Language, r.Version)));
        Assert.All(list, r => Assert.Equal(new[] { "python3", "py", "py3" }, r.Aliases));
        Assert.Same(python313, PistonRuntimes.Find(all, "python", "*"));
        Assert.Same(python313, PistonRuntimes.Find(all, "py", "3.x"));
        Assert.Same(Python, PistonRuntimes.Find(all, "python", "3.11"));
        Assert.Same(Python, PistonRuntimes.Find(all, "py3", "<3.12"));
        Assert.Null(PistonRuntimes.Find(all, "python", "3.14"));
    }

    [Fact]
    public void A_runtime_is_found_by_Piston_name_QuickTry_name_or_alias_within_the_version_range()
    {
        LanguageInfo[] all = [Python, Cpp, Language("rust", "1.63.0", available: false)];

        Assert.Same(Python, PistonRuntimes.Find(all, "python", "3.x"));
        Assert.Same(Python, PistonRuntimes.Find(all, "py", "*"));
        Assert.Same(Cpp, PistonRuntimes.Find(all, "c++", "12"));
        Assert.Same(Cpp, PistonRuntimes.Find(all, "cpp", ">=10"));
        Assert.Null(PistonRuntimes.Find(all, "python", "2.x"));
        Assert.Null(PistonRuntimes.Find(all, "rust", "*"));
        Assert.Null(PistonRuntimes.Find(all, "cobol", "*"));
    }

    [Fact]
    public void Problems_become_one_message_in_Pistons_words()
    {
        var validation = new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            ["limits.timeMs"] = ["Must be at most 20000 (asked 50000)."],
        });
        Assert.Equal("run_timeout (ms): Must be at most 20000 (asked 50000).", PistonTranslation.Message(validation));
        Assert.Equal("The executor is busy. Retry after 1 s.",
            PistonTranslation.Message(new() { Title = "The executor is busy.", Detail = "Retry after 1 s." }));
    }
}
