using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace QuickTry.Api.Tests.Live;

/// <summary>
/// Live output (<c>POST /run</c> as server-sent events) and interactive runs (<c>/run/ws</c>) through the
/// real gateway on a real port and a real executor on the real engine, called directly (the queue's path
/// is in QueueTests), mostly through the .NET client.
/// </summary>
public sealed class LiveRunTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;
    private Uri _url = null!;

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
        _url = _api.StartOnLoopback();
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private HttpClient Http() => new() { BaseAddress = _url, Timeout = TimeSpan.FromSeconds(90) };

    private QuickTryClient Client() => new(Http());

    [Fact]
    public async Task The_stream_is_server_sent_events_with_the_output_as_written_then_the_result()
    {
        using var http = Http();
        using var response = await PostEventStreamAsync(http, "/run", new { lang = "bash", code = "echo first; sleep 1; echo second >&2" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        output.WriteLine(body);
        Assert.StartsWith("event: started\ndata: {\"runId\":\"", body);
        Assert.Contains("\n\nevent: stdout\ndata: {\"text\":\"first\\n\"}\n\nevent: stderr\ndata: {\"text\":\"second\\n\"}\n\nevent: result\ndata: {", body);
        Assert.EndsWith("}\n\n", body);
    }

    [Fact]
    public async Task Without_websockets_an_interactive_stream_takes_its_stdin_by_post_as_curl_would()
    {
        using var http = Http();
        using var response = await PostEventStreamAsync(http, "/run?interactive=true", new { lang = "bash", code = "read -r name; echo \"hello $name\"; cat; echo done" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        var started = await NextEventAsync(reader);
        Assert.Equal("started", started.Name);
        var stdin = started.Data.GetProperty("stdin").GetString()!;
        Assert.Equal($"/run/{started.Data.GetProperty("runId").GetString()}/stdin", stdin);

        // Nobody else can type into it: another client (an API key) gets the same 404 as an unknown run.
        using (var intruder = Http())
        {
            intruder.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AliceKey);
            Assert.Equal(HttpStatusCode.NotFound, (await intruder.PostAsync(stdin, new StringContent("mallory\n"))).StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync("/run/0123456789abcdef0123456789abcdef/stdin", new StringContent("x"))).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(stdin, new StringContent("ada\n"))).StatusCode);
        var hello = await NextEventAsync(reader);
        Assert.Equal("stdout", hello.Name);
        Assert.Equal("hello ada\n", hello.Data.GetProperty("text").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(stdin + "?eof=true", new StringContent("rest\n"))).StatusCode);

        (string Name, System.Text.Json.JsonElement Data) last;
        while ((last = await NextEventAsync(reader)).Name != "result")
        {
        }
        Assert.Equal("ok", last.Data.GetProperty("status").GetString());
        Assert.Equal("hello ada\nrest\ndone\n", last.Data.GetProperty("stdout").GetString());
        // The run is over: its input is closed.
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync(stdin, new StringContent("late\n"))).StatusCode);
    }

    [Fact]
    public async Task Input_posted_to_another_replica_reaches_the_run_through_Redis()
    {
        await using var other = new ApiFactory(_redis, executorUrl: _executor.Url);
        using var otherHttp = new HttpClient { BaseAddress = other.StartOnLoopback() };

        using var http = Http();
        using var response = await PostEventStreamAsync(http, "/run?interactive=true", new { lang = "bash", code = "read -r name; echo \"hello $name\"" });
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var stdin = (await NextEventAsync(reader)).Data.GetProperty("stdin").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await otherHttp.PostAsync(stdin, new StringContent("grace\n"))).StatusCode);
        var hello = await NextEventAsync(reader);
        Assert.Equal("hello grace\n", hello.Data.GetProperty("text").GetString());
    }

    /// <summary>Posts <paramref name="body"/> asking for an event stream, as curl -N would; the response is read as it comes.</summary>
    internal static async Task<HttpResponseMessage> PostEventStreamAsync(HttpClient http, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = QuickTry.Api.Tests.Queue.QueueStack.JsonContent(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    private static async Task<(string Name, System.Text.Json.JsonElement Data)> NextEventAsync(StreamReader reader)
    {
        string? name = null, data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && name is not null)
            {
                return (name, System.Text.Json.JsonDocument.Parse(data!).RootElement.Clone());
            }
        }
        throw new Xunit.Sdk.XunitException("the stream ended");
    }

    [Fact]
    public async Task Output_arrives_while_the_program_runs_and_is_exactly_the_results()
    {
        var events = await StreamAsync(Client(), new RunRequest { Lang = "bash", Code = "echo first; sleep 1.5; echo second >&2; echo third" });
        foreach (var e in events)
        {
            output.WriteLine($"{e.At.TotalMilliseconds,6:0} ms  {e.Event}");
        }
        var result = Assert.IsType<RunCompleted>(events[^1].Event).Result;
        Assert.Equal(RunStatus.Ok, result.Status);
        // "first" was written 1.5 s before the program ended: it must have come well before the result.
        var early = events.Where(e => events[^1].At - e.At > TimeSpan.FromSeconds(1)).ToList();
        Assert.Equal("first\n", Joined(early, OutputStream.Stdout));
        // What was streamed is exactly what the result holds, stream by stream.
        Assert.Equal(result.Stdout, Joined(events, OutputStream.Stdout));
        Assert.Equal(result.Stderr, Joined(events, OutputStream.Stderr));
        Assert.Equal("first\nthird\n", result.Stdout);
        Assert.Equal("second\n", result.Stderr);
    }

    [Fact]
    public async Task Streamed_output_stops_at_the_output_limit_and_the_result_says_so()
    {
        var events = await StreamAsync(Client(), new RunRequest { Lang = "bash", Code = "yes 0123456789", Limits = new RequestedLimits { OutputBytes = 1000 } });

        var result = Assert.IsType<RunCompleted>(events[^1].Event).Result;
        Assert.True(result.Status == RunStatus.OutputLimit, result.ToString());
        Assert.True(result.StdoutTruncated);
        Assert.Equal(1000, Encoding.UTF8.GetByteCount(Joined(events, OutputStream.Stdout)));
        Assert.Equal(result.Stdout, Joined(events, OutputStream.Stdout));
    }

    [Fact]
    public async Task A_refused_stream_is_an_ordinary_problem_response_and_a_typed_error()
    {
        using var http = Http();
        using var response = await PostEventStreamAsync(http, "/run", new { lang = "nope", code = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        var refused = await Assert.ThrowsAsync<QuickTryValidationException>(() => StreamAsync(Client(), new RunRequest { Lang = "nope", Code = "x" }));
        Assert.Contains("lang", refused.Errors.Keys);
    }

    [Fact]
    public async Task A_caller_who_leaves_a_stream_kills_the_run()
    {
        using (var leaving = new CancellationTokenSource())
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (var e in Client().StreamAsync(new RunRequest { Lang = "bash", Code = "echo up; sleep 30", Limits = new RequestedLimits { TimeMs = 20_000 } }, leaving.Token))
                {
                    // Leaving at the first output: the caller is gone.
                    await leaving.CancelAsync();
                }
            });
        }
        await AssertTheSlotIsFreeAsync();
        // Billed for the moment it ran, not for its 20 s time limit (the reservation).
        var quota = await Client().GetQuotaAsync();
        output.WriteLine($"run seconds used: {quota.RunSeconds.Used}");
        Assert.InRange(quota.RunSeconds.Used, 0.001, 10);
    }

    [Fact]
    public async Task An_interactive_run_takes_stdin_as_it_runs_and_answers_each_line()
    {
        await using var run = await Client().StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "while read -r line; do echo \"got $line\"; done; echo bye" });
        await using var events = run.ReadEventsAsync().GetAsyncEnumerator();

        await run.WriteAsync("ada\n");
        Assert.Equal("got ada\n", await LineAsync(events));
        await run.WriteAsync("grace\n");
        Assert.Equal("got grace\n", await LineAsync(events));
        await run.EndInputAsync();
        Assert.Equal("bye\n", await LineAsync(events));

        Assert.True(await events.MoveNextAsync());
        var result = Assert.IsType<RunCompleted>(events.Current).Result;
        Assert.Equal(RunStatus.Ok, result.Status);
        Assert.Equal("got ada\ngot grace\nbye\n", result.Stdout);
        Assert.Equal(Isolation.Container, result.Isolation);
    }

    [Fact]
    public async Task Closing_an_interactive_run_kills_it()
    {
        await using (var run = await Client().StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "read -r line; echo never", Limits = new RequestedLimits { TimeMs = 20_000 } }))
        {
            // Disposed without input: the socket closes.
        }
        await AssertTheSlotIsFreeAsync();
    }

    [Fact]
    public async Task A_bad_interactive_request_is_a_typed_error_with_the_fields()
    {
        var refused = await Assert.ThrowsAsync<QuickTryValidationException>(() => Client().StartInteractiveAsync(new RunRequest { Lang = "nope", Code = "x" }));
        Assert.Contains("lang", refused.Errors.Keys);
        // A judged run's stdin carries the executor's word between cases: what a caller types must not reach it.
        var judged = await Assert.ThrowsAsync<QuickTryValidationException>(() => Client().StartInteractiveAsync(
            new RunRequest { Lang = "bash", Code = "cat", Tests = [new TestCase { Stdin = "a" }] }));
        Assert.Equal(["A run with test cases cannot be interactive: each case's input is its 'stdin'."], judged.Errors["tests"]);
    }

    [Fact]
    public async Task A_busy_executor_refuses_an_interactive_run_on_its_socket_with_retry_after()
    {
        // The one slot is held by an interactive run waiting for input. The next is refused after its socket
        // was accepted, when no HTTP header can be written any more: the refusal travels on the socket, 503
        // with its Retry-After, and arrives as the typed error a POST /run refusal gives.
        await using var holding = await Client().StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "read -r line; echo \"$line\"", Limits = new RequestedLimits { TimeMs = 20_000 } });
        var refused = await Assert.ThrowsAsync<QuickTryUnavailableException>(() => Client().StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "echo second" }));
        output.WriteLine($"{refused.Message} (retry after {refused.RetryAfter})");
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After: {refused.RetryAfter}");
        Assert.Contains("busy", refused.Message, StringComparison.OrdinalIgnoreCase);

        // The held run is untouched by the refusal next to it.
        await using var events = holding.ReadEventsAsync().GetAsyncEnumerator();
        await holding.WriteAsync("still here\n");
        await holding.EndInputAsync();
        Assert.Equal("still here\n", await LineAsync(events));
    }

    [Fact]
    public async Task An_exhausted_quota_refuses_an_interactive_run_on_its_socket_with_retry_after()
    {
        // A plan of one run per ten minutes: the second interactive run is refused by the gate, on its socket.
        await using var tiny = new ApiFactory(_redis, new() { ["Clients:Plans:anonymous:RunsPerWindow"] = "1", ["Clients:Plans:anonymous:WindowSeconds"] = "600" },
            executorUrl: _executor.Url);
        var client = new QuickTryClient(new HttpClient { BaseAddress = tiny.StartOnLoopback(), Timeout = TimeSpan.FromSeconds(90) });
        await using (var first = await client.StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "echo first" }))
        {
            await using var events = first.ReadEventsAsync().GetAsyncEnumerator();
            while (await events.MoveNextAsync() && events.Current is not RunCompleted)
            {
            }
        }
        var refused = await Assert.ThrowsAsync<QuickTryRateLimitedException>(() => client.StartInteractiveAsync(new RunRequest { Lang = "bash", Code = "echo second" }));
        output.WriteLine($"{refused.Message} (retry after {refused.RetryAfter})");
        Assert.StartsWith("Quota exhausted", refused.Title);
        // The quota's window is a fixed one of 600 s: it resets when the window does.
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1) && refused.RetryAfter <= TimeSpan.FromSeconds(600), $"Retry-After: {refused.RetryAfter}");
    }

    /// <summary>The executor has one slot and no waiting room: the next run gets in only if the last one was killed.</summary>
    private async Task AssertTheSlotIsFreeAsync()
    {
        var client = Client();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                Assert.Equal("next\n", (await client.RunAsync(new RunRequest { Lang = "bash", Code = "echo next" })).Stdout);
                output.WriteLine($"the next run got in {clock.ElapsedMilliseconds} ms after the caller left");
                return;
            }
            catch (QuickTryUnavailableException) when (clock.Elapsed < TimeSpan.FromSeconds(15))
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>Output until a line ends (a program's line may come in more than one piece).</summary>
    private static async Task<string> LineAsync(IAsyncEnumerator<RunEvent> events)
    {
        var text = new StringBuilder();
        while (!text.ToString().EndsWith('\n'))
        {
            Assert.True(await events.MoveNextAsync(), "the run ended before the line");
            text.Append(Assert.IsType<RunOutput>(events.Current).Text);
        }
        return text.ToString();
    }

    /// <summary>A run's events through the .NET client, each with when it arrived.</summary>
    internal static async Task<List<(RunEvent Event, TimeSpan At)>> StreamAsync(QuickTryClient client, RunRequest request)
    {
        var clock = Stopwatch.StartNew();
        var events = new List<(RunEvent, TimeSpan)>();
        await foreach (var e in client.StreamAsync(request))
        {
            events.Add((e, clock.Elapsed));
        }
        return events;
    }

    internal static string Joined(IEnumerable<(RunEvent Event, TimeSpan At)> events, OutputStream stream) =>
        string.Concat(events.Select(e => e.Event).OfType<RunOutput>().Where(o => o.Stream == stream).Select(o => o.Text));
}
