using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace QuickTry.Client.Tests;

/// <summary>What the client sends and how it reads every kind of answer, over a stub handler.</summary>
public sealed class QuickTryClientTests
{
    private const string ResultJson = """{"runId":"r1","lang":"python3","version":"3.11.2","status":"compile_error","isolation":"container","stdout":"","limits":{"timeMs":3000,"compileTimeMs":10000,"memoryMb":128,"pids":64,"outputBytes":65536}}""";

    private static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    private static HttpResponseMessage Problem(HttpStatusCode status, string json, TimeSpan? retryAfter = null)
    {
        var response = Json(status, json, "application/problem+json");
        if (retryAfter is { } delay)
        {
            response.Headers.RetryAfter = new RetryConditionHeaderValue(delay);
        }
        return response;
    }

    [Fact]
    public async Task A_run_is_posted_as_camel_case_json_without_nulls_with_the_api_key_and_its_result_read_with_wire_enum_names()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK, ResultJson));

        var result = await stub.Client("secret-key-0123456789").RunAsync(new RunRequest
        {
            Lang = "python3", Code = "print(1)", Limits = new RequestedLimits { TimeMs = 500 },
        });

        Assert.Equal(RunStatus.CompileError, result.Status);
        Assert.Equal(Isolation.Container, result.Isolation);
        var (request, body) = Assert.Single(stub.Sent);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://quicktry.test/run", request.RequestUri!.ToString());
        Assert.Equal("secret-key-0123456789", request.Headers.GetValues("X-Api-Key").Single());
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("""{"lang":"python3","code":"print(1)","limits":{"timeMs":500}}""", body);
    }

    [Fact]
    public async Task Without_a_key_no_key_header_is_sent_and_a_base_address_with_a_path_keeps_it()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK, "[]"));
        var client = new QuickTryClient(new HttpClient(stub) { BaseAddress = new Uri("http://proxy.test/quicktry/") });

        Assert.Empty(await client.GetLanguagesAsync());

        var (request, _) = Assert.Single(stub.Sent);
        Assert.Equal("http://proxy.test/quicktry/languages", request.RequestUri!.ToString());
        Assert.False(request.Headers.Contains("X-Api-Key"));
    }

    [Fact]
    public void A_client_needs_the_apis_address()
    {
        var error = Assert.Throws<ArgumentException>(() => new QuickTryClient(new HttpClient()));
        Assert.Contains("BaseAddress", error.Message);
    }

    [Fact]
    public async Task A_400_is_a_validation_exception_with_the_errors_by_field()
    {
        var stub = new StubHandler(_ => Problem(HttpStatusCode.BadRequest,
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The run request is invalid.","status":400,"errors":{"lang":["Unknown language 'cobol'. Valid: c, python3."],"code":["Code is required and must not be empty."]}}"""));

        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() => stub.Client().RunAsync(new RunRequest { Lang = "cobol" }));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("The run request is invalid.", error.Title);
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.1", error.Type);
        Assert.Equal(["lang", "code"], error.Errors.Keys);
        Assert.Contains("cobol", error.Errors["lang"][0]);
        Assert.Contains("The run request is invalid.", error.Message);
    }

    [Fact]
    public async Task A_400_without_errors_has_an_empty_errors_dictionary_and_the_detail()
    {
        var stub = new StubHandler(_ => Problem(HttpStatusCode.BadRequest, """{"title":"The body is not a valid run request.","status":400,"detail":"'}' is invalid after a value. Path: $ | LineNumber: 0."}"""));

        var error = await Assert.ThrowsAsync<QuickTryValidationException>(() => stub.Client().RunAsync(new RunRequest()));

        Assert.Empty(error.Errors);
        Assert.StartsWith("'}' is invalid", error.Detail);
    }

    [Fact]
    public async Task A_401_and_a_413_have_their_own_exceptions()
    {
        var stub = new StubHandler(_ => Problem(HttpStatusCode.Unauthorized, """{"title":"Unknown API key.","status":401,"detail":"The X-Api-Key header does not hold a key this service knows."}"""));
        var unauthorized = await Assert.ThrowsAsync<QuickTryUnauthorizedException>(() => stub.Client("wrong-key-0123456789").GetQuotaAsync());
        Assert.Equal("Unknown API key.", unauthorized.Title);

        stub.Answer = _ => Problem(HttpStatusCode.RequestEntityTooLarge, """{"title":"The body is too large.","status":413,"detail":"Request bodies may be at most 2048 bytes."}""");
        var tooLarge = await Assert.ThrowsAsync<QuickTryRequestTooLargeException>(() => stub.Client().RunAsync(new RunRequest { Code = new string('x', 4096) }));
        Assert.Contains("2048", tooLarge.Detail);
    }

    [Fact]
    public async Task A_429_and_a_503_carry_retry_after_and_share_a_base_to_catch_them_by()
    {
        var stub = new StubHandler(_ => Problem(HttpStatusCode.TooManyRequests,
            """{"type":"https://quicktry.dev/problems/quota-exhausted","title":"Quota exhausted: runs.","status":429}""", TimeSpan.FromSeconds(42)));
        var limited = await Assert.ThrowsAsync<QuickTryRateLimitedException>(() => stub.Client().RunAsync(new RunRequest()));
        Assert.Equal(TimeSpan.FromSeconds(42), limited.RetryAfter);
        Assert.Equal("https://quicktry.dev/problems/quota-exhausted", limited.Type);

        stub.Answer = _ => Problem(HttpStatusCode.ServiceUnavailable, """{"title":"The executor is busy.","status":503,"detail":"Retry after 3 s."}""", TimeSpan.FromSeconds(3));
        var unavailable = await Assert.ThrowsAnyAsync<QuickTryRetryLaterException>(() => stub.Client().GetLanguagesAsync());
        Assert.IsType<QuickTryUnavailableException>(unavailable);
        Assert.Equal(TimeSpan.FromSeconds(3), unavailable.RetryAfter);
    }

    [Fact]
    public async Task Retry_after_as_a_date_is_read_as_the_wait_until_it_and_its_absence_as_null()
    {
        var stub = new StubHandler(_ =>
        {
            var response = Problem(HttpStatusCode.ServiceUnavailable, """{"title":"busy","status":503}""");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(DateTimeOffset.UtcNow.AddMinutes(2));
            return response;
        });
        var dated = await Assert.ThrowsAsync<QuickTryUnavailableException>(() => stub.Client().RunAsync(new RunRequest()));
        Assert.InRange(dated.RetryAfter!.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(121));

        stub.Answer = _ => Problem(HttpStatusCode.TooManyRequests, """{"title":"slow down","status":429}""");
        Assert.Null((await Assert.ThrowsAsync<QuickTryRateLimitedException>(() => stub.Client().RunAsync(new RunRequest()))).RetryAfter);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "text/html", "<html>Bad gateway page</html>")]
    [InlineData(HttpStatusCode.UnsupportedMediaType, "application/problem+json", """{"title":"The body must be JSON.","status":415}""")]
    [InlineData(HttpStatusCode.BadGateway, "application/problem+json", "{ not json")]
    [InlineData(HttpStatusCode.Forbidden, "application/json", "[1,2]")]
    public async Task Other_refusals_and_bodies_that_are_not_problems_are_the_base_exception(HttpStatusCode status, string mediaType, string body)
    {
        var stub = new StubHandler(_ => Json(status, body, mediaType));

        var error = await Assert.ThrowsAsync<QuickTryException>(() => stub.Client().RunAsync(new RunRequest()));

        Assert.Equal(status, error.StatusCode);
        Assert.False(string.IsNullOrEmpty(error.Title));
        Assert.Contains(((int)status).ToString(), error.Message);
    }

    [Fact]
    public async Task A_transport_failure_stays_an_http_request_exception()
    {
        var stub = new StubHandler(_ => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

        await Assert.ThrowsAsync<HttpRequestException>(() => stub.Client().RunAsync(new RunRequest()));
    }

    [Fact]
    public async Task A_success_whose_body_is_off_contract_is_an_exception_not_a_half_read_result()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK, """{"hello":"proxy"}"""));

        var error = await Assert.ThrowsAsync<QuickTryException>(() => stub.Client().RunAsync(new RunRequest()));
        Assert.IsType<JsonException>(error.InnerException);
    }

    [Fact]
    public async Task Streaming_asks_for_server_sent_events_and_yields_them_in_order()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK,
            $"event: stdout\ndata: {{\"text\":\"1\\n\"}}\n\nevent: stdout\ndata: {{\"text\":\"2\\n\"}}\n\nevent: result\ndata: {ResultJson}\n\n", "text/event-stream"));

        var events = new List<RunEvent>();
        await foreach (var runEvent in stub.Client().StreamAsync(new RunRequest { Lang = "python3", Code = "x" }))
        {
            events.Add(runEvent);
        }

        Assert.Equal([new RunOutput(OutputStream.Stdout, "1\n"), new RunOutput(OutputStream.Stdout, "2\n")], events.Take(2));
        Assert.Equal("r1", Assert.IsType<RunCompleted>(events[2]).Result.RunId);
        var (request, _) = Assert.Single(stub.Sent);
        Assert.Equal("http://quicktry.test/run", request.RequestUri!.ToString());
        Assert.Equal("text/event-stream", Assert.Single(request.Headers.Accept).MediaType);
    }

    [Fact]
    public async Task Streaming_from_a_server_that_answers_json_yields_the_result_alone()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK, ResultJson));

        var events = new List<RunEvent>();
        await foreach (var runEvent in stub.Client().StreamAsync(new RunRequest { Lang = "python3", Code = "x" }))
        {
            events.Add(runEvent);
        }

        Assert.Equal(RunStatus.CompileError, Assert.IsType<RunCompleted>(Assert.Single(events)).Result.Status);
    }

    [Fact]
    public async Task A_refused_stream_throws_before_any_event()
    {
        var stub = new StubHandler(_ => Problem(HttpStatusCode.TooManyRequests, """{"title":"Too many requests.","status":429}""", TimeSpan.FromSeconds(5)));

        var error = await Assert.ThrowsAsync<QuickTryRateLimitedException>(async () =>
        {
            await foreach (var _ in stub.Client().StreamAsync(new RunRequest { Lang = "python3", Code = "x" }))
            {
                Assert.Fail("no event was expected");
            }
        });
        Assert.Equal(TimeSpan.FromSeconds(5), error.RetryAfter);
    }

    [Fact]
    public async Task Submissions_go_to_their_routes_and_read_their_statuses_by_wire_name()
    {
        var stub = new StubHandler(request => request.RequestUri!.PathAndQuery switch
        {
            "/submissions" => Json(HttpStatusCode.Accepted, """{"id":"a1","status":"queued"}"""),
            "/submissions/batch" => Json(HttpStatusCode.Accepted, """[{"id":"a1","status":"queued"},{"id":"b2","status":"queued"}]"""),
            "/submissions/a1" => Json(HttpStatusCode.OK, $$"""{"id":"a1","status":"done","result":{{ResultJson}}}"""),
            "/submissions?ids=a1%2Cb2" => Json(HttpStatusCode.OK, """[{"id":"a1","status":"running"},{"id":"b2","status":"not_found"}]"""),
            "/submissions/gone" => Problem(HttpStatusCode.NotFound, """{"title":"No such submission.","status":404,"detail":"No submission 'gone' of this client exists."}"""),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        });
        var client = stub.Client();

        Assert.Equal(SubmissionStatus.Queued, (await client.SubmitAsync(new SubmissionRequest { Lang = "bash", Code = "echo", CallbackUrl = "https://example.test/hook" })).Status);
        Assert.Equal(["a1", "b2"], (await client.SubmitBatchAsync([new SubmissionRequest { Lang = "bash", Code = "echo 1" }, new SubmissionRequest { Lang = "bash", Code = "echo 2" }])).Select(v => v.Id));
        var done = await client.GetSubmissionAsync("a1");
        Assert.Equal(SubmissionStatus.Done, done.Status);
        Assert.Equal(RunStatus.CompileError, done.Result!.Status);
        Assert.Equal([SubmissionStatus.Running, SubmissionStatus.NotFound], (await client.GetSubmissionsAsync(["a1", "b2"])).Select(v => v.Status));
        var gone = await client.GetSubmissionAsync("gone");
        Assert.Equal(SubmissionStatus.NotFound, gone.Status);
        Assert.Contains("'gone'", gone.Message);

        var bodies = stub.Sent.Select(s => s.Body).ToList();
        Assert.Equal("""{"callbackUrl":"https://example.test/hook","lang":"bash","code":"echo"}""", bodies[0]);
        Assert.Equal("""{"submissions":[{"lang":"bash","code":"echo 1"},{"lang":"bash","code":"echo 2"}]}""", bodies[1]);
    }

    [Fact]
    public async Task The_quota_is_read_whole()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK,
            """{"client":"alice","plan":"standard","windowSeconds":3600,"resetsInSeconds":12.5,"runs":{"limit":1000,"used":2,"remaining":998},"runSeconds":{"limit":600,"used":0.2,"remaining":599.8},"rateLimit":{"requestsPerMinute":60,"burst":10,"remaining":9},"approximate":false}"""));

        var quota = await stub.Client().GetQuotaAsync();

        Assert.Equal(new QuotaReport("alice", "standard", 3600, 12.5, new QuotaCounter(1000, 2, 998), new QuotaCounter(600, 0.2, 599.8), new RateLimitReport(60, 10, 9), false), quota);
    }

    [Fact]
    public async Task The_service_collection_registration_gives_a_client_at_the_address_with_the_key()
    {
        var stub = new StubHandler(_ => Json(HttpStatusCode.OK, "[]"));
        var services = new ServiceCollection();
        services.AddQuickTryClient(new Uri("http://registered.test/"), "registered-key-0123456789")
            .ConfigurePrimaryHttpMessageHandler(() => stub);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<QuickTryClient>().GetLanguagesAsync();

        var (request, _) = Assert.Single(stub.Sent);
        Assert.Equal("http://registered.test/languages", request.RequestUri!.ToString());
        Assert.Equal("registered-key-0123456789", request.Headers.GetValues("X-Api-Key").Single());
    }
}
