using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace QuickTry.Api.Tests.Piston;

/// <summary>
/// The real API on a real TCP port (so a Node.js client can reach it) in front of the real executor on the
/// host's Docker engine, with real Redis; shared by the Piston test classes, which run one after the other.
/// </summary>
public sealed class PistonStack : IAsyncLifetime
{
    public const string TinyKey = "tiny-plan-key-0123456789";

    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;

    /// <summary>Where the API listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Url { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-piston-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
            // A language's version is read from its first sandbox; Piston selects runtimes by version.
            ["Executor:Pool:WarmByLanguage:python3"] = "1",
            ["Executor:Pool:WarmByLanguage:c"] = "1",
            ["Executor:Pool:WarmByLanguage:javascript"] = "1",
        });
        _api = new ApiFactory(_redis, new()
        {
            // A client with a bucket of one request, for the 429.
            ["Clients:Plans:tiny:RequestsPerMinute"] = "1",
            ["Clients:Plans:tiny:Burst"] = "1",
            ["Clients:ApiKeys:1:Name"] = "tiny",
            ["Clients:ApiKeys:1:Key"] = TinyKey,
            ["Clients:ApiKeys:1:Plan"] = "tiny",
        }, executorUrl: _executor.Url);
        Url = _api.StartOnLoopback().ToString().TrimEnd('/');
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(120));
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(90) };
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

[CollectionDefinition(Name)]
public sealed class PistonStackCollection : ICollectionFixture<PistonStack>
{
    public const string Name = "Piston stack";
}
