using System.Net.Http.Json;
using System.Text.Json;
using QuickTry.Api.Tests.Faults;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Tests.Queue;

/// <summary>
/// A real Redis, real executor processes (each on a Docker engine, pulling from the queue in that Redis)
/// and the API in process with the queue on. Timings are shortened (heartbeat 500 ms, counted 2 s) so
/// the fault cases finish in seconds.
/// </summary>
/// <param name="durableRedis">Redis keeps an append-only file, so killing and starting it keeps its data.</param>
public sealed class QueueStack(bool durableRedis = false) : IAsyncDisposable
{
    public const string MainEngine = "unix:///var/run/docker.sock";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// How long a started executor may take to announce itself: it takes queue entries only once it knows
    /// every image's version (at most a minute by design; seconds on a warm machine).
    /// </summary>
    public static readonly TimeSpan AnnounceTimeout = TimeSpan.FromSeconds(90);

    private readonly List<ExecutorProcess> _executors = [];
    private ConnectionMultiplexer? _connection;

    public RedisServer Redis { get; } = new(durableRedis);

    public ApiFactory? Api { get; private set; }

    public RedisRunQueue Queue => new(_connection ??= ConnectionMultiplexer.Connect($"{Redis.ConnectionString},abortConnect=false"));

    public IDatabase Database => (_connection ??= ConnectionMultiplexer.Connect($"{Redis.ConnectionString},abortConnect=false")).GetDatabase();

    public Task StartRedisAsync() => Redis.StartAsync();

    /// <summary>Starts an executor (instance name <c>test-queue-…</c>) that pulls from this stack's Redis.</summary>
    public async Task<ExecutorProcess> StartExecutorAsync(string engine, int slots, int queueLength, Dictionary<string, string>? more = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = Redis.ConnectionString,
            ["Executor__Pool__WarmByLanguage__python3"] = slots.ToString(),
            ["Executor__Pool__MaxConcurrentRuns"] = slots.ToString(),
            ["Executor__Pool__MaxQueueLength"] = queueLength.ToString(),
            ["Executor__Queue__HeartbeatIntervalMs"] = "500",
            ["Executor__Queue__HeartbeatTtlMs"] = "2000",
            ["Executor__Queue__ClaimIdleMs"] = "1000",
            ["Executor__Queue__SyncReservedRuns"] = "0",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }
        var executor = new ExecutorProcess("test-queue-" + Guid.NewGuid().ToString("N")[..8], engine, settings);
        _executors.Add(executor);
        await executor.StartAsync(TimeSpan.FromSeconds(90));
        return executor;
    }

    /// <summary>
    /// Waits (bounded) until the executor knows the version of every python3 image: a run that names no
    /// version gets the newest, and on a cold machine reading them takes seconds after start-up.
    /// </summary>
    public static async Task WaitForPythonVersionsAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        await Eventually.HoldsAsync($"the executor at {url} knowing python3's versions", async () =>
        {
            try
            {
                var languages = await http.GetFromJsonAsync<JsonElement>("/languages");
                var python = languages.EnumerateArray().Where(l => l.GetProperty("language").GetString() == "python3").ToList();
                return python.Count > 0 && python.All(l => l.GetProperty("version").GetString() != "unknown");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, timeout, TimeSpan.FromMilliseconds(250));
    }

    /// <summary>The API with the queue on; <paramref name="directUrl"/> is where it runs while Redis is down.</summary>
    public HttpClient StartApi(string? directUrl = null, Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Queue:Enabled"] = "true",
            ["Queue:ReaperIntervalMs"] = "250",
            ["Queue:ResultPollMs"] = "500",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "60000",
            ["Clients:Plans:anonymous:Burst"] = "10000",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        Api = new ApiFactory(Redis, all, executorUrl: directUrl ?? "http://127.0.0.1:9");
        var client = Api.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(90);
        return client;
    }

    /// <summary>One executor on the main engine, the API calling it directly while Redis is down, both ready.</summary>
    public async Task<(ExecutorProcess Executor, HttpClient Client)> StartWithOneExecutorAsync(int slots, int queueLength)
    {
        var executor = await StartExecutorAsync(MainEngine, slots, queueLength);
        var client = StartApi(executor.Url);
        await WaitForExecutorsAsync(1, AnnounceTimeout);
        return (executor, client);
    }

    /// <summary>Waits until <paramref name="count"/> executors announce themselves with free slots.</summary>
    public Task WaitForExecutorsAsync(int count, TimeSpan timeout) =>
        Eventually.HoldsAsync($"{count} executors announced", async () => (await Queue.LiveExecutorsAsync()).Count(e => e.Capacity > 0) >= count, timeout);

    public static StringContent Run(string lang, string code, int? timeMs = null) => JsonContent(new { lang, code, limits = timeMs is null ? null : new { timeMs } });

    public static StringContent JsonContent(object body) =>
        new(JsonSerializer.Serialize(body, Json), System.Text.Encoding.UTF8, "application/json");

    public static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    public async ValueTask DisposeAsync()
    {
        if (Api is not null)
        {
            await Api.DisposeAsync();
        }
        foreach (var executor in _executors)
        {
            await executor.DisposeAsync();
        }
        _connection?.Dispose();
        await Redis.DisposeAsync();
    }
}
