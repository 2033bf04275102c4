using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace QuickTry.Api.Tests;

/// <summary>
/// Both services in process, the executor on real Kestrel (so the API's HttpClient propagates W3C trace
/// context over a real socket) and running code in the real Docker engine; spans go to an in-memory exporter.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly RedisServer _redis = new();
    private readonly List<Activity> _spans = [];
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;
    private TracerProvider _tracing = null!;

    public async Task InitializeAsync()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("QuickTry.Api", "QuickTry.Executor")
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddInMemoryExporter(_spans)
            .Build()!;
        await _redis.StartAsync();
        _executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "telemetry-test-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
            ["Executor:Pool:WarmByLanguage:python3"] = "1",
            ["Executor:Pool:WarmByLanguage:c"] = "1",
            // It also pulls from the run queue in the same Redis; the main API here calls it directly.
            ["ConnectionStrings:redis"] = _redis.ConnectionString,
        });
        _api = new ApiFactory(_redis, new() { ["Clients:Plans:anonymous:RunsPerWindow"] = "4" }, executorUrl: _executor.Url);
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(60));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
        _tracing.Dispose();
    }

    private async Task<JsonElement> RunAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/run", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    /// <summary>The spans of one trace, once its last (background) span has ended.</summary>
    /// <summary>
    /// The trace once <paramref name="lastSpan"/> and the API's server span have ended: a slot's wipe can end
    /// before or after the API has finished answering.
    /// </summary>
    private Task<List<Activity>> TraceAsync(string traceId, string lastSpan) =>
        TraceAsync(traceId, spans => spans.Any(s => s.DisplayName == lastSpan)
            && spans.Any(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/run")));

    private async Task<List<Activity>> TraceAsync(string traceId, Func<List<Activity>, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            _tracing.ForceFlush();
            List<Activity> spans;
            lock (_spans)
            {
                spans = [.. _spans.Where(s => s.TraceId.ToHexString() == traceId)];
            }
            if (complete(spans) || DateTime.UtcNow > deadline)
            {
                return spans;
            }
            await Task.Delay(100);
        }
    }

    /// <summary>The executor's span of a run of <paramref name="language"/>, at whichever of its versions ran (a name alone runs the newest).</summary>
    private static bool IsRunOf(Activity span, string language) =>
        span.DisplayName == $"run {language}" || span.DisplayName.StartsWith($"run {language}-", StringComparison.Ordinal);

    private static Activity One(List<Activity> spans, Func<Activity, bool> match, string what) =>
        spans.SingleOrDefault(match) ?? throw new Xunit.Sdk.XunitException($"no single span {what} in: {string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName}"))}");

    private static void AssertChildOf(Activity child, Activity parent) =>
        Assert.True(child.ParentSpanId == parent.SpanId, $"{child.DisplayName} is not a child of {parent.DisplayName}");

    [Fact]
    public async Task A_run_through_the_queue_is_one_trace_with_the_wait_in_the_queue_as_its_own_span()
    {
        await using var queued = new ApiFactory(_redis, new() { ["Queue:Enabled"] = "true", ["Clients:Plans:anonymous:RunsPerWindow"] = "100" }, executorUrl: _executor.Url);
        var client = queued.CreateClient();
        using (var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString))
        {
            var queue = new QuickTry.RunQueue.RedisRunQueue(redis);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (!(await queue.LiveExecutorsAsync()).Any(e => e.Capacity > 0))
            {
                Assert.True(DateTime.UtcNow < deadline, "the executor did not announce itself to the queue");
                await Task.Delay(100);
            }
        }
        var result = await RunAsync(client, new { lang = "python3", code = "print('queued')" });
        var runId = result.GetProperty("runId").GetString()!;
        var spans = await TraceAsync(runId, "sandbox.wipe");

        var apiServer = One(spans, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/run"), "API server");
        var enqueue = One(spans, s => s.DisplayName == "queue.enqueue", "queue.enqueue");
        Assert.Equal(ActivityKind.Producer, enqueue.Kind);
        AssertChildOf(enqueue, apiServer);
        var wait = One(spans, s => s.DisplayName == "queue.wait", "queue.wait");
        AssertChildOf(wait, enqueue);
        Assert.Equal("sync", wait.GetTagItem("quicktry.queue.lane"));
        var consume = One(spans, s => s.DisplayName == "queue.consume", "queue.consume");
        Assert.Equal(ActivityKind.Consumer, consume.Kind);
        AssertChildOf(consume, enqueue);
        var run = One(spans, s => IsRunOf(s, "python3"), "run");
        AssertChildOf(run, consume);
        Assert.Equal(runId, run.GetTagItem("quicktry.run.id"));
        // Through the queue, not over HTTP to the executor.
        Assert.DoesNotContain(spans, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/execute"));
        Assert.True(wait.StartTimeUtc <= consume.StartTimeUtc);
    }

    [Fact]
    public async Task One_run_is_one_trace_across_both_services_with_every_stage_as_a_span()
    {
        var client = _api.CreateClient();
        var result = await RunAsync(client, new { lang = "python3", code = "print('traced')" });
        var runId = result.GetProperty("runId").GetString()!;

        // Runs use slots by default: the last span is the slot's wipe, which ends after the response.
        var spans = await TraceAsync(runId, "sandbox.wipe");

        // The run id is the trace id.
        Assert.Matches("^[0-9a-f]{32}$", runId);
        var apiServer = One(spans, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/run"), "API server");
        Assert.Equal(default, apiServer.ParentSpanId);
        var quota = One(spans, s => s.DisplayName == "quota.reserve", "quota.reserve");
        AssertChildOf(quota, apiServer);
        Assert.Equal("granted", quota.GetTagItem("quicktry.quota.decision"));
        var client_ = One(spans, s => s.Kind == ActivityKind.Client && s.Source.Name == "System.Net.Http" && s.GetTagItem("url.full")?.ToString()?.EndsWith("/execute") == true, "HTTP client call to the executor");
        AssertChildOf(client_, apiServer);
        var executorServer = One(spans, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("/execute"), "executor server");
        AssertChildOf(executorServer, client_);
        var run = One(spans, s => IsRunOf(s, "python3"), "run");
        AssertChildOf(run, executorServer);
        foreach (var stage in new[] { "queue", "pool.take", "sandbox.execute", "sandbox.collect", "sandbox.wipe" })
        {
            AssertChildOf(One(spans, s => s.DisplayName == stage, stage), run);
        }
        AssertChildOf(One(spans, s => s.DisplayName == "quota.settle", "quota.settle"), apiServer);

        var clientName = apiServer.GetTagItem("quicktry.client")?.ToString();
        Assert.StartsWith("ip-", clientName);
        Assert.Equal(clientName, run.GetTagItem("quicktry.client"));
        Assert.Matches("^python3(-[0-9.]+)?$", (string)run.GetTagItem("quicktry.language")!);
        Assert.Equal(result.GetProperty("version").GetString(), run.GetTagItem("quicktry.language.version"));
        Assert.Equal("ok", run.GetTagItem("quicktry.run.status"));
        Assert.Equal(0, run.GetTagItem("process.exit.code"));
        Assert.Equal(false, run.GetTagItem("quicktry.run.truncated"));
        Assert.Equal(result.GetProperty("limits").GetProperty("timeMs").GetInt32(), run.GetTagItem("quicktry.limits.time_ms"));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        var take = One(spans, s => s.DisplayName == "pool.take", "pool.take");
        Assert.Matches("^[0-9a-f]{64}$", take.GetTagItem("container.id")?.ToString() ?? "");
        var wipe = One(spans, s => s.DisplayName == "sandbox.wipe", "sandbox.wipe");
        Assert.Equal(take.GetTagItem("container.id"), wipe.GetTagItem("container.id"));
        Assert.Equal(true, wipe.GetTagItem("quicktry.sandbox.wipe_verified"));
        Assert.Equal("slot", run.GetTagItem("quicktry.isolation"));
        Assert.Equal("runc", run.GetTagItem("quicktry.runtime"));
        Assert.Equal("runc", result.GetProperty("runtime").GetString());

        // The stages follow one another.
        var execute = One(spans, s => s.DisplayName == "sandbox.execute", "sandbox.execute");
        var collect = One(spans, s => s.DisplayName == "sandbox.collect", "sandbox.collect");
        Assert.True(take.StartTimeUtc + take.Duration <= execute.StartTimeUtc + TimeSpan.FromMilliseconds(1));
        Assert.True(execute.StartTimeUtc + execute.Duration <= collect.StartTimeUtc + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_run_over_mcp_is_one_trace_tagged_with_the_tool()
    {
        var http = _api.CreateClient();
        await using var mcp = await ModelContextProtocol.Client.McpClient.CreateAsync(new ModelContextProtocol.Client.HttpClientTransport(
            new ModelContextProtocol.Client.HttpClientTransportOptions
            {
                Endpoint = new Uri(http.BaseAddress!, "/mcp"),
                TransportMode = ModelContextProtocol.Client.HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + ApiFactory.AliceKey },
            }, http));
        var called = await mcp.CallToolAsync("run_code", new Dictionary<string, object?> { ["language"] = "python3", ["code"] = "print('traced over mcp')" });
        var runId = JsonSerializer.SerializeToElement(called.StructuredContent).GetProperty("runId").GetString()!;

        var spans = await TraceAsync(runId, spans => spans.Any(s => s.DisplayName == "sandbox.wipe")
            && spans.Any(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/mcp")));
        var apiServer = One(spans, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore" && s.DisplayName.Contains("/mcp"), "API server");
        Assert.Equal(default, apiServer.ParentSpanId);
        Assert.Equal("run_code", apiServer.GetTagItem("quicktry.mcp.tool"));
        Assert.Equal("alice", apiServer.GetTagItem("quicktry.client"));
        var run = One(spans, s => IsRunOf(s, "python3"), "run");
        Assert.Equal("alice", run.GetTagItem("quicktry.client"));
        Assert.Equal("ok", run.GetTagItem("quicktry.run.status"));
        One(spans, s => s.DisplayName == "quota.reserve", "quota.reserve");
    }

    [Fact]
    public async Task A_compiled_run_has_a_compile_span_before_execution()
    {
        var client = _api.CreateClient();
        var result = await RunAsync(client, new { lang = "c", code = "#include <stdio.h>\nint main(void) { puts(\"x\"); return 0; }" });

        var spans = await TraceAsync(result.GetProperty("runId").GetString()!, "sandbox.wipe");

        var run = One(spans, s => IsRunOf(s, "c"), "run");
        var compile = One(spans, s => s.DisplayName == "sandbox.compile", "sandbox.compile");
        var execute = One(spans, s => s.DisplayName == "sandbox.execute", "sandbox.execute");
        AssertChildOf(compile, run);
        AssertChildOf(execute, run);
        Assert.Equal(0, compile.GetTagItem("quicktry.compile.exit_code"));
        Assert.True(compile.StartTimeUtc + compile.Duration <= execute.StartTimeUtc + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_timed_out_run_and_a_rejected_request_carry_error_status()
    {
        var client = _api.CreateClient();
        var result = await RunAsync(client, new { lang = "python3", code = "while True: pass", limits = new { timeMs = 500 } });
        Assert.Equal("timeout", result.GetProperty("status").GetString());

        var spans = await TraceAsync(result.GetProperty("runId").GetString()!, "sandbox.wipe");
        var run = One(spans, s => IsRunOf(s, "python3"), "run");
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.StartsWith("timeout", run.StatusDescription);
        Assert.Equal("timeout", run.GetTagItem("quicktry.run.status"));
        var execute = One(spans, s => s.DisplayName == "sandbox.execute", "sandbox.execute");
        Assert.Equal(ActivityStatusCode.Error, execute.Status);
        Assert.Equal("TimeLimit", execute.GetTagItem("quicktry.sandbox.killed"));

        // The plan allows four runs; use them up, then one more is refused by the quota. The refused
        // request carries a trace id of ours, so its spans can be told from other tests' spans.
        var traceId = ActivityTraceId.CreateRandom();
        HttpResponseMessage response;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/run") { Content = JsonContent.Create(new { lang = "python3", code = "print(1)" }) };
            request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            response = await client.SendAsync(request);
        }
        while (response.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);

        var refused = await TraceAsync(traceId.ToHexString(), spans =>
            spans.Any(s => s.DisplayName == "quota.reserve" && Equals(s.GetTagItem("quicktry.quota.decision"), "exhausted"))
            && spans.Any(s => s.Kind == ActivityKind.Server && s.Status == ActivityStatusCode.Error));
        var check = One(refused, s => s.DisplayName == "quota.reserve" && Equals(s.GetTagItem("quicktry.quota.decision"), "exhausted"), "exhausted quota.reserve");
        Assert.Equal(ActivityStatusCode.Error, check.Status);
        var server = One(refused, s => s.SpanId == check.ParentSpanId, "parent of quota.reserve");
        Assert.Equal(ActivityKind.Server, server.Kind);
        Assert.Equal(ActivityStatusCode.Error, server.Status);
    }

    [Fact]
    public async Task Metrics_move_by_the_expected_amounts_for_a_known_sequence_of_runs()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        var executorMeters = _executor.Services.GetRequiredService<IMeterFactory>();
        var apiMeters = _api.Services.GetRequiredService<IMeterFactory>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this test's two services: other tests run in parallel with their own meters.
            if (instrument.Meter.Scope == executorMeters || instrument.Meter.Scope == apiMeters)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }
            lock (measurements)
            {
                measurements.Add((instrument.Name, Convert.ToDouble(value), copy));
            }
        }
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<double>(Record);
        listener.SetMeasurementEventCallback<int>(Record);
        listener.Start();

        var client = _api.CreateClient();
        // A name alone runs the language's newest version: the metrics name the version that ran.
        var python = (await RunAsync(client, new { lang = "python3", code = "print(1)" })).GetProperty("lang").GetString()!;
        await RunAsync(client, new { lang = "python3", code = "print(2)" });
        await RunAsync(client, new { lang = "python3", code = "while True: pass", limits = new { timeMs = 300 } });
        var c = (await RunAsync(client, new { lang = "c", code = "int main(void) { return missing; }" })).GetProperty("lang").GetString()!;
        var refused = await client.PostAsJsonAsync("/run", new { lang = "python3", code = "print(3)" });
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        listener.RecordObservableInstruments();

        double Sum(string name, params (string Key, string Value)[] tags)
        {
            lock (measurements)
            {
                return measurements.Where(m => m.Instrument == name && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key)?.ToString(), t.Value))).Sum(m => m.Value);
            }
        }
        int Count(string name)
        {
            lock (measurements)
            {
                return measurements.Count(m => m.Instrument == name);
            }
        }

        Assert.Equal(2, Sum("quicktry.runs", ("quicktry.language", python), ("quicktry.run.status", "ok")));
        Assert.Equal(1, Sum("quicktry.runs", ("quicktry.language", python), ("quicktry.run.status", "timeout")));
        Assert.Equal(1, Sum("quicktry.runs", ("quicktry.language", c), ("quicktry.run.status", "compile_error")));
        Assert.Equal(4, Count("quicktry.run.duration"));
        Assert.Equal(4, Count("quicktry.run.queue.duration"));
        Assert.True(Sum("quicktry.run.duration", ("quicktry.run.status", "timeout")) >= 0.3);
        Assert.Equal(1, Sum("quicktry.gateway.rejections", ("quicktry.rejection.reason", "quota")));
        Assert.Equal(1, Sum("quicktry.pool.target", ("quicktry.language", "python3")));
        Assert.True(Count("quicktry.pool.warm") > 0);
        Assert.True(Count("quicktry.runs.queued") > 0);
    }
}
