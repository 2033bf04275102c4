using System.Text.Json.Serialization;

namespace QuickTry.Api.Piston;

// Piston v2's wire shapes (github.com/engineer-man/piston, api/src/api/v2.js and job.js), snake_case as it writes them.

/// <summary>The body of Piston's <c>POST /api/v2/execute</c>.</summary>
public sealed record PistonExecuteRequest
{
    /// <summary>A language's name or alias, as <c>GET /api/v2/runtimes</c> lists them.</summary>
    [JsonPropertyName("language")] public string? Language { get; init; }

    /// <summary>A semver range (npm's syntax): the highest matching version runs; <c>*</c> matches any.</summary>
    [JsonPropertyName("version")] public string? Version { get; init; }

    /// <summary>The files; the first UTF-8 one is the program, the others are placed beside it.</summary>
    [JsonPropertyName("files")] public IReadOnlyList<PistonFile?>? Files { get; init; }

    /// <summary>The program's stdin; a newline is added when it does not end with one, as Piston does.</summary>
    [JsonPropertyName("stdin")] public string? Stdin { get; init; }

    /// <summary>Command-line arguments.</summary>
    [JsonPropertyName("args")] public IReadOnlyList<string?>? Args { get; init; }

    /// <summary>Wall time of the run stage, in ms; -1 for the most QuickTry allows.</summary>
    [JsonPropertyName("run_timeout")] public double? RunTimeout { get; init; }

    /// <summary>Wall time of the compile stage, in ms; -1 for the most QuickTry allows.</summary>
    [JsonPropertyName("compile_timeout")] public double? CompileTimeout { get; init; }

    /// <summary>CPU time of the run stage, in ms: accepted at or above the run stage's wall time (QuickTry stops runs on wall time).</summary>
    [JsonPropertyName("run_cpu_time")] public double? RunCpuTime { get; init; }

    /// <summary>CPU time of the compile stage, in ms: accepted at or above the compile stage's wall time.</summary>
    [JsonPropertyName("compile_cpu_time")] public double? CompileCpuTime { get; init; }

    /// <summary>Memory of the run stage, in bytes; -1 for the most QuickTry allows.</summary>
    [JsonPropertyName("run_memory_limit")] public double? RunMemoryLimit { get; init; }

    /// <summary>Memory of the compile stage, in bytes; QuickTry has one memory limit for both stages.</summary>
    [JsonPropertyName("compile_memory_limit")] public double? CompileMemoryLimit { get; init; }
}

/// <summary>One file of a Piston request.</summary>
public sealed record PistonFile
{
    /// <summary>Its name; <c>file{i}.code</c> when left out, as Piston names it.</summary>
    [JsonPropertyName("name")] public string? Name { get; init; }

    /// <summary>Its content, in <see cref="Encoding"/>.</summary>
    [JsonPropertyName("content")] public string? Content { get; init; }

    /// <summary><c>utf8</c> (the default), <c>base64</c> or <c>hex</c>.</summary>
    [JsonPropertyName("encoding")] public string? Encoding { get; init; }
}

/// <summary>The answer of <c>POST /api/v2/execute</c>.</summary>
/// <param name="Language">The language's Piston name (never the alias asked for).</param>
/// <param name="Version">Its version, as semver.</param>
/// <param name="Run">The run stage; the compile stage again when compiling failed, as Piston answers.</param>
/// <param name="Compile">The compile stage, for compiled languages only.</param>
public sealed record PistonExecuteResponse(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("run")] PistonStage Run,
    [property: JsonPropertyName("compile"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] PistonStage? Compile);

/// <summary>One stage (compile or run) as Piston reports it.</summary>
/// <param name="Stdout">What it wrote on stdout.</param>
/// <param name="Stderr">What it wrote on stderr.</param>
/// <param name="Output">stdout and stderr in the order they were written.</param>
/// <param name="Code">Its exit code; null when a signal ended it.</param>
/// <param name="Signal">The signal that ended it (<c>SIGKILL</c>, ...); null when it exited.</param>
/// <param name="Message">Why it failed, for people; null when it did not.</param>
/// <param name="Status"><c>RE</c>, <c>SG</c>, <c>TO</c>, <c>OL</c>, <c>EL</c>, <c>XX</c>, or null when it succeeded.</param>
/// <param name="CpuTime">CPU time in ms, where known.</param>
/// <param name="WallTime">Wall time in ms, where known.</param>
/// <param name="Memory">Peak memory in bytes, where known.</param>
public sealed record PistonStage(
    [property: JsonPropertyName("stdout")] string Stdout,
    [property: JsonPropertyName("stderr")] string Stderr,
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("code")] int? Code,
    [property: JsonPropertyName("signal")] string? Signal,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("cpu_time")] double? CpuTime,
    [property: JsonPropertyName("wall_time")] double? WallTime,
    [property: JsonPropertyName("memory")] long? Memory);

/// <summary>One entry of <c>GET /api/v2/runtimes</c>.</summary>
/// <param name="Language">The language's Piston name.</param>
/// <param name="Version">Its version, as semver.</param>
/// <param name="Aliases">Other names <c>execute</c> accepts for it.</param>
/// <param name="Runtime">Piston's name of the package providing it, only where one provides several; QuickTry leaves it out.</param>
public sealed record PistonRuntime(
    [property: JsonPropertyName("language")] string Language,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string> Aliases,
    [property: JsonPropertyName("runtime"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Runtime = null);

/// <summary>Piston's error body: <c>{"message": "..."}</c>.</summary>
public sealed record PistonMessage([property: JsonPropertyName("message")] string Message);
