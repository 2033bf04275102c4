using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Quotas;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Tests;

/// <summary>
/// The gateway never answers 500 and never bills what did not happen: executor faults, limits above
/// their ceilings, idle rate limiters, unknown keys, IPv6 callers. In process against a real Redis.
/// </summary>
public sealed class GatewayTruthTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();

    public Task InitializeAsync() => _redis.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<double> RunsUsedAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>("/quota")).GetProperty("runs").GetProperty("used").GetDouble();

    [Fact]
    public async Task An_executor_that_keeps_failing_gets_503s_with_retry_after_never_500_and_nothing_is_billed()
    {
        // The first version's circuit breaker opened after a few failures and every later run was a 500.
        await using var api = new ApiFactory(_redis);
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/languages")).StatusCode);
        var calls = 0;
        api.Executor.Execute = _ =>
        {
            calls++;
            return calls % 2 == 0
                ? throw new HttpRequestException("Connection reset by peer")
                : throw new TaskCanceledException("timed out", new TimeoutException());
        };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            var response = await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"print(1)"}"""));
            statuses.Add(response.StatusCode);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"run {i}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }
        Assert.Equal(40, calls);
        Assert.Equal(0, await RunsUsedAsync(client));
    }

    [Fact]
    public async Task A_body_that_is_not_a_result_is_503_not_500()
    {
        await using var api = new ApiFactory(_redis);
        api.Executor.Execute = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"runId\": [") });
        var response = await api.CreateClient().PostAsync("/run", JsonBody("""{"lang":"python3","code":"print(1)"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task An_internal_error_result_is_reported_but_not_billed()
    {
        await using var api = new ApiFactory(_redis);
        api.Executor.Execute = request => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = JsonContent.Create(new RunResult
            {
                RunId = "r", Lang = request.Lang!, Version = "test", Status = RunStatus.InternalError,
                Limits = new AppliedLimits(3_000, 10_000, 128, 64, 65_536), Message = "The Docker engine went away during the run.",
            }, options: new JsonSerializerOptions(JsonSerializerDefaults.Web)),
        });
        var client = api.CreateClient();
        var response = await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"print(1)"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("internal_error", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        // Settling runs after the response; give it a moment.
        for (var i = 0; i < 50 && await RunsUsedAsync(client) != 0; i++)
        {
            await Task.Delay(20);
        }
        var quota = await client.GetFromJsonAsync<JsonElement>("/quota");
        Assert.Equal(0, quota.GetProperty("runs").GetProperty("used").GetDouble());
        Assert.Equal(0, quota.GetProperty("runSeconds").GetProperty("used").GetDouble());
    }

    [Fact]
    public async Task A_limit_above_its_ceiling_is_400_even_when_the_quota_could_not_pay_for_it()
    {
        await using var api = new ApiFactory(_redis, new() { ["Clients:Plans:anonymous:RunSecondsPerWindow"] = "10" });
        var client = api.CreateClient();

        var response = await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x","limits":{"timeMs":1000000000}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("at most 20000", problem.GetProperty("errors").GetProperty("limits.timeMs")[0].GetString());

        var tooSmall = await client.PostAsync("/run", JsonBody("""{"lang":"c","code":"x","limits":{"compileTimeMs":5}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tooSmall.StatusCode);
        Assert.Empty(api.Executor.Requests);
        Assert.Equal(0, await RunsUsedAsync(client));
    }

    [Fact]
    public async Task Quota_answers_after_the_callers_rate_limiter_was_disposed_for_idleness()
    {
        await using var api = new ApiFactory(_redis);
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
        var limiters = api.Services.GetRequiredService<ClientRateLimiters>();
        Assert.Equal(1, limiters.Count);

        // The middleware disposes a bucket that has sat full for 10 s; the first version then answered 500.
        await Task.Delay(TimeSpan.FromSeconds(12));
        var quota = await client.GetAsync("/quota");
        Assert.Equal(HttpStatusCode.OK, quota.StatusCode);
        Assert.Equal(100, (await quota.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rateLimit").GetProperty("remaining").GetInt64());
        limiters.SweepDisposed();
        Assert.Equal(0, limiters.Count);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
    }

    [Fact]
    public async Task Quota_reads_and_unknown_keys_are_rate_limited_too()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "1",
            ["Clients:Plans:anonymous:Burst"] = "3",
        });
        var client = api.CreateClient();
        var quotaStatuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            quotaStatuses.Add((await client.GetAsync("/quota")).StatusCode);
        }
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], quotaStatuses);
        // Reads have their own bucket: runs are still allowed.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);

        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/quota");
            request.Headers.Add("X-Api-Key", $"guess-{i}-0123456789abcdef");
            var response = await client.SendAsync(request);
            guesses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }
        }
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], guesses);
    }

    [Fact]
    public async Task Two_api_keys_with_one_name_refuse_to_start()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:ApiKeys:1:Name"] = "alice",
            ["Clients:ApiKeys:1:Key"] = "another-key-for-alice-0123",
            ["Clients:ApiKeys:1:Plan"] = "standard",
        });
        var error = Assert.Throws<OptionsValidationException>(() => api.CreateClient());
        Assert.Contains("Clients:ApiKeys:1:Name 'alice' is used by another key", error.Message);
    }

    [Theory]
    [InlineData("RequestsPerMinute", "0", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("RequestsPerMinute", "-5", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("RequestsPerMinute", "1000001", "Clients:Plans:anonymous:RequestsPerMinute must be 1..1000000.")]
    [InlineData("Burst", "0", "Clients:Plans:anonymous:Burst must be 1..100000.")]
    public async Task A_plan_with_a_nonsense_rate_refuses_to_start_naming_the_setting(string setting, string value, string message)
    {
        await using var api = new ApiFactory(_redis, new() { [$"Clients:Plans:anonymous:{setting}"] = value });
        var error = Assert.Throws<OptionsValidationException>(() => api.CreateClient());
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::1", "::1")]
    public void Anonymous_ipv6_callers_are_keyed_by_their_64(string address, string key) =>
        Assert.Equal(key, ClientResolver.AnonymousKey(IPAddress.Parse(address)));

    [Fact]
    public async Task The_in_process_quota_fallback_forgets_clients_whose_window_ended()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var store = new InMemoryQuotaStore(time);
        var plan = new PlanOptions { RunsPerWindow = 2, RunSecondsPerWindow = 100, WindowSeconds = 60 };
        for (var i = 0; i < 50; i++)
        {
            var client = new ClientIdentity($"ip:192.0.2.{i}", $"c{i}", "anonymous", plan);
            Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(client, 1_000, CancellationToken.None));
        }
        var busy = new ClientIdentity("ip:198.51.100.1", "busy", "anonymous", plan);
        Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(busy, 1_000, CancellationToken.None));
        Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(busy, 1_000, CancellationToken.None));
        Assert.IsType<QuotaDecision.Exhausted>(await store.ReserveAsync(busy, 1_000, CancellationToken.None));
        Assert.Equal(51, store.Count);

        time.Now += TimeSpan.FromSeconds(61);
        Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(busy, 1_000, CancellationToken.None));
        store.SweepEnded();
        Assert.Equal(1, store.Count);
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
