using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace QuickTry.Api.Piston;

/// <summary>
/// Piston's request to QuickTry's <see cref="RunRequest"/> and QuickTry's <see cref="RunResult"/> to Piston's
/// answer. It checks only what Piston checks before choosing a runtime and what cannot be translated; the
/// run itself is validated once, by the gate every run passes.
/// </summary>
public static class PistonTranslation
{
    private const double BytesPerMiB = 1024 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Piston's checks before it looks for a runtime, in its order and with its messages.</summary>
    public static string? CheckShape(PistonExecuteRequest request)
    {
        if (string.IsNullOrEmpty(request.Language))
        {
            return "language is required as a string";
        }
        if (string.IsNullOrEmpty(request.Version))
        {
            return "version is required as a string";
        }
        if (request.Files is null)
        {
            return "files is required as an array";
        }
        for (var i = 0; i < request.Files.Count; i++)
        {
            if (request.Files[i]?.Content is null)
            {
                return $"files[{i}].content is required as a string";
            }
        }
        return null;
    }

    /// <summary>
    /// The run QuickTry is asked for, or why it cannot be asked: no UTF-8 file, an unknown encoding, content
    /// that is not text, a negative limit, or a limit QuickTry has no way to honour.
    /// </summary>
    public static (RunRequest? Request, string? Error) ToRunRequest(PistonExecuteRequest request, LanguageInfo language)
    {
        var files = request.Files ?? [];
        // Piston runs the first file sent as utf8 (or without an encoding); decoded files are data beside it.
        var main = -1;
        for (var i = 0; i < files.Count && main < 0; i++)
        {
            if (files[i]!.Encoding is null or "utf8")
            {
                main = i;
            }
        }
        if (main < 0)
        {
            return (null, "files must include at least one utf8 encoded file");
        }

        var extras = new List<RunFile?>();
        for (var i = 0; i < files.Count; i++)
        {
            if (i == main)
            {
                continue;
            }
            var (content, error) = Decode(files[i]!, i);
            if (error is not null)
            {
                return (null, error);
            }
            extras.Add(new RunFile(string.IsNullOrEmpty(files[i]!.Name) ? $"file{i}.code" : files[i]!.Name, content));
        }

        var (limits, limitError) = ToLimits(request, language);
        if (limitError is not null)
        {
            return (null, limitError);
        }

        var stdin = request.Stdin ?? "";
        // Piston ends stdin with a newline when it has none (job.js), so input() and friends see a whole line.
        if (!stdin.EndsWith('\n'))
        {
            stdin += "\n";
        }
        return (new RunRequest
        {
            Lang = language.Name,
            Code = files[main]!.Content,
            Stdin = stdin,
            Args = request.Args ?? [],
            Files = extras.Count > 0 ? extras : null,
            Limits = limits,
        }, null);
    }

    private static (string? Content, string? Error) Decode(PistonFile file, int index)
    {
        byte[] bytes;
        switch (file.Encoding)
        {
            case null or "utf8":
                return (file.Content, null);
            case "base64":
                bytes = new byte[file.Content!.Length];
                if (!Convert.TryFromBase64String(file.Content, bytes, out var written))
                {
                    return (null, $"files[{index}].content is not valid base64");
                }
                bytes = bytes[..written];
                break;
            case "hex":
                try
                {
                    bytes = Convert.FromHexString(file.Content!);
                }
                catch (FormatException)
                {
                    return (null, $"files[{index}].content is not valid hex");
                }
                break;
            default:
                return (null, $"files[{index}].encoding must be one of utf8, base64 or hex");
        }
        try
        {
            return (StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, $"files[{index}] is not UTF-8 text once decoded from {file.Encoding}; QuickTry can only place text files beside the program");
        }
    }

    /// <summary>
    /// Piston's limits in QuickTry's units. -1 is the most QuickTry allows (Piston's "no limit"; QuickTry always
    /// has one); 0 or absent is the language's default (Piston skips a limit that is 0). Bytes become whole
    /// MiB, rounded down, so a run never gets more than it asked for. Ceilings are the gate's to check.
    /// </summary>
    private static (RequestedLimits? Limits, string? Error) ToLimits(PistonExecuteRequest request, LanguageInfo language)
    {
        var max = language.MaxLimits;
        // Piston's order: memory limits, then timeouts, then CPU times; compile before run.
        var (compileMemory, e1) = Limit("compile_memory_limit", request.CompileMemoryLimit, max.MemoryMb, BytesPerMiB);
        var (runMemory, e2) = Limit("run_memory_limit", request.RunMemoryLimit, max.MemoryMb, BytesPerMiB);
        var (compileTime, e3) = Limit("compile_timeout", request.CompileTimeout, max.CompileTimeMs, 1);
        var (runTime, e4) = Limit("run_timeout", request.RunTimeout, max.TimeMs, 1);
        var (compileCpu, e5) = Limit("compile_cpu_time", request.CompileCpuTime, int.MaxValue, 1);
        var (runCpu, e6) = Limit("run_cpu_time", request.RunCpuTime, int.MaxValue, 1);
        if (new[] { e1, e2, e3, e4, e5, e6 }.FirstOrDefault(e => e is not null) is { } error)
        {
            return (null, error);
        }

        if (compileMemory is not null && runMemory is not null && compileMemory != runMemory)
        {
            return (null, "compile_memory_limit cannot be honoured apart from run_memory_limit: QuickTry gives the compile and "
                + "run stages one memory limit; send the same value for both, or only one of them");
        }

        // QuickTry stops a stage on wall time; with its one CPU per sandbox, CPU time cannot pass wall time,
        // so a CPU limit at or above the stage's timeout holds, and a lower one cannot be kept.
        var runWall = runTime ?? language.Limits.TimeMs;
        if (runCpu < runWall)
        {
            return (null, $"run_cpu_time cannot be honoured: QuickTry stops a run on wall time only (run_timeout, {runWall} ms here); "
                + $"send a run_cpu_time of at least {runWall}, -1, or none");
        }
        var compileWall = compileTime ?? language.Limits.CompileTimeMs;
        if (language.Compiled && compileCpu < compileWall)
        {
            return (null, $"compile_cpu_time cannot be honoured: QuickTry stops a compile on wall time only (compile_timeout, {compileWall} ms here); "
                + $"send a compile_cpu_time of at least {compileWall}, -1, or none");
        }

        var memory = runMemory ?? compileMemory;
        return runTime is null && compileTime is null && memory is null
            ? (null, null)
            : (new RequestedLimits { TimeMs = runTime, CompileTimeMs = compileTime, MemoryMb = memory }, null);
    }

