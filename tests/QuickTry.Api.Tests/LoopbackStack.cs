namespace QuickTry.Api.Tests;

/// <summary>
/// The real API on a real loopback TCP port (clients in other processes, Node.js or an MCP SDK, open their
/// own connections) in front of the real executor on the host's Docker engine, with real Redis. A stack
/// names what its tests need: the languages kept warm (a language's version is read from its first
/// sandbox) and the API's plans and keys. Shared by a collection's classes, which run one after the other.
/// </summary>
public abstract class LoopbackStack(string name, string[] warm, Dictionary<string, string?> apiSettings) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;

    /// <summary>Where the API listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary><see cref="Url"/> without its trailing slash, for clients that append paths to it.</summary>
    public string BaseUrl => Url.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        var executorSettings = new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = $"test-{name}-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
        };
        foreach (var language in warm)
        {
            executorSettings[$"Executor:Pool:WarmByLanguage:{language}"] = "1";
        }
        _executor = new InProcessExecutor(executorSettings);
        _api = new ApiFactory(_redis, apiSettings, executorUrl: _executor.Url);
        Url = _api.StartOnLoopback();
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(120));
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(90) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
