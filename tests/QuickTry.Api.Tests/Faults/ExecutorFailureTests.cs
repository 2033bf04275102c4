using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests.Faults;

/// <summary>
/// An executor that fails, answers what is not a result, or reports its own internal error: the gateway
/// answers 503 with Retry-After (never 500) or the honest result, and bills nothing. In process against a real Redis.
/// </summary>
public sealed class ExecutorFailureTests : RedisServerPerTest
{
    [Fact]
    public async Task An_executor_that_keeps_failing_gets_503s_with_retry_after_never_500_and_nothing_is_billed()
    {
        // The first version's circuit breaker opened after a few failures and every later run was a 500.
        await using var api = new ApiFactory(Redis);
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
        await using var api = new ApiFactory(Redis);
        api.Executor.Execute = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"runId\": [") });
        var response = await api.CreateClient().PostAsync("/run", JsonBody("""{"lang":"python3","code":"print(1)"}"""));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task An_internal_error_result_is_reported_but_not_billed()
    {
        await using var api = new ApiFactory(Redis);
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
}
