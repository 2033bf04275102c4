extern alias executor;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ExecutorProgram = executor::Program;

namespace QuickTry.Api.Tests;

/// <summary>
/// The real executor in process on real Kestrel (so the API's calls, and their trace context, cross a real
/// socket), running code in a real Docker engine; for tests of the whole path behind the gateway.
/// </summary>
public sealed class InProcessExecutor : IAsyncDisposable
{
    private readonly WebApplicationFactory<ExecutorProgram> _factory;

    public InProcessExecutor(IReadOnlyDictionary<string, string?> settings)
    {
        _factory = new WebApplicationFactory<ExecutorProgram>().WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }
            // A free port of its own: two of these (test classes run in parallel) must not share one.
            web.UseUrls("http://127.0.0.1:0");
        });
        _factory.UseKestrel();
        _factory.StartServer();
        Url = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().Replace("[::]", "127.0.0.1");
    }

    /// <summary>Where it listens, for the API's <c>Executor:BaseUrl</c>.</summary>
    public string Url { get; }

    public IServiceProvider Services => _factory.Services;

    /// <summary>Waits until its pools are warm (Healthy); Degraded while warming, Unhealthy (503) before the engine answers.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Url) };
        var deadline = DateTime.UtcNow + timeout;
        while (await (await http.GetAsync("/health")).Content.ReadAsStringAsync() != "Healthy")
        {
            Assert.True(DateTime.UtcNow < deadline, $"the executor did not become Healthy within {timeout}");
            await Task.Delay(200);
        }
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
