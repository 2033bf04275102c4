using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QuickTry.Api.Tests;

/// <summary>
/// The plan decides the runtime, end to end: anonymous callers in gVisor, keyed callers in runc. The real
/// API (real Redis) in front of the real executor on the main engine, which declares gVisor's runsc
/// (scripts/setup.sh --gvisor).
/// </summary>
public sealed class PlanRuntimeTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private InProcessExecutor _executor = null!;
    private ApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _executor = new InProcessExecutor(new Dictionary<string, string?>
        {
            ["Executor:InstanceName"] = "test-plan-runtime-" + Guid.NewGuid().ToString("N")[..8],
            ["Executor:Pool:WarmPerLanguage"] = "0",
            ["Executor:Pool:WarmByLanguage:python3"] = "1",
            ["Executor:Sandbox:PlanRuntimes:0"] = "runsc",
        });
        _api = new ApiFactory(_redis, new() { ["Clients:Plans:anonymous:Runtime"] = "runsc" }, executorUrl: _executor.Url);
        await _executor.WaitHealthyAsync(TimeSpan.FromSeconds(90));
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _executor.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task<JsonElement> RunAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/run", new { lang = "python3", code = "import platform; print(platform.release())" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    [Fact]
    public async Task Anonymous_callers_run_in_gVisor_and_keyed_callers_in_runc()
    {
        using var anonymous = _api.CreateClient();
        using var alice = _api.CreateClient();
        alice.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AliceKey);

        var inGVisor = await RunAsync(anonymous);
        var inRunc = await RunAsync(alice);

        Assert.Equal("runsc", inGVisor.GetProperty("runtime").GetString());
        Assert.Equal("4.4.0\n", inGVisor.GetProperty("stdout").GetString());
        Assert.Equal("runc", inRunc.GetProperty("runtime").GetString());
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim() + "\n", inRunc.GetProperty("stdout").GetString());
    }
}
