using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Mcp;

/// <summary>
/// <c>/mcp</c> with the official C# SDK's client against the real stack (the API on a port, a real executor):
/// access by key, the tools and their schemas, runs of an interpreted and a compiled language and of a
/// failing program, and every refusal as a tool error rather than a broken transport.
/// </summary>
[Collection(McpStackCollection.Name)]
public sealed class McpClientTests(McpStack stack, ITestOutputHelper output)
{
    private async Task<McpClient> ConnectWithHeadersAsync(Dictionary<string, string> headers) =>
        await McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(stack.Url, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = headers,
        }));

    private Task<McpClient> ConnectAsync(string key) => ConnectWithHeadersAsync(new() { ["Authorization"] = "Bearer " + key });

    private static Task<CallToolResult> RunAsync(McpClient client, Dictionary<string, object?> arguments) =>
        client.CallToolAsync("run_code", arguments).AsTask();

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    private static JsonElement Structured(CallToolResult result) =>
        JsonSerializer.SerializeToElement(result.StructuredContent ?? throw new Xunit.Sdk.XunitException("no structured content: " + Text(result)));

    [Fact]
    public async Task Without_a_key_the_connection_is_refused_and_with_one_in_either_header_it_is_served()
    {
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ConnectWithHeadersAsync([]));
        output.WriteLine(refused.Message);
        Assert.Contains("401", refused.ToString());
        var unknown = await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync("not-a-key-of-ours-0000"));
        Assert.Contains("401", unknown.ToString());

        await using var byHeader = await ConnectWithHeadersAsync(new() { ["X-Api-Key"] = McpStack.AgentKey });
        Assert.Contains(await byHeader.ListToolsAsync(), t => t.Name == "run_code");
    }

    [Fact]
    public async Task An_operator_can_open_it_to_callers_without_a_key()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var open = new ApiFactory(redis, new() { ["Mcp:AllowAnonymous"] = "true" });
        var http = open.CreateClient();
        await using var client = await McpClient.CreateAsync(new HttpClientTransport(
            new HttpClientTransportOptions { Endpoint = new Uri(http.BaseAddress!, "/mcp"), TransportMode = HttpTransportMode.StreamableHttp }, http));
        Assert.Contains(await client.ListToolsAsync(), t => t.Name == "run_code");
    }

    [Fact]
    public async Task The_tools_are_listed_with_descriptions_and_input_schemas()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        var tools = await client.ListToolsAsync();
        var run = Assert.Single(tools, t => t.Name == "run_code");
        Assert.Contains("sandbox", run.Description);
        var schema = run.JsonSchema;
        Assert.Equal(["code", "language"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Order());
        foreach (var property in new[] { "language", "code", "version", "stdin", "args", "files", "limits", "tests", "compare" })
        {
            Assert.True(schema.GetProperty("properties").TryGetProperty(property, out var described), property);
            Assert.True(described.TryGetProperty("description", out _), $"{property} has no description");
        }
        Assert.NotNull(run.ProtocolTool.OutputSchema);
        Assert.Contains(tools, t => t.Name == "list_languages");
    }

    [Fact]
    public async Task Python_a_compiled_language_and_a_failing_program_come_back_as_their_results()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        var python = await RunAsync(client, new() { ["language"] = "python3", ["code"] = "import sys\nprint(sys.stdin.read().upper())", ["stdin"] = "hello mcp" });
        output.WriteLine(Text(python));
        Assert.NotEqual(true, python.IsError);
        Assert.Equal("ok", Structured(python).GetProperty("status").GetString());
        Assert.Equal("HELLO MCP\n", Structured(python).GetProperty("stdout").GetString());
        Assert.StartsWith("status: ok, exit code 0", Text(python));
        Assert.Contains("HELLO MCP", Text(python));

        var c = await RunAsync(client, new()
        {
            ["language"] = "c",
            ["code"] = "#include <stdio.h>\nint main(int argc, char **argv) { printf(\"%d args, last %s\\n\", argc - 1, argv[argc - 1]); return 0; }",
            ["args"] = new[] { "x", "y" },
        });
        Assert.NotEqual(true, c.IsError);
        Assert.Equal("2 args, last y\n", Structured(c).GetProperty("stdout").GetString());

        var failing = await RunAsync(client, new() { ["language"] = "bash", ["code"] = "echo oops >&2; exit 3" });
        output.WriteLine(Text(failing));
        Assert.NotEqual(true, failing.IsError);
        Assert.Equal("runtime_error", Structured(failing).GetProperty("status").GetString());
        Assert.Equal(3, Structured(failing).GetProperty("exitCode").GetInt32());
        Assert.Contains("stderr:\noops\n", Text(failing));

        var broken = await RunAsync(client, new() { ["language"] = "c", ["code"] = "int main( { return 0; }" });
        Assert.NotEqual(true, broken.IsError);
        Assert.Equal("compile_error", Structured(broken).GetProperty("status").GetString());
        Assert.Contains("compiler (exit code 1", Text(broken));
    }

    [Fact]
    public async Task Test_cases_come_back_with_a_verdict_each()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        var judged = await RunAsync(client, new()
        {
            ["language"] = "python3",
            ["code"] = "print(sum(map(int, input().split())))",
            ["tests"] = new[] { new { stdin = "1 2", expectedOutput = "3" }, new { stdin = "2 2", expectedOutput = "5" } },
        });
        output.WriteLine(Text(judged));
        Assert.NotEqual(true, judged.IsError);
        Assert.Equal("wrong_answer", Structured(judged).GetProperty("verdict").GetString());
        Assert.Contains("test cases: 1 of 2 accepted\n- 1: accepted\n- 2: wrong_answer at 1: expected \"5\", got \"4\"\n", Text(judged));
    }

    [Fact]
    public async Task An_unknown_language_or_a_limit_above_its_ceiling_is_a_tool_error_naming_what_to_change()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        var unknown = await RunAsync(client, new() { ["language"] = "no-such-language", ["code"] = "x" });
        output.WriteLine(Text(unknown));
        Assert.True(unknown.IsError);
        Assert.Contains("language:", Text(unknown));
        Assert.Contains("no-such-language", Text(unknown));

        var greedy = await RunAsync(client, new() { ["language"] = "bash", ["code"] = "echo", ["limits"] = new { timeMs = 10_000_000 } });
        output.WriteLine(Text(greedy));
        Assert.True(greedy.IsError);
        Assert.Contains("timeMs", Text(greedy), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Rate_limit_and_quota_refusals_are_tool_errors_that_say_when_to_retry()
    {
        await using (var tiny = await ConnectAsync(McpStack.TinyKey))
        {
            var first = await RunAsync(tiny, new() { ["language"] = "bash", ["code"] = "echo first" });
            Assert.NotEqual(true, first.IsError);
            var second = await RunAsync(tiny, new() { ["language"] = "bash", ["code"] = "echo second" });
            output.WriteLine(Text(second));
            Assert.True(second.IsError);
            Assert.Contains("rate limit", Text(second));
            Assert.Contains("Retry after", Text(second));
        }
        await using var oneRun = await ConnectAsync(McpStack.OneRunKey);
        Assert.NotEqual(true, (await RunAsync(oneRun, new() { ["language"] = "bash", ["code"] = "echo one" })).IsError);
        var over = await RunAsync(oneRun, new() { ["language"] = "bash", ["code"] = "echo two" });
        output.WriteLine(Text(over));
        Assert.True(over.IsError);
        Assert.StartsWith("Quota exhausted", Text(over));
        Assert.Contains("resets in", Text(over));
    }

    [Fact]
    public async Task A_session_keeps_a_variable_and_a_file_returns_a_figure_as_an_image_and_ends_when_closed()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        Task<CallToolResult> CallAsync(string tool, Dictionary<string, object?> arguments) => client.CallToolAsync(tool, arguments).AsTask();

        var created = await CallAsync("create_session", new() { ["language"] = "python3" });
        output.WriteLine(Text(created));
        Assert.NotEqual(true, created.IsError);
        var id = Structured(created).GetProperty("id").GetString()!;
        Assert.True(Structured(created).GetProperty("stateful").GetBoolean());

        Assert.NotEqual(true, (await CallAsync("run_in_session", new() { ["sessionId"] = id, ["code"] = "x = 21" })).IsError);
        var doubled = await CallAsync("run_in_session", new() { ["sessionId"] = id, ["code"] = "x * 2" });
        output.WriteLine(Text(doubled));
        Assert.Contains("value:\n42\n", Text(doubled));

        Assert.NotEqual(true, (await CallAsync("write_file", new() { ["sessionId"] = id, ["path"] = "data/in.txt", ["content"] = "hello file" })).IsError);
        var read = await CallAsync("run_in_session", new() { ["sessionId"] = id, ["code"] = "print(open('data/in.txt').read().upper())" });
        Assert.Equal("HELLO FILE\n", Structured(read).GetProperty("stdout").GetString());
        var back = await CallAsync("read_file", new() { ["sessionId"] = id, ["path"] = "data/in.txt" });
        Assert.Equal("hello file", Text(back));
        Assert.Contains("data/in.txt (10 bytes)", Text(await CallAsync("list_files", new() { ["sessionId"] = id })));

        var figure = await CallAsync("run_in_session", new()
        {
            ["sessionId"] = id,
            ["code"] = "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.show()",
        });
        var image = Assert.Single(figure.Content.OfType<ImageContentBlock>());
        Assert.Equal("image/png", image.MimeType);

        Assert.NotEqual(true, (await CallAsync("close_session", new() { ["sessionId"] = id })).IsError);
        var after = await CallAsync("run_in_session", new() { ["sessionId"] = id, ["code"] = "x" });
        output.WriteLine(Text(after));
        Assert.True(after.IsError);
        Assert.Contains("reason: closed", Text(after));
        var unknown = await CallAsync("run_in_session", new() { ["sessionId"] = "no-such-session", ["code"] = "x" });
        Assert.True(unknown.IsError);
        Assert.Contains("No such session", Text(unknown));
    }

    [Fact]
    public async Task List_languages_gives_names_versions_and_limits()
    {
        await using var client = await ConnectAsync(McpStack.AgentKey);
        var listed = await client.CallToolAsync("list_languages", new Dictionary<string, object?>());
        Assert.NotEqual(true, listed.IsError);
        Assert.Contains(Structured(listed).GetProperty("languages").EnumerateArray(), l => l.GetProperty("name").GetString() == "python3");
        Assert.Contains("python3 ", Text(listed));
    }

    [Fact]
    public async Task The_official_typescript_client_connects_runs_and_gets_refusals_as_tool_errors()
    {
        var folder = Path.Combine(Repository.Root, "tests", "QuickTry.Api.Tests", "Mcp", "McpClient");
        await NodeScripts.NpmCiWhenStaleAsync(folder);
        var printed = await NodeScripts.RunAsync(folder, "node", ["script.mjs", stack.Url.ToString(), McpStack.AgentKey, McpStack.TinyScriptKey], TimeSpan.FromMinutes(3));
        var seen = JsonDocument.Parse(printed).RootElement;
        output.WriteLine(printed.Length > 4000 ? printed[..4000] : printed);

        Assert.False(seen.GetProperty("anonymous").GetProperty("connected").GetBoolean());
        Assert.Contains("401", seen.GetProperty("anonymous").GetProperty("error").GetString());
        Assert.Contains(seen.GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "run_code");

        static JsonElement Result(JsonElement call) => call.GetProperty("structuredContent");
        static bool IsError(JsonElement call) => call.TryGetProperty("isError", out var e) && e.GetBoolean();
        Assert.False(IsError(seen.GetProperty("python")));
        Assert.Equal("HELLO FROM TYPESCRIPT", Result(seen.GetProperty("python")).GetProperty("stdout").GetString());
        Assert.Equal("2 args, last b\n", Result(seen.GetProperty("c")).GetProperty("stdout").GetString());
        Assert.False(IsError(seen.GetProperty("failing")));
        Assert.Equal("runtime_error", Result(seen.GetProperty("failing")).GetProperty("status").GetString());
        Assert.True(IsError(seen.GetProperty("unknown")));
        Assert.False(IsError(seen.GetProperty("languages")));
        Assert.False(IsError(seen.GetProperty("rateLimited").GetProperty("first")));
        var session = seen.GetProperty("session");
        Assert.False(IsError(session.GetProperty("created")));
        Assert.Contains("value:\n42", session.GetProperty("doubled").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains(session.GetProperty("figure").GetProperty("content").EnumerateArray(),
            c => c.GetProperty("type").GetString() == "image" && c.GetProperty("mimeType").GetString() == "image/png");
        Assert.False(IsError(session.GetProperty("wrote")));
        Assert.Equal("from typescript", session.GetProperty("readBack").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Contains("notes/a.txt (15 bytes)", session.GetProperty("listed").GetProperty("content")[0].GetProperty("text").GetString());
        Assert.False(IsError(session.GetProperty("closed")));
        Assert.True(IsError(session.GetProperty("afterClose")));
        Assert.True(IsError(seen.GetProperty("rateLimited").GetProperty("second")));
    }
}
