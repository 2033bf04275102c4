using System.Net;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Piston;

/// <summary>
/// Piston v2's endpoints against the real executor and Docker engine: requests from Piston's own docs, a
/// compiled language, each status a run can end with, files in every encoding, stdin and args, and errors
/// in Piston's shape.
/// </summary>
[Collection(PistonStackCollection.Name)]
public sealed class PistonApiTests(PistonStack stack, ITestOutputHelper output)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<JsonElement> ExecuteAsync(string body, HttpStatusCode expected = HttpStatusCode.OK, HttpClient? client = null)
    {
        using var owned = client is null ? stack.CreateClient() : null;
        var response = await (client ?? owned!).PostAsync("/api/v2/execute", Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }

    private static string? Str(JsonElement element, string name) => element.GetProperty(name).GetString();

    /// <summary>An error body is exactly Piston's: one "message" and nothing else.</summary>
    private static string Message(JsonElement error)
    {
        Assert.Equal(["message"], error.EnumerateObject().Select(p => p.Name));
        return error.GetProperty("message").GetString()!;
    }

    private const string DocsExample = """
        {
          "language": "js",
          "version": "15.10.0",
          "files": [{ "name": "my_cool_code.js", "content": "console.log(process.argv)" }],
          "stdin": "",
          "args": ["1", "2", "3"],
          "compile_timeout": 10000,
          "run_timeout": 3000,
          "compile_memory_limit": -1,
          "run_memory_limit": -1
        }
        """;

    [Fact]
    public async Task The_docs_example_runs_when_its_version_range_matches_and_is_unknown_when_not()
    {
        // Piston's docs/api-v2.md example as written: QuickTry's Node.js is not 15.10.0.
        Assert.Equal("js-15.10.0 runtime is unknown", Message(await ExecuteAsync(DocsExample, HttpStatusCode.BadRequest)));

        var answer = await ExecuteAsync(DocsExample.Replace("\"15.10.0\"", "\"*\""));

        Assert.Equal("javascript", Str(answer, "language"));
        Assert.Matches(@"^\d+\.\d+\.\d+$", Str(answer, "version"));
        Assert.False(answer.TryGetProperty("compile", out _));
        var run = answer.GetProperty("run");
        // Node prints argv on one line or several, by its length.
        Assert.Matches(@"'1',\s+'2',\s+'3'\s*\]\n$", Str(run, "stdout"));
        Assert.Equal(Str(run, "stdout"), Str(run, "output"));
        Assert.Equal(0, run.GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("signal").ValueKind);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("status").ValueKind);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("message").ValueKind);
        Assert.True(run.GetProperty("wall_time").GetDouble() > 0);
        foreach (var key in new[] { "stdout", "stderr", "output", "code", "signal", "message", "status", "cpu_time", "wall_time", "memory" })
        {
            Assert.True(run.TryGetProperty(key, out _), $"run has no '{key}'");
        }
    }

    [Fact]
    public async Task The_readme_example_with_cpu_times_runs()
    {
        var answer = await ExecuteAsync("""
            {
              "language": "js", "version": "*",
              "files": [{ "name": "my_cool_code.js", "content": "console.log(process.argv.slice(2).join(','))" }],
              "stdin": "", "args": ["1", "2", "3"],
              "compile_timeout": 10000, "run_timeout": 3000, "compile_cpu_time": 10000, "run_cpu_time": 3000,
              "compile_memory_limit": -1, "run_memory_limit": -1
            }
            """);
        Assert.Equal("1,2,3\n", Str(answer.GetProperty("run"), "stdout"));
    }

    [Fact]
    public async Task The_api_pages_piston_example_answers_as_documented()
    {
        var answer = await ExecuteAsync("""
            {
              "language": "python", "version": "3.x",
              "files": [{ "name": "main.py", "content": "import helper\nprint(helper.X, input())" },
                        { "name": "helper.py", "content": "X = 41" }],
              "stdin": "hi", "args": [], "run_timeout": 3000, "run_memory_limit": -1 }
            """);
        output.WriteLine(answer.GetRawText());

        Assert.Equal("python", Str(answer, "language"));
        Assert.Equal("41 hi\n", Str(answer.GetProperty("run"), "output"));
    }

    [Fact]
    public async Task An_unknown_language_is_a_400_with_Pistons_message() =>
        Assert.Equal("html-5.0.0 runtime is unknown", Message(await ExecuteAsync(
            """{"language":"html","version":"5.0.0","files":[{"content":"<p>hi</p>"}]}""", HttpStatusCode.BadRequest)));

    [Fact]
    public async Task A_version_no_runtime_matches_is_unknown_and_a_missing_one_is_required()
    {
        Assert.Equal("python-2.x runtime is unknown", Message(await ExecuteAsync(
            """{"language":"python","version":"2.x","files":[{"content":"print(1)"}]}""", HttpStatusCode.BadRequest)));
        Assert.Equal("version is required as a string", Message(await ExecuteAsync(
            """{"language":"python","files":[{"content":"print(1)"}]}""", HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task A_compiled_language_has_a_compile_stage_and_gets_stdin_and_args()
    {
        var answer = await ExecuteAsync("""
            {"language":"c","version":"*","args":["first","second"],"stdin":"42",
             "files":[{"name":"main.c","content":"#include <stdio.h>\nint main(int argc, char **argv) { int n; scanf(\"%d\", &n); printf(\"%d %s %s\\n\", n * 2, argv[1], argv[2]); return 0; }"}]}
            """);

        Assert.Equal("c", Str(answer, "language"));
        var compile = answer.GetProperty("compile");
        Assert.Equal(0, compile.GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, compile.GetProperty("status").ValueKind);
        Assert.Equal("84 first second\n", Str(answer.GetProperty("run"), "stdout"));
    }

    [Fact]
    public async Task A_compile_error_is_RE_in_compile_and_repeated_as_run()
    {
        var answer = await ExecuteAsync("""{"language":"c","version":"*","files":[{"content":"int main() { return undeclared; }"}]}""");

        var compile = answer.GetProperty("compile");
        Assert.Equal("RE", Str(compile, "status"));
        Assert.NotEqual(0, compile.GetProperty("code").GetInt32());
        Assert.Contains("undeclared", Str(compile, "stderr"));
        Assert.Equal(compile.GetRawText(), answer.GetProperty("run").GetRawText());
    }

    [Fact]
    public async Task A_runtime_error_is_RE_with_its_code_and_a_signal_is_SG_without_one()
    {
        var exited = (await ExecuteAsync("""{"language":"python","version":"3","files":[{"content":"import sys\nprint('before')\nsys.exit(3)"}]}""")).GetProperty("run");
        Assert.Equal("RE", Str(exited, "status"));
        Assert.Equal(3, exited.GetProperty("code").GetInt32());
        Assert.Equal("before\n", Str(exited, "stdout"));
        Assert.False(string.IsNullOrEmpty(Str(exited, "message")));

        var killed = (await ExecuteAsync("""{"language":"python","version":"3","files":[{"content":"import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)"}]}""")).GetProperty("run");
        Assert.Equal("SG", Str(killed, "status"));
        Assert.Equal("SIGSEGV", Str(killed, "signal"));
        Assert.Equal(JsonValueKind.Null, killed.GetProperty("code").ValueKind);
    }

    [Fact]
    public async Task A_program_past_its_run_timeout_is_TO_killed_by_SIGKILL()
    {
        var run = (await ExecuteAsync("""{"language":"python","version":"*","run_timeout":1000,"files":[{"content":"while True: pass"}]}""")).GetProperty("run");

        Assert.Equal("TO", Str(run, "status"));
        Assert.Equal("SIGKILL", Str(run, "signal"));
        Assert.Equal(JsonValueKind.Null, run.GetProperty("code").ValueKind);
        Assert.True(run.GetProperty("wall_time").GetDouble() >= 1000);
    }

    [Fact]
    public async Task Output_past_the_limit_is_OL_on_stdout_and_EL_on_stderr()
    {
        var stdout = (await ExecuteAsync("""{"language":"python","version":"*","files":[{"content":"import sys\nwhile True: sys.stdout.write('x' * 4096)"}]}""")).GetProperty("run");
        Assert.Equal("OL", Str(stdout, "status"));
        Assert.Equal("SIGKILL", Str(stdout, "signal"));
        Assert.NotEmpty(Str(stdout, "stdout")!);

        var stderr = (await ExecuteAsync("""{"language":"python","version":"*","files":[{"content":"import sys\nwhile True: sys.stderr.write('x' * 4096)"}]}""")).GetProperty("run");
        Assert.Equal("EL", Str(stderr, "status"));
    }

    [Fact]
    public async Task Stdin_gets_Pistons_trailing_newline()
    {
        var run = (await ExecuteAsync("""{"language":"python","version":"*","stdin":"hello","files":[{"content":"import sys\nprint(repr(sys.stdin.read()))"}]}""")).GetProperty("run");
        Assert.Equal("'hello\\n'\n", Str(run, "stdout"));
    }

    [Fact]
    public async Task Several_files_in_every_encoding_sit_beside_the_program()
    {
        var base64 = Convert.ToBase64String(Encoding.UTF8.GetBytes("from base64 ✓"));
        var hex = Convert.ToHexString(Encoding.UTF8.GetBytes("from hex"));
        var answer = await ExecuteAsync($$"""
            {"language":"py","version":"3.x","files":[
              {"name":"main.py","content":"import helper\nprint(helper.GREETING)\nprint(open('a.txt', encoding='utf-8').read())\nprint(open('b.txt').read())"},
              {"name":"helper.py","content":"GREETING = 'from helper'"},
              {"name":"a.txt","content":"{{base64}}","encoding":"base64"},
              {"name":"b.txt","content":"{{hex}}","encoding":"hex"}]}
            """);

        Assert.Equal("python", Str(answer, "language"));
        Assert.Equal("from helper\nfrom base64 ✓\nfrom hex\n", Str(answer.GetProperty("run"), "stdout"));
    }

    [Fact]
    public async Task What_cannot_be_translated_is_a_400_saying_why()
    {
        Assert.Equal("files[1].encoding must be one of utf8, base64 or hex", Message(await ExecuteAsync(
            """{"language":"python","version":"*","files":[{"content":"x"},{"name":"f","content":"x","encoding":"latin1"}]}""", HttpStatusCode.BadRequest)));
        Assert.StartsWith("files[1] is not UTF-8 text", Message(await ExecuteAsync(
            """{"language":"python","version":"*","files":[{"content":"x"},{"name":"f","content":"/w==","encoding":"base64"}]}""", HttpStatusCode.BadRequest)));
        // The gate's ceiling, in Piston's words.
        Assert.StartsWith("run_timeout (ms): Must be at most", Message(await ExecuteAsync(
            """{"language":"python","version":"*","run_timeout":999999,"files":[{"content":"print(1)"}]}""", HttpStatusCode.BadRequest)));
    }

    [Fact]
    public async Task Runtimes_lists_Pistons_names_each_of_which_QuickTry_resolves()
    {
        using var client = stack.CreateClient();
        var runtimes = JsonDocument.Parse(await client.GetStringAsync("/api/v2/runtimes")).RootElement.EnumerateArray().ToList();
        var languages = JsonDocument.Parse(await client.GetStringAsync("/languages")).RootElement.EnumerateArray().ToList();

        // One runtime per version, newest first, each with the language's aliases.
        var pythons = runtimes.Where(r => Str(r, "language") == "python").ToList();
        Assert.Equal(["3.13", "3.11"], pythons.Select(p => string.Join('.', Str(p, "version")!.Split('.').Take(2))));
        Assert.All(pythons, python =>
        {
            Assert.Matches(@"^3\.\d+\.\d+$", Str(python, "version"));
            Assert.Contains("python3", python.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        });
        Assert.Contains(runtimes, r => Str(r, "language") == "c");
        Assert.Contains(runtimes, r => Str(r, "language") == "javascript");
        foreach (var runtime in runtimes)
        {
            Assert.Equal(["language", "version", "aliases"], runtime.EnumerateObject().Select(p => p.Name));
            var name = Str(runtime, "language");
            Assert.True(languages.Any(l => Str(l, "name") == name || l.GetProperty("aliases").EnumerateArray().Any(a => a.GetString() == name)),
                $"QuickTry does not resolve Piston's name '{name}'");
        }
    }

    [Fact]
    public async Task Errors_from_the_reader_and_the_rate_limiter_are_in_Pistons_shape()
    {
        using var client = stack.CreateClient();
        var xml = await client.PostAsync("/api/v2/execute", new StringContent("<run/>", Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
        Assert.StartsWith("The body must be JSON.", Message(JsonDocument.Parse(await xml.Content.ReadAsStringAsync()).RootElement));

        // A bucket of one: the first request takes it (a 400 is enough), the second is refused.
        using var tiny = stack.CreateClient(PistonStack.TinyKey);
        const string unknown = """{"language":"html","version":"5","files":[{"content":"x"}]}""";
        await ExecuteAsync(unknown, HttpStatusCode.BadRequest, tiny);
        var limited = await tiny.PostAsync("/api/v2/execute", Json(unknown));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "429 without Retry-After");
        Assert.True(limited.Headers.Contains("RateLimit-Remaining"));
        Assert.Equal("application/json", limited.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("Too many requests", Message(JsonDocument.Parse(await limited.Content.ReadAsStringAsync()).RootElement));
    }

    [Fact]
    public async Task Without_an_executor_execute_is_a_503_with_Retry_After_in_Pistons_shape()
    {
        // The API alone, its executor address closed: nothing behind the gateway answers.
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var api = new ApiFactory(redis, executorUrl: "http://127.0.0.1:9");
        using var client = api.CreateClient();

        var response = await client.PostAsync("/api/v2/execute", Json("""{"language":"python","version":"*","files":[{"content":"print(1)"}]}"""));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.StartsWith("The executor is unavailable.", Message(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement));
    }

    [Fact]
    public async Task The_openapi_document_describes_Pistons_endpoints_in_Pistons_names()
    {
        using var client = stack.CreateClient();
        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var execute = document.GetProperty("paths").GetProperty("/api/v2/execute").GetProperty("post");
        Assert.Equal("PistonExecute", Str(execute, "operationId"));
        Assert.True(execute.GetProperty("responses").TryGetProperty("503", out _));
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v2/runtimes", out _));
        var request = execute.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("properties");
        Assert.True(request.TryGetProperty("run_timeout", out _));
        Assert.True(request.TryGetProperty("compile_memory_limit", out _));
        var stage = document.GetProperty("components").GetProperty("schemas").GetProperty("PistonStage").GetProperty("properties");
        Assert.True(stage.TryGetProperty("wall_time", out _));
    }
}
