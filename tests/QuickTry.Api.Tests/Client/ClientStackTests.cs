namespace QuickTry.Api.Tests.Client;

/// <summary>
/// QuickTryClient against the real API (real Redis) in front of the real executor running code in the real
/// Docker engine: results, languages, and each refusal as its typed exception. (Submissions through the
/// real queue: Queue/SubmissionTests.)
/// </summary>
public sealed class ClientStackTests(ClientStackTests.Stack stack) : IClassFixture<ClientStackTests.Stack>
{
    /// <summary>One Redis and one executor for the class; each test starts the API it needs in front of them.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        public RedisServer Redis { get; } = new();

        public InProcessExecutor Executor { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await Redis.StartAsync();
            Executor = new InProcessExecutor(new Dictionary<string, string?>
            {
                ["Executor:InstanceName"] = "test-client-" + Guid.NewGuid().ToString("N")[..8],
                ["Executor:Pool:WarmPerLanguage"] = "0",
                ["Executor:Pool:WarmByLanguage:python3"] = "1",
                ["Executor:Pool:WarmByLanguage:c"] = "1",
            });
            await Executor.WaitHealthyAsync(TimeSpan.FromSeconds(90));
        }

        public async Task DisposeAsync()
        {
            await Executor.DisposeAsync();
            await Redis.DisposeAsync();
        }
    }

    private ApiFactory Api(Dictionary<string, string?>? settings = null) => new(stack.Redis, settings, executorUrl: stack.Executor.Url);

    private static QuickTryClient ClientOf(ApiFactory api, string? apiKey = null)
    {
        var http = api.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(60);
        return new QuickTryClient(http, apiKey);
    }

    [Fact]
    public async Task A_run_returns_its_result_and_a_compile_error_is_a_result_too()
    {
        await using var api = Api();
        var client = ClientOf(api);

        var ok = await client.RunAsync(new RunRequest { Lang = "py", Code = "print(input()[::-1])", Stdin = "olleh" });
        Assert.Equal(RunStatus.Ok, ok.Status);
        Assert.Matches("^python3(-[0-9.]+)?$", ok.Lang);
        Assert.Equal("hello\n", ok.Stdout);
        Assert.Equal(0, ok.ExitCode);

        var broken = await client.RunAsync(new RunRequest { Lang = "c", Code = "int main( { return 0; }" });
        Assert.Equal(RunStatus.CompileError, broken.Status);
        Assert.NotNull(broken.Compile);
        Assert.NotEqual(0, broken.Compile.ExitCode);
        Assert.Contains("error", broken.Compile.Output);
    }

    [Fact]
    public async Task Languages_are_listed_with_their_limits()
    {
        await using var api = Api();

        var languages = await ClientOf(api).GetLanguagesAsync();

        var c = Assert.Single(languages, l => l.Name == "c");
        Assert.True(c.Compiled);
        Assert.Contains("gcc", c.Aliases);
        Assert.True(c.MaxLimits.TimeMs >= c.Limits.TimeMs);
        Assert.Contains(languages, l => l.Name == "python3" && !l.Compiled);
    }

    [Fact]
    public async Task An_unknown_language_is_a_validation_exception_naming_the_field_and_the_valid_languages()
    {
        await using var api = Api();

        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() => ClientOf(api).RunAsync(new RunRequest { Lang = "nosuchlanguage", Code = "print(1)" }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The run request is invalid.", error.Title);
        Assert.Contains("python3", Assert.Single(error.Errors["lang"]));
    }

    [Fact]
    public async Task An_unknown_api_key_is_an_unauthorized_exception_and_a_known_one_reads_its_quota()
    {
        await using var api = Api();

        var error = await Assert.ThrowsAsync<QuickTryUnauthorizedException>(() => ClientOf(api, "not-a-key-we-know-at-all").GetQuotaAsync());
        Assert.Equal("Unknown API key.", error.Title);

        var quota = await ClientOf(api, ApiFactory.AliceKey).GetQuotaAsync();
        Assert.Equal("alice", quota.Client);
        Assert.Equal("standard", quota.Plan);
    }

    [Fact]
    public async Task A_body_over_the_maximum_is_a_too_large_exception_saying_the_maximum()
    {
        await using var api = Api(new() { ["Gateway:MaxBodyBytes"] = "2048" });

        var error = await Assert.ThrowsAsync<QuickTryRequestTooLargeException>(() =>
            ClientOf(api).RunAsync(new RunRequest { Lang = "python3", Code = "#" + new string('x', 4096) }));

        Assert.Contains("2048", error.Detail);
    }

    [Fact]
    public async Task Past_the_burst_a_run_is_a_rate_limited_exception_with_retry_after()
    {
        await using var api = Api(new()
        {
            ["Clients:Plans:anonymous:Burst"] = "1",
            ["Clients:Plans:anonymous:RequestsPerMinute"] = "1",
        });
        var client = ClientOf(api);
        Assert.Equal(RunStatus.Ok, (await client.RunAsync(new RunRequest { Lang = "python3", Code = "print(1)" })).Status);

        var error = await Assert.ThrowsAsync<QuickTryRateLimitedException>(() => client.RunAsync(new RunRequest { Lang = "python3", Code = "print(2)" }));

        Assert.Equal("https://quicktry.dev/problems/rate-limited", error.Type);
        Assert.True(error.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {error.RetryAfter}");
    }

    [Fact]
    public async Task Without_a_reachable_executor_a_run_is_an_unavailable_exception_with_retry_after()
    {
        // Nothing listens on port 9: the API cannot learn the languages, so it cannot take the run.
        await using var api = new ApiFactory(stack.Redis, executorUrl: "http://127.0.0.1:9");
        var client = ClientOf(api);

        var run = await Assert.ThrowsAsync<QuickTryUnavailableException>(() => client.RunAsync(new RunRequest { Lang = "python3", Code = "print(1)" }));
        Assert.True(run.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {run.RetryAfter}");

        var languages = await Assert.ThrowsAnyAsync<QuickTryRetryLaterException>(() => client.GetLanguagesAsync());
        Assert.Equal(TimeSpan.FromSeconds(5), languages.RetryAfter);
    }
}
