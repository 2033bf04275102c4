using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QuickTry.Api.RateLimiting;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests.RateLimiting;

/// <summary>
/// Each client's token bucket: it spends on quota reads and unknown keys too, and a bucket the middleware
/// disposed for idleness reads as full instead of failing. In process against a real Redis.
/// </summary>
public sealed class RateLimiterTests : RedisServerPerTest
{
    [Fact]
    public async Task Quota_answers_after_the_callers_rate_limiter_was_disposed_for_idleness()
    {
        await using var api = new ApiFactory(Redis);
        var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
        var limiters = api.Services.GetRequiredService<ClientRateLimiters>();
        Assert.Equal(1, limiters.Count);

        // The middleware disposes a bucket that has sat full for 10 s; the first version then answered 500.
        // A real wait: that 10 s is System.Threading.RateLimiting's own Stopwatch, which no TimeProvider
        // reaches, and disposing the bucket by hand would leave the middleware holding a disposed one.
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
        await using var api = new ApiFactory(Redis, new()
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
}
