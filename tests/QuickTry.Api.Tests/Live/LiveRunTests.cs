using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Live;

/// <summary>
/// Live output (<c>POST /run</c> as server-sent events) and interactive runs (<c>/run/ws</c>) through the
/// real gateway and a real executor on the real engine, called directly (the queue's path is in QueueTests).
/// </summary>
public sealed class LiveRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-live-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
            ["Executor:Pool:WarmByLanguage:bash"] = "1",
            ["Executor:Pool:WarmByLanguage:python3"] = "1",
            // One run at a time, no waiting room: a run that was not killed would keep the next one out.
            ["Executor:Pool:MaxConcurrentRuns"] = "1",
            ["Executor:Pool:MaxQueueLength"] = "0",
        });
        _api = new ApiFactory(_redis, executorUrl: _executor.Url);
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task Output_arrives_as_server_sent_events_while_the_program_runs_then_the_result()
    {
        using var client = _api.CreateClient();
        var events = await StreamAsync(client, new { lang = "bash", code = "echo first; sleep 1.5; echo second >&2; echo third" });

        foreach (var e in events)
        {
            output.WriteLine($"{e.At.TotalMilliseconds,6:0} ms  {e.Name}: {e.Data.GetRawText()}");
        }
        var first = events.First(e => e.Name == "stdout" && e.Data.GetProperty("text").GetString()!.Contains("first"));
        var result = Assert.Single(events, e => e.Name == "result");
        Assert.Equal("result", events[^1].Name);
        // "first" was written 1.5 s before the program ended: it must have come well before the result.
        Assert.True(result.At - first.At > TimeSpan.FromSeconds(1), $"first at {first.At}, result at {result.At}");
        Assert.Equal("ok", result.Data.GetProperty("status").GetString());
        // What was streamed is exactly what the result holds, stream by stream.
        Assert.Equal(result.Data.GetProperty("stdout").GetString(), Joined(events, "stdout"));
        Assert.Equal(result.Data.GetProperty("stderr").GetString(), Joined(events, "stderr"));
        Assert.Equal("first\nthird\n", Joined(events, "stdout"));
        Assert.Equal("second\n", Joined(events, "stderr"));
    }

    [Fact]
    public async Task The_dotnet_client_streams_the_output_then_the_result()
    {
        var quicktry = new QuickTryClient(_api.CreateClient());
        var events = new List<(RunEvent Event, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await foreach (var e in quicktry.StreamAsync(new RunRequest { Lang = "bash", Code = "echo one; sleep 1.5; echo two" }))
        {
            events.Add((e, clock.Elapsed));
        }

        var outputs = events.Where(e => e.Event is RunOutput).ToList();
        var completed = Assert.IsType<RunCompleted>(events[^1].Event);
        Assert.Equal(RunStatus.Ok, completed.Result.Status);
        Assert.Equal("one\n", ((RunOutput)outputs[0].Event).Text);
        Assert.True(events[^1].At - outputs[0].At > TimeSpan.FromSeconds(1), $"one at {outputs[0].At}, result at {events[^1].At}");
        Assert.Equal(completed.Result.Stdout, string.Concat(outputs.Select(o => ((RunOutput)o.Event).Text)));
    }

    [Fact]
    public async Task Streamed_output_stops_at_the_output_limit_and_the_result_says_so()
    {
        using var client = _api.CreateClient();
        var events = await StreamAsync(client, new { lang = "bash", code = "yes 0123456789", limits = new { outputBytes = 1000 } });

        var result = events[^1];
        Assert.Equal("result", result.Name);
        Assert.True(result.Data.GetProperty("status").GetString() == "output_limit", result.Data.GetRawText());
        Assert.True(result.Data.GetProperty("stdoutTruncated").GetBoolean());
        Assert.Equal(1000, Encoding.UTF8.GetByteCount(Joined(events, "stdout")));
        Assert.Equal(result.Data.GetProperty("stdout").GetString(), Joined(events, "stdout"));
    }

    [Fact]
    public async Task A_refused_stream_is_an_ordinary_problem_response()
    {
        using var client = _api.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = QuickTry.Api.Tests.Queue.QueueStack.Run("nope", "x") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_caller_who_leaves_a_stream_kills_the_run()
    {
        using var client = _api.CreateClient();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/run")
               { Content = QuickTry.Api.Tests.Queue.QueueStack.JsonContent(new { lang = "bash", code = "echo up; sleep 30", limits = new { timeMs = 20_000 } }) })
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.Contains("up"))
            {
            }
            // Leaving here disposes the response: the caller is gone.
        }
        // The executor has one slot and no waiting room: the next run gets in only if the first was killed.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var next = await client.PostAsync("/run", QuickTry.Api.Tests.Queue.QueueStack.Run("bash", "echo next"));
            if (next.StatusCode == HttpStatusCode.OK)
            {
                output.WriteLine($"the next run got in {clock.ElapsedMilliseconds} ms after the caller left");
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the abandoned run still holds the slot ({(int)next.StatusCode})");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task An_interactive_run_takes_stdin_as_it_runs_and_answers_each_line()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { lang = "bash", code = "while read -r line; do echo \"got $line\"; done; echo bye" });
        var started = await ReceiveAsync(socket);
        Assert.True(started.GetProperty("type").GetString() == "started", started.GetRawText());

        await SendAsync(socket, new { type = "stdin", text = "ada\n" });
        Assert.Equal("got ada\n", await ReceiveOutputAsync(socket));
        await SendAsync(socket, new { type = "stdin", text = "grace\n" });
        Assert.Equal("got grace\n", await ReceiveOutputAsync(socket));
        await SendAsync(socket, new { type = "eof" });
        Assert.Equal("bye\n", await ReceiveOutputAsync(socket));

        var result = await ReceiveAsync(socket);
        Assert.Equal("result", result.GetProperty("type").GetString());
        Assert.Equal("ok", result.GetProperty("result").GetProperty("status").GetString());
        Assert.Equal("got ada\ngot grace\nbye\n", result.GetProperty("result").GetProperty("stdout").GetString());
        Assert.Equal("container", result.GetProperty("result").GetProperty("isolation").GetString());
    }

    [Fact]
    public async Task Closing_the_socket_kills_an_interactive_run()
    {
        using (var socket = await ConnectAsync())
        {
            await SendAsync(socket, new { lang = "bash", code = "read line; echo never", limits = new { timeMs = 20_000 } });
            var started = await ReceiveAsync(socket);
            Assert.True(started.GetProperty("type").GetString() == "started", started.GetRawText());
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }
        using var client = _api.CreateClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var next = await client.PostAsync("/run", QuickTry.Api.Tests.Queue.QueueStack.Run("bash", "echo next"));
            if (next.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"the abandoned run still holds the slot ({(int)next.StatusCode})");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task A_bad_interactive_request_gets_an_error_message_with_its_status()
    {
        using var socket = await ConnectAsync();
        await SendAsync(socket, new { lang = "nope", code = "x" });
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
        Assert.True(error.GetProperty("errors").TryGetProperty("lang", out _));
    }

    private async Task<WebSocket> ConnectAsync()
    {
        var client = _api.Server.CreateWebSocketClient();
        return await client.ConnectAsync(new Uri(_api.Server.BaseAddress, "/run/ws"), CancellationToken.None);
    }

    private static Task SendAsync(WebSocket socket, object message) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, QuickTry.Api.Tests.Queue.QueueStack.Json), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[1 << 20];
        var length = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
            Assert.NotEqual(WebSocketMessageType.Close, read.MessageType);
            length += read.Count;
            if (read.EndOfMessage)
            {
                return JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone();
            }
        }
    }

    /// <summary>Output until a line ends (a program's line may come in more than one piece).</summary>
    private static async Task<string> ReceiveOutputAsync(WebSocket socket)
    {
        var text = new StringBuilder();
        while (!text.ToString().EndsWith('\n'))
        {
            var message = await ReceiveAsync(socket);
            Assert.True(message.GetProperty("type").GetString() == "stdout", message.GetRawText());
            text.Append(message.GetProperty("text").GetString());
        }
        return text.ToString();
    }

    internal static async Task<List<(string Name, JsonElement Data, TimeSpan At)>> StreamAsync(HttpClient client, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = QuickTry.Api.Tests.Queue.QueueStack.JsonContent(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonElement, TimeSpan)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0)
            {
                if (name is not null)
                {
                    events.Add((name, JsonDocument.Parse(data.ToString()).RootElement.Clone(), clock.Elapsed));
                }
                (name, data) = (null, data.Clear());
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Append(line["data: ".Length..]);
            }
        }
        return events;
    }

    internal static string Joined(List<(string Name, JsonElement Data, TimeSpan At)> events, string stream) =>
        string.Concat(events.Where(e => e.Name == stream).Select(e => e.Data.GetProperty("text").GetString()));
}
