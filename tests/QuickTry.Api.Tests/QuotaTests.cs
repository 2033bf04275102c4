using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Api.Clients;
using QuickTry.Api.Quotas;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests;

/// <summary>Quota counters against a real Redis: atomic, expiring, and survivable when Redis goes away.</summary>
public sealed class QuotaTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private ConnectionMultiplexer _connection = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _connection = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static ClientIdentity Client(PlanOptions plan) =>
        new("key:" + Guid.NewGuid().ToString("N"), "tester", "test", plan);

    [Fact]
    public async Task Concurrent_reservations_never_overspend_the_run_count()
    {
        var store = new RedisQuotaStore(_connection, TimeProvider.System);
        var client = Client(new PlanOptions { RunsPerWindow = 10, RunSecondsPerWindow = 100_000, WindowSeconds = 600 });

        var decisions = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => Task.Run(() => store.ReserveAsync(client, 10, CancellationToken.None))));

        Assert.Equal(10, decisions.Count(d => d is QuotaDecision.Granted));
        Assert.Equal(10, (await store.UsageAsync(client, CancellationToken.None)).Runs);
    }

    [Fact]
    public async Task Concurrent_reservations_never_overspend_the_run_time()
    {
        var store = new RedisQuotaStore(_connection, TimeProvider.System);
        var client = Client(new PlanOptions { RunsPerWindow = 1_000, RunSecondsPerWindow = 10, WindowSeconds = 600 });

        // Each run reserves its 3 s limit: only three fit in 10 s, however many ask at once.
        var decisions = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => store.ReserveAsync(client, 3_000, CancellationToken.None))));
        var granted = decisions.OfType<QuotaDecision.Granted>().ToList();
        Assert.Equal(3, granted.Count);
        Assert.All(decisions.OfType<QuotaDecision.Exhausted>(), d => Assert.Equal("run time", d.What));

        // Settling charges the real use and frees the rest of the reservation.
        foreach (var reservation in granted.Select(g => g.Reservation))
        {
            await store.SettleAsync(reservation, usedMs: 250, countRun: true, CancellationToken.None);
        }
        var usage = await store.UsageAsync(client, CancellationToken.None);
        Assert.Equal(750, usage.RunMs);
        Assert.Equal(3, usage.Runs);
    }

    [Fact]
    public async Task A_refunded_run_does_not_count()
    {
        var store = new RedisQuotaStore(_connection, TimeProvider.System);
        var client = Client(new PlanOptions { RunsPerWindow = 5, RunSecondsPerWindow = 60, WindowSeconds = 600 });
        var granted = Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(client, 2_000, CancellationToken.None));

        await store.SettleAsync(granted.Reservation, 0, countRun: false, CancellationToken.None);

        Assert.Equal(new QuotaUsage(0, 0, TimeSpan.Zero), (await store.UsageAsync(client, CancellationToken.None)) with { ResetsIn = TimeSpan.Zero });
    }

    [Fact]
    public async Task Counters_carry_an_expiry_and_a_new_window_starts_fresh()
    {
        // The window is the store's clock's (a fake one here: no waiting for a real second to pass); the
        // counters' expiry is Redis's own.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new RedisQuotaStore(_connection, time);
        var client = Client(new PlanOptions { RunsPerWindow = 1, RunSecondsPerWindow = 60, WindowSeconds = 60 });
        var granted = Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(client, 10, CancellationToken.None));

        var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(granted.Reservation.Key);
        // What is left of the window plus a minute for late settlements.
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120));

        Assert.IsType<QuotaDecision.Exhausted>(await store.ReserveAsync(client, 10, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(client, 10, CancellationToken.None));

        // No key of ours is ever left without an expiry.
        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        await foreach (var key in server.KeysAsync(pattern: "quicktry:quota:*"))
        {
            Assert.NotNull(await _connection.GetDatabase().KeyTimeToLiveAsync(key));
        }
    }

    [Fact]
    public async Task With_redis_stopped_mid_test_runs_keep_being_served_under_the_fallback_and_health_says_degraded()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:Plans:anonymous:RunsPerWindow"] = "3",
            ["Quotas:RedisTimeoutMs"] = "200",
        });
        var client = api.CreateClient();
        var body = () => new StringContent("""{"lang":"python3","code":"x"}""", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", body())).StatusCode);
        Assert.Equal("Healthy", await client.GetStringAsync("/health"));

        await _redis.StopAsync();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var duringOutage = await client.PostAsync("/run", body());
        clock.Stop();
        Assert.Equal(HttpStatusCode.OK, duringOutage.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"a run during the outage took {clock.Elapsed}");
        Assert.Equal("Degraded", await client.GetStringAsync("/health"));
        var quota = await client.GetFromJsonAsync<JsonElement>("/quota");
        Assert.True(quota.GetProperty("approximate").GetBoolean());

        // The fallback is bounded: it enforces the plan in process (3 runs here), it does not wave runs through.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.PostAsync("/run", body())).StatusCode);
        }
        Assert.DoesNotContain(statuses, s => (int)s >= 500);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task The_fallback_store_enforces_the_same_plan_in_process()
    {
        var store = new InMemoryQuotaStore(TimeProvider.System);
        var client = Client(new PlanOptions { RunsPerWindow = 4, RunSecondsPerWindow = 100, WindowSeconds = 600 });

        var decisions = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.ReserveAsync(client, 5, CancellationToken.None))));

        Assert.Equal(4, decisions.Count(d => d is QuotaDecision.Granted));
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
    public async Task The_in_process_quota_fallback_forgets_clients_whose_window_ended()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
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

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.IsType<QuotaDecision.Granted>(await store.ReserveAsync(busy, 1_000, CancellationToken.None));
        store.SweepEnded();
        Assert.Equal(1, store.Count);
    }

}
