using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Languages;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Mcp;

/// <summary>
/// The stateless tools of <c>/mcp</c>: run a snippet, list the languages. A run is a <c>POST /run</c> in all but
/// transport: the same gate, plan, rate limit, quota and trace. A program that fails is the program's result;
/// a refused or invalid call is a tool error (<c>isError</c>) saying what to change, never a transport failure.
/// </summary>
[McpServerToolType]
public sealed class CodeTools(SyncRunner runner, LanguageDirectory languages, ClientRateLimiters limiters, IHttpContextAccessor http)
{
    [McpServerTool(Name = "run_code", Title = "Run code in a sandbox", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false,
        UseStructuredContent = true, OutputSchemaType = typeof(RunResult))]
    [Description("Runs a program in a locked-down sandbox (no network, its own files only) and returns its stdout, stderr, exit code "
        + "and status: ok, compile_error, runtime_error, timeout, memory_limit, output_limit or internal_error. A program that fails "
        + "is a normal result (read 'status'). Each call starts from a clean sandbox: nothing is kept between calls. "
        + "With 'tests' the program is compiled once and run once per test case, each output compared with the case's expected "
        + "output: every case gets a verdict (accepted, wrong_answer with the first difference, timeout, memory_limit, runtime_error, "
        + "output_limit, skipped). Call list_languages for the language names and versions.")]
    public async Task<CallToolResult> RunCodeAsync(
        [Description("Language name or alias, e.g. python3, javascript, c, cpp, java, go, rust, bash (see list_languages).")] string language,
        [Description("The program: the main source file's content.")] string code,
        [Description("The language's version, exact or a prefix such as '3.12'; the newest when left out.")] string? version = null,
        [Description("What the program reads on standard input.")] string? stdin = null,
        [Description("Command-line arguments.")] string[]? args = null,
        [Description("Extra files beside the main file: relative paths and UTF-8 text.")] RunFile[]? files = null,
        [Description("Limits to run under (timeMs, compileTimeMs, memoryMb, pids, outputBytes); each left out takes the language's default, "
            + "and none may exceed its ceiling (see list_languages).")] RequestedLimits? limits = null,
        [Description("Test cases: each with its stdin (and args) and the expectedOutput its stdout must match; leave out stdin and args "
            + "of the run itself when sending them.")] TestCase[]? tests = null,
        [Description("How test outputs are compared: lines (default; spaces at line ends and trailing empty lines ignored), exact, "
            + "tokens, or numbers (tokens, numbers equal within 1e-6).")] string? compare = null,
        CancellationToken cancellationToken = default)
    {
        var context = McpToolCalls.Tag(http, "run_code");
        if (McpToolCalls.RateLimited(limiters, context) is { } limited)
        {
            return limited;
        }
        var request = new RunRequest
        {
            Lang = language, Version = version, Code = code, Stdin = stdin, Args = args, Files = files, Limits = limits, Tests = tests, Compare = compare,
        };
        var (result, refusal) = await runner.RunAsync(context, request, cancellationToken);
        if (result is null)
        {
            return McpToolCalls.Refused(refusal!);
        }
        return McpToolCalls.Result(result);
    }

    [McpServerTool(Name = "list_languages", Title = "List the languages", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the languages run_code accepts: name, version, aliases, whether it compiles, and the default and highest limits.")]
    public async Task<CallToolResult> ListLanguagesAsync(CancellationToken cancellationToken = default)
    {
        McpToolCalls.Tag(http, "list_languages");
        var list = await languages.GetAsync(cancellationToken);
        if (list is null)
        {
            return McpToolCalls.Refused(Refusal.Unavailable(TimeSpan.FromSeconds(5), "The executor is unavailable."));
        }
        var text = new StringBuilder();
        foreach (var language in list.Where(l => l.Available))
        {
            text.Append(CultureInfo.InvariantCulture, $"{language.Name} {language.Version}");
            if (language.Aliases.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $" (also {string.Join(", ", language.Aliases)})");
            }
            text.Append(CultureInfo.InvariantCulture, $"{(language.Compiled ? ", compiled" : "")}; time limit {language.Limits.TimeMs} ms (at most {language.MaxLimits.TimeMs}), "
                + $"memory {language.Limits.MemoryMb} MB (at most {language.MaxLimits.MemoryMb})\n");
        }
        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text.ToString() }],
            StructuredContent = JsonSerializer.SerializeToElement(new { languages = list.Where(l => l.Available) }, ContractJson.Options),
        };
    }

    /// <summary>The result as a model reads it: how it ended, then the output.</summary>
    internal static string Describe(RunResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"status: {result.Status.ToWireName()}");
        if (result.ExitCode is { } exit)
        {
            text.Append(CultureInfo.InvariantCulture, $", exit code {exit}");
        }
        if (result.Signal is { } signal)
        {
            text.Append(CultureInfo.InvariantCulture, $", killed by {signal}");
        }
        text.Append(CultureInfo.InvariantCulture, $", {result.WallTimeMs:0} ms ({result.Lang} {result.Version})\n");
        if (result.Message is { } message)
        {
            text.Append(message).Append('\n');
        }
        if (result.Compile is { } compile && (compile.ExitCode != 0 || compile.Output.Length > 0))
        {
            text.Append(CultureInfo.InvariantCulture, $"compiler (exit code {compile.ExitCode}{(compile.Truncated ? ", output cut at its limit" : "")}):\n{compile.Output}\n");
        }
        if (result.Tests is { } tests)
        {
            text.Append(CultureInfo.InvariantCulture, $"test cases: {result.Passed} of {result.Total} accepted\n");
            foreach (var test in tests)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {test.Name}: {test.Verdict.ToWireName()}");
                if (test.Difference is { } difference)
                {
                    text.Append(CultureInfo.InvariantCulture, $" at {difference.Line}: expected \"{difference.Expected}\", got \"{difference.Actual}\"");
                }
                else if (test.Verdict is not (Verdict.Accepted or Verdict.Skipped) && test.Message is { } why)
                {
                    text.Append(CultureInfo.InvariantCulture, $" ({why})");
                }
                text.Append('\n');
            }
        }
        Section(text, "stdout", result.Stdout, result.StdoutTruncated);
        Section(text, "stderr", result.Stderr, result.StderrTruncated);
        foreach (var output in result.Outputs ?? [])
        {
            text.Append(output.MimeType == "text/plain" ? $"value:\n{output.Data}\n" : $"displayed {output.MimeType}\n");
        }
        if (result.Artifacts is { Count: > 0 } artifacts)
        {
            text.Append("files written under out/").Append(result.ArtifactsTruncated ? " (some left out: over the artifact limit)" : "").Append(": ")
                .AppendJoin(", ", artifacts.Select(a => string.Create(CultureInfo.InvariantCulture, $"{a.Path} ({a.MimeType}, {a.Size} bytes)"))).Append('\n');
        }
        return text.ToString();
    }

    private static void Section(StringBuilder text, string name, string content, bool truncated)
    {
        if (content.Length == 0 && !truncated)
        {
            return;
        }
        text.Append(CultureInfo.InvariantCulture, $"{name}{(truncated ? " (cut at the output limit)" : "")}:\n{content}");
        if (!content.EndsWith('\n'))
        {
            text.Append('\n');
        }
    }
}
