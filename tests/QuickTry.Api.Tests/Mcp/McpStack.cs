namespace QuickTry.Api.Tests.Mcp;

/// <summary>
/// The API on a real port (MCP clients open their own connections) in front of a real executor, with keys
/// for an agent, a plan of one request a minute (rate limit) and a plan of one run a window (quota).
/// </summary>
public sealed class McpStack : IAsyncLifetime
{
    public const string AgentKey = "agent-test-key-0123456789";
    public const string TinyKey = "tiny-mcp-key-0123456789";
    public const string OneRunKey = "one-run-mcp-key-0123456789";
    /// <summary>The tiny plan for the TypeScript client, whose bucket is its own.</summary>
    public const string TinyScriptKey = "tiny-script-mcp-key-0123456789";

    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;

    /// <summary>Where the API listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-mcp-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
            ["Executor:Pool:WarmByLanguage:python3"] = "1",
            ["Executor:Pool:WarmByLanguage:c"] = "1",
            ["Executor:Pool:WarmByLanguage:bash"] = "1",
        });
        _api = new ApiFactory(_redis, new()
        {
            ["Clients:ApiKeys:1:Name"] = "agent",
            ["Clients:ApiKeys:1:Key"] = AgentKey,
            ["Clients:ApiKeys:1:Plan"] = "standard",
            ["Clients:Plans:tiny:RequestsPerMinute"] = "1",
            ["Clients:Plans:tiny:Burst"] = "1",
            ["Clients:ApiKeys:2:Name"] = "tiny",
            ["Clients:ApiKeys:2:Key"] = TinyKey,
            ["Clients:ApiKeys:2:Plan"] = "tiny",
            ["Clients:Plans:onerun:RunsPerWindow"] = "1",
            ["Clients:Plans:onerun:WindowSeconds"] = "3600",
            ["Clients:ApiKeys:3:Name"] = "onerun",
            ["Clients:ApiKeys:3:Key"] = OneRunKey,
            ["Clients:ApiKeys:3:Plan"] = "onerun",
            ["Clients:ApiKeys:4:Name"] = "tiny-script",
            ["Clients:ApiKeys:4:Key"] = TinyScriptKey,
            ["Clients:ApiKeys:4:Plan"] = "tiny",
        }, executorUrl: _executor.Url);
        Url = _api.StartOnLoopback();
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(120));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class McpStackCollection : ICollectionFixture<McpStack>
{
    public const string Name = "MCP stack";
}
