using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using static QuickTry.Api.Tests.ApiCalls;

namespace QuickTry.Api.Tests;

/// <summary>
/// The public contract of /run, /languages and /quota, in process against a real Redis. Behaviour is read
/// through QuickTryClient as callers see it; raw HTTP where the wire itself is the point (headers, content
/// types, malformed bodies).
/// </summary>
public sealed class RunApiTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly RedisServer _redis = new();
    private ApiFactory _api = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _api = new ApiFactory(_redis);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static QuickTryClient ClientOf(ApiFactory api) => new(api.CreateClient());

    private static RunRequest Python(string code = "x") => new() { Lang = "python3", Code = code };

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    private static void AssertRateLimitHeaders(HttpResponseMessage response)
    {
        foreach (var name in new[] { "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy" })
        {
            Assert.True(response.Headers.Contains(name), $"{(int)response.StatusCode} response without {name}");
        }
    }

    [Fact]
    public async Task A_run_returns_the_executors_result_with_rate_limit_headers()
    {
        var client = _api.CreateClient();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var response = await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"print(input())","stdin":"hello world"}"""));
        clock.Stop();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<RunResult>(Json);
        Assert.Equal("hello world", result!.Stdout);
        Assert.Equal(RunStatus.Ok, result.Status);
        AssertRateLimitHeaders(response);
        // 100 tokens, one more every 100 ms (600 a minute): the run took one, and a slow first request
        // (a cold test host) may see it given back before the headers are written.
        var remaining = response.Headers.GetValues("RateLimit-Remaining").Single();
        Assert.True(remaining == "99" || remaining == "100" && clock.ElapsedMilliseconds >= 100,
            $"RateLimit-Remaining {remaining} after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task The_original_field_names_and_language_aliases_are_accepted()
    {
        // The client sends what it is given: here "language" and "params", the original QuickTry's names.
        var result = await ClientOf(_api).RunAsync(new RunRequest { Language = "py", Code = "x", Params = "from params" });

        Assert.Equal("from params", result.Stdout);
        Assert.True(_api.Executor.Requests.TryDequeue(out var forwarded));
        Assert.Equal("python3-3.13", forwarded.Lang);
        Assert.Equal("from params", forwarded.Stdin);
    }

    [Theory]
    [InlineData("py", null, "python3-3.13", "3.13.5")]
    [InlineData("python3", "latest", "python3-3.13", "3.13.5")]
    [InlineData("python", "3", "python3-3.13", "3.13.5")]
    [InlineData("PY", "3.11", "python3", "3.11.2")]
    [InlineData("python3", "3.11.2", "python3", "3.11.2")]
    [InlineData("python3-3.13", null, "python3-3.13", "3.13.5")]
    [InlineData("c", "12", "c", "12.2.0")]
    public async Task A_version_picks_the_newest_that_matches_and_the_executor_gets_that_exact_one(
        string lang, string? version, string expectedName, string expectedVersion)
    {
        await ClientOf(_api).RunAsync(new RunRequest { Lang = lang, Version = version, Code = "x" });

        Assert.True(_api.Executor.Requests.TryDequeue(out var forwarded));
        Assert.Equal((expectedName, expectedVersion), (forwarded.Lang, forwarded.Version));
    }

    [Theory]
    [InlineData("python3", "2.7", "Unknown version '2.7' of python3. Valid: 3.13.5, 3.11.2.")]
    [InlineData("python3", "3.1", "Unknown version '3.1' of python3. Valid: 3.13.5, 3.11.2.")]
    [InlineData("python3-3.13", "3.11", "Unknown version '3.11' of python3. Valid: 3.13.5, 3.11.2.")]
    [InlineData("c", "13", "Unknown version '13' of c. Valid: 12.2.0.")]
    public async Task An_unknown_version_is_a_400_that_names_the_valid_ones(string lang, string version, string message)
    {
        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() =>
            ClientOf(_api).RunAsync(new RunRequest { Lang = lang, Version = version, Code = "x" }));

        Assert.Equal([message], error.Errors["version"]);
        Assert.Empty(_api.Executor.Requests);
    }

    [Fact]
    public async Task Get_with_a_json_body_runs_like_post()
    {
        var client = _api.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Get, "/run") { Content = JsonBody("""{"lang":"python3","code":"x","stdin":"via get"}""") };
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("via get", (await response.Content.ReadFromJsonAsync<RunResult>(Json))!.Stdout);
    }

    [Fact]
    public async Task Missing_code_and_unknown_language_are_400_naming_the_valid_languages()
    {
        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() => ClientOf(_api).RunAsync(new RunRequest { Lang = "cobol", Code = "  " }));

        Assert.Contains("python3", error.Errors["lang"][0]);
        Assert.Contains("c,", error.Errors["lang"][0]);
        Assert.True(error.Errors.ContainsKey("code"));
        Assert.Empty(_api.Executor.Requests);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415_and_still_carries_rate_limit_headers()
    {
        var client = _api.CreateClient();
        var response = await client.PostAsync("/run", new StringContent("lang=python3&code=print(1)", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        AssertRateLimitHeaders(response);
    }

    [Theory]
    [InlineData("{\"lang\":\"python3\",")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"lang\":\"python3\",\"code\":5}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Broken_json_is_400_without_a_stack_trace(string body)
    {
        var client = _api.CreateClient();
        await ProblemAsync(await client.PostAsync("/run", JsonBody(body)), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_over_the_maximum_is_413()
    {
        await using var api = new ApiFactory(_redis, new() { ["Gateway:MaxBodyBytes"] = "2048" });

        var error = await Assert.ThrowsAsync<QuickTryRequestTooLargeException>(() => ClientOf(api).RunAsync(Python(new string('x', 4096))));

        Assert.Contains("2048", error.Detail);
    }

    [Fact]
    public async Task The_executors_own_validation_errors_pass_through_as_400()
    {
        _api.Executor.Execute = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)
        {
            Content = JsonContent.Create(new { title = "invalid", status = 400, errors = new Dictionary<string, string[]> { ["limits.timeMs"] = ["Must be at most 20000 (asked 99999)."] } }),
        });
        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() =>
            ClientOf(_api).RunAsync(Python() with { Limits = new RequestedLimits { TimeMs = 99999 } }));

        Assert.Contains("20000", error.Errors["limits.timeMs"][0]);
    }

    [Fact]
    public async Task A_busy_executor_is_503_with_its_retry_after_and_the_quota_is_given_back()
    {
        _api.Executor.Execute = _ =>
        {
            var busy = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = JsonContent.Create(new { title = "busy", status = 503 }) };
            busy.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return Task.FromResult(busy);
        };
        var client = ClientOf(_api);

        var error = await Assert.ThrowsAsync<QuickTryUnavailableException>(() => client.RunAsync(Python()));

        Assert.Equal(TimeSpan.FromSeconds(3), error.RetryAfter);
        var quota = await client.GetQuotaAsync();
        Assert.Equal(0, quota.Runs.Used);
        Assert.Equal(0, quota.RunSeconds.Used);
    }

    [Fact]
    public async Task An_unreachable_executor_is_503_with_retry_after_not_500()
    {
        var client = ClientOf(_api);
        Assert.NotEmpty(await client.GetLanguagesAsync());
        _api.Executor.Down = true;

        var error = await Assert.ThrowsAsync<QuickTryUnavailableException>(() => client.RunAsync(Python()));

        Assert.NotNull(error.RetryAfter);
    }

    [Fact]
    public async Task Languages_lists_name_version_aliases_and_whether_compiled()
    {
        var languages = await ClientOf(_api).GetLanguagesAsync();

        var c = languages.Single(l => l.Name == "c");
        Assert.Equal("12.2.0", c.Version);
        Assert.True(c.Compiled);
        Assert.Equal("gcc", c.Aliases[0]);
    }

    [Fact]
    public async Task An_unknown_api_key_is_401_and_a_known_one_gets_its_plan_without_echoing_the_key()
    {
        var client = _api.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key-we-know-at-all");
        await ProblemAsync(await client.GetAsync("/quota"), HttpStatusCode.Unauthorized);

        var alice = _api.CreateClient();
        alice.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AliceKey);
        var body = await alice.GetStringAsync("/quota");
        var quota = JsonDocument.Parse(body).RootElement;
        Assert.Equal("alice", quota.GetProperty("client").GetString());
        Assert.Equal("standard", quota.GetProperty("plan").GetString());
        Assert.DoesNotContain(ApiFactory.AliceKey, body);
    }

    [Fact]
    public async Task Past_the_burst_a_client_gets_429_with_retry_after_while_another_client_is_unaffected()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:Plans:anonymous:Burst"] = "3",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "6",
        });
        var anonymous = api.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await anonymous.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
        }

        var limited = await anonymous.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""));
        var problem = await ProblemAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.Contains("rate limit", problem.GetProperty("title").GetString());
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("0", limited.Headers.GetValues("RateLimit-Remaining").Single());
        AssertRateLimitHeaders(limited);

        var alice = api.CreateClient();
        alice.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.AliceKey);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
    }

    [Fact]
    public async Task A_plan_of_600000_requests_a_minute_refills_after_its_burst_is_spent()
    {
        // One token per 60 s / 600000 = 0.1 ms: below a millisecond the limiter's timer never fired and a
        // spent bucket stayed empty for good (429 forever, /quota remaining 0 a minute later).
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:Plans:anonymous:Burst"] = "2",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "600000",
        });
        var client = api.CreateClient();
        var refused = 0;
        for (var round = 0; round < 20 && refused == 0; round++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))));
            refused += answers.Count(answer => answer.StatusCode == HttpStatusCode.TooManyRequests);
            Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        }
        Assert.True(refused > 0, "20 rounds of 20 requests at once never spent a burst of 2");

        // 600000 a minute refills the bucket within a refill period (100 ms).
        await Eventually.HoldsAsync("the bucket to be full again", async () =>
            JsonDocument.Parse(await client.GetStringAsync("/quota")).RootElement.GetProperty("rateLimit").GetProperty("remaining").GetInt64() == 2,
            TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/run", JsonBody("""{"lang":"python3","code":"x"}"""))).StatusCode);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(60)]
    [InlineData(61)]
    [InlineData(599)]
    [InlineData(601)]
    [InlineData(60_001)]
    [InlineData(600_000)]
    [InlineData(999_999)]
    [InlineData(1_000_000)]
    public void Every_rate_from_1_to_a_million_a_minute_refills_at_that_rate_in_periods_the_timer_serves(int perMinute)
    {
        var (tokens, period) = QuickTry.Api.RateLimiting.ClientRateLimiters.Refill(new() { RequestsPerMinute = perMinute });

        var rate = tokens * TimeSpan.TicksPerMinute / (double)period.Ticks;
        Assert.InRange(rate, perMinute * (1 - 1e-6), perMinute * (1 + 1e-6));
        Assert.True(period >= TimeSpan.FromMilliseconds(100) || tokens == 1, $"{tokens} tokens every {period}");
        Assert.True(period <= TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Beyond_the_gateways_concurrency_limit_a_run_gets_429_not_503()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Gateway:MaxForwardedRuns"] = "1",
            ["Gateway:MaxWaitingRuns"] = "0",
        });
        var release = new TaskCompletionSource();
        api.Executor.Execute = async request =>
        {
            await release.Task;
            return FakeExecutor.Ok(request, 10);
        };
        var client = ClientOf(api);
        var first = client.RunAsync(Python());
        await Eventually.HoldsAsync("the first run at the executor", () => Task.FromResult(!api.Executor.Requests.IsEmpty),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        var second = await Record.ExceptionAsync(() => client.RunAsync(Python()));
        release.SetResult();

        var limited = Assert.IsType<QuickTryRateLimitedException>(second);
        Assert.NotNull(limited.RetryAfter);
        Assert.Equal(RunStatus.Ok, (await first.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task An_exhausted_quota_is_429_with_retry_after_until_the_window_resets()
    {
        await using var api = new ApiFactory(_redis, new()
        {
            ["Clients:Plans:anonymous:RunsPerWindow"] = "2",
            ["Clients:Plans:anonymous:WindowSeconds"] = "600",
        });
        var client = ClientOf(api);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(RunStatus.Ok, (await client.RunAsync(Python())).Status);
        }

        var exhausted = await Assert.ThrowsAsync<QuickTryRateLimitedException>(() => client.RunAsync(Python()));

        Assert.Contains("quota", exhausted.Type);
        Assert.True(exhausted.RetryAfter > TimeSpan.Zero && exhausted.RetryAfter <= TimeSpan.FromSeconds(600), $"Retry-After {exhausted.RetryAfter}");
        Assert.Equal(2, api.Executor.Requests.Count);

        var quota = await client.GetQuotaAsync();
        Assert.Equal(0, quota.Runs.Remaining);
        Assert.Equal(0.2, quota.RunSeconds.Used, 3);
    }

    [Fact]
    public async Task The_openapi_document_and_its_reference_page_are_served()
    {
        var client = _api.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(document.GetProperty("paths").TryGetProperty("/run", out var run));
        Assert.True(run.GetProperty("post").TryGetProperty("requestBody", out _));

        var page = await client.GetAsync("/scalar/v1");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
