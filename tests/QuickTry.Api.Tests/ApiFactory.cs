using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Api.Runs;

namespace QuickTry.Api.Tests;

/// <summary>The API in process with a real Redis, and a fake executor unless given a real one's URL.</summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    public const string AliceKey = "alice-test-key-0123456789";

    private readonly Dictionary<string, string?> _settings;

    private readonly bool _fakeExecutor;

    /// <param name="executorUrl">A real executor to call; a <see cref="FakeExecutor"/> answers when null.</param>
    public ApiFactory(RedisServer redis, Dictionary<string, string?>? settings = null, string? executorUrl = null)
        : this(redis.ConnectionString, settings, executorUrl)
    {
    }

    /// <param name="redis">The connection string of a Redis the test runs itself (in a container, on another engine).</param>
    public ApiFactory(string redis, Dictionary<string, string?>? settings = null, string? executorUrl = null)
    {
        _fakeExecutor = executorUrl is null;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Executor:BaseUrl"] = executorUrl ?? "http://executor.test",
            // Where StartOnLoopback listens (a free port); the in-memory server ignores it.
            ["urls"] = "http://127.0.0.1:0",
            // These tests are about the gateway calling one executor; the queue tests turn the queue on.
            ["Queue:Enabled"] = "false",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "600",
            ["Clients:Plans:anonymous:Burst"] = "100",
            ["Clients:Plans:standard:RequestsPerMinute"] = "600",
            ["Clients:Plans:standard:Burst"] = "100",
            ["Clients:ApiKeys:0:Name"] = "alice",
            ["Clients:ApiKeys:0:Key"] = AliceKey,
            ["Clients:ApiKeys:0:Plan"] = "standard",
        };
        foreach (var (key, value) in settings ?? [])
        {
            _settings[key] = value;
        }
    }

    public FakeExecutor Executor { get; } = new();

    /// <summary>
    /// Serves on a real TCP port (a free one on loopback) instead of in memory, for clients that open their
    /// own connections (WebSockets, Node.js); returns its address.
    /// </summary>
    public Uri StartOnLoopback()
    {
        UseKestrel();
        StartServer();
        return new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_fakeExecutor)
        {
            builder.ConfigureServices(services =>
                services.AddHttpClient(nameof(ExecutorClient)).ConfigurePrimaryHttpMessageHandler(() => Executor));
        }
    }
}