    private static (int? Value, string? Error) Limit(string name, double? asked, int maximum, double unit) => asked switch
    {
        null or 0 => (null, null),
        -1 => (maximum, null),
        < 0 => (null, $"{name} must be non-negative"),
        _ => ((int)Math.Min(Math.Floor(asked.Value / unit), int.MaxValue), null),
    };

    /// <summary>QuickTry's result as Piston's answer, named and versioned as <c>/api/v2/runtimes</c> lists it.</summary>
    public static PistonExecuteResponse ToResponse(RunResult result, LanguageInfo language)
    {
        var version = (PistonVersions.Coerce(result.Version) ?? PistonVersions.Coerce(language.Version))?.ToString() ?? result.Version;
        var compile = result.Compile is { } c ? CompileStage(result, c) : null;
        // As Piston: when the compile stage failed nothing ran, and "run" repeats the compile stage.
        var run = compile is not null && result.Compile!.ExitCode != 0 ? compile : RunStage(result);
        return new PistonExecuteResponse(PistonRuntimes.PistonName(language), version, run, compile);
    }

    private static PistonStage CompileStage(RunResult result, CompileResult compile)
    {
        var failed = compile.ExitCode != 0;
        var (status, signal, code) = !failed ? (null, null, compile.ExitCode)
            : result.Status == RunStatus.InternalError ? ("XX", null, compile.ExitCode)
            : compile.TimedOut || result.Status == RunStatus.Timeout ? ("TO", "SIGKILL", null)
            : result.Status == RunStatus.MemoryLimit ? ("SG", "SIGKILL", (int?)null)
            : ("RE", (string?)null, compile.ExitCode);
        return new PistonStage(compile.Stdout, compile.Stderr, compile.Output, code, signal,
            failed ? result.Message : null, status, CpuTime: null, WallTime: compile.WallTimeMs, Memory: null);
    }

    private static PistonStage RunStage(RunResult result)
    {
        // Piston reports a stage ended by a signal with code null, and TO/OL/EL as killed by SIGKILL.
        var (status, signal, code) = result.Status switch
        {
            RunStatus.Ok => (null, null, result.ExitCode),
            RunStatus.RuntimeError when result.Signal is not null => ("SG", result.Signal, null),
            RunStatus.RuntimeError => ("RE", null, result.ExitCode),
            RunStatus.Timeout => ("TO", "SIGKILL", null),
            RunStatus.OutputLimit => (result.StderrTruncated && !result.StdoutTruncated ? "EL" : "OL", "SIGKILL", null),
            // Piston's sandbox reports a program its memory cgroup killed as dead by SIGKILL.
            RunStatus.MemoryLimit => ("SG", "SIGKILL", null),
            _ => ("XX", result.Signal, (int?)result.ExitCode),
        };
        // A run that never started has no times to report.
        var ran = status != "XX" || result.WallTimeMs > 0;
        return new PistonStage(result.Stdout, result.Stderr, result.Output, code, signal,
            status is null ? null : result.Message, status,
            CpuTime: result.CpuTimeMs, WallTime: ran ? result.WallTimeMs : null, Memory: result.MemoryBytes);
    }

    /// <summary>
    /// A problem (from the reader, the gate, the rate limiter or the executor) as Piston's one-line message,
    /// naming Piston's fields where QuickTry's errors name its own.
    /// </summary>
    public static string Message(ProblemDetails problem)
    {
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
        {
            return string.Join("; ", validation.Errors.Select(e => $"{PistonField(e.Key)}: {string.Join(" ", e.Value)}"));
        }
        return string.IsNullOrEmpty(problem.Detail) ? problem.Title ?? "The request failed." : $"{problem.Title} {problem.Detail}";
    }

    private static string PistonField(string quickTryField) => quickTryField switch
    {
        "lang" => "language",
        "code" => "files (the program)",
        "limits.timeMs" => "run_timeout (ms)",
        "limits.compileTimeMs" => "compile_timeout (ms)",
        "limits.memoryMb" => "run_memory_limit (counted in MiB here)",
        _ => quickTryField,
    };
}
