using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace QuickTry.Client;

/// <summary>
/// A typed client for QuickTry's HTTP API. Every refusal of the API is thrown as a
/// <see cref="QuickTryException"/> (a subclass per status a caller acts on); a failure to reach the API
/// stays an <see cref="HttpRequestException"/>. Safe to share between threads, like the
/// <see cref="HttpClient"/> it is built over.
/// </summary>
public sealed class QuickTryClient
{
    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The contract's JSON (<see cref="ContractJson"/>), leaving nulls out of what it sends.</summary>
    internal static readonly JsonSerializerOptions Json = new(ContractJson.Options)
    {
        // The API reads a missing field and a null one alike; leaving nulls out keeps requests small and readable.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly string? _apiKey;

    /// <summary>A client over <paramref name="http"/>, whose <see cref="HttpClient.BaseAddress"/> is the API (e.g. <c>http://localhost:5080/</c>).</summary>
    /// <param name="http">The HTTP client to send with; its base address must be set. A base address with a path should end with <c>/</c>.</param>
    /// <param name="apiKey">The API key, sent as <c>X-Api-Key</c>; null calls anonymously (limits and quotas by address).</param>
    public QuickTryClient(HttpClient http, string? apiKey = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient's BaseAddress must be the QuickTry API's address.", nameof(http));
        }
        _http = http;
        _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;
    }

    /// <summary>Runs a snippet and waits for its result (<c>POST /run</c>). A program that fails is still a result, with its status.</summary>
    /// <param name="request">What to run: at least the language and the code.</param>
    /// <param name="cancellationToken">Cancels the call (a run already started is not stopped by it).</param>
    /// <returns>The run's result.</returns>
    /// <exception cref="QuickTryException">The API refused the run (see its subclasses).</exception>
    public async Task<RunResult> RunAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(HttpMethod.Post, "run", request);
        return await SendAsync<RunResult>(message, cancellationToken);
    }

    /// <summary>
    /// Runs a snippet and yields its output as the program writes it, then its result
    /// (<c>POST /run</c> with <c>Accept: text/event-stream</c>): <see cref="RunOutput"/> events, and last one
    /// <see cref="RunCompleted"/>. A server that does not stream answers with the result alone, which comes
    /// as the single <see cref="RunCompleted"/>.
    /// </summary>
    /// <param name="request">What to run: at least the language and the code.</param>
    /// <param name="cancellationToken">Cancels the call and stops reading the stream.</param>
    /// <returns>The run's events; the last is always <see cref="RunCompleted"/>.</returns>
    /// <exception cref="QuickTryException">The API refused the run (see its subclasses).</exception>
    /// <exception cref="HttpRequestException">The API could not be reached, or the stream ended before the result.</exception>
    public async IAsyncEnumerable<RunEvent> StreamAsync(RunRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(HttpMethod.Post, "run", request);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(RunEventReader.MediaType));
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureAcceptedAsync(response, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != RunEventReader.MediaType)
        {
            yield return new RunCompleted(await ReadAsync<RunResult>(response, cancellationToken));
            yield break;
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var runEvent in RunEventReader.ReadAsync(stream, cancellationToken))
        {
            yield return runEvent;
        }
    }

    /// <summary>
    /// Starts an interactive run (WebSocket <c>/run/ws</c>): returns once a sandbox took it; then write to
    /// its stdin with <see cref="InteractiveRun.WriteAsync"/> and read its output and result with
    /// <see cref="InteractiveRun.ReadEventsAsync"/>. The request's <c>stdin</c>, if any, comes first.
    /// </summary>
    /// <param name="request">What to run: at least the language and the code.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="QuickTryException">The API refused the run (see its subclasses).</exception>
    /// <exception cref="HttpRequestException">The API could not be reached.</exception>
    public Task<InteractiveRun> StartInteractiveAsync(RunRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var baseAddress = _http.BaseAddress ?? throw new InvalidOperationException("The HttpClient needs a BaseAddress (the API's).");
        var address = new UriBuilder(new Uri(baseAddress, "run/ws")) { Scheme = baseAddress.Scheme == Uri.UriSchemeHttps ? "wss" : "ws" }.Uri;
        return InteractiveRun.StartAsync(address, _http, ApiKeyHeader, _apiKey, request, cancellationToken);
    }

    /// <summary>Queues a run and returns at once with its id (<c>POST /submissions</c>); read it later with <see cref="GetSubmissionAsync"/>.</summary>
    /// <param name="request">What to run, and optionally where to send the result.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The submission, <see cref="SubmissionStatus.Queued"/>.</returns>
    /// <exception cref="QuickTryException">The API refused it (see its subclasses).</exception>
    public async Task<SubmissionView> SubmitAsync(SubmissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = Request(HttpMethod.Post, "submissions", request);
        return await SendAsync<SubmissionView>(message, cancellationToken);
    }

    /// <summary>Queues several runs, all of them or none (<c>POST /submissions/batch</c>).</summary>
    /// <param name="requests">What to run; the API sets how many one batch may hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The submissions, in the order of <paramref name="requests"/>.</returns>
    /// <exception cref="QuickTryException">The API refused the batch (see its subclasses); nothing of it was queued.</exception>
    public async Task<IReadOnlyList<SubmissionView>> SubmitBatchAsync(IEnumerable<SubmissionRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        using var message = Request(HttpMethod.Post, "submissions/batch", new SubmissionBatch { Submissions = requests.ToList() });
        return await SendAsync<List<SubmissionView>>(message, cancellationToken);
    }

    /// <summary>
    /// A submission of this caller (<c>GET /submissions/{id}</c>): its status, and its result once done. One that
    /// does not exist (or is no longer kept) comes back as <see cref="SubmissionStatus.NotFound"/>, as in
    /// <see cref="GetSubmissionsAsync"/>.
    /// </summary>
    /// <param name="id">The id <see cref="SubmitAsync"/> returned.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The submission.</returns>
    /// <exception cref="QuickTryException">The API refused the call (see its subclasses).</exception>
    public async Task<SubmissionView> GetSubmissionAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        using var message = Request(HttpMethod.Get, "submissions/" + Uri.EscapeDataString(id));
        using var response = await _http.SendAsync(message, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound && IsProblem(response))
        {
            var problem = await QuickTryException.FromResponseAsync(response, cancellationToken);
            return new SubmissionView { Id = id, Status = SubmissionStatus.NotFound, Message = problem.Detail ?? problem.Title };
        }
        await EnsureAcceptedAsync(response, cancellationToken);
        return await ReadAsync<SubmissionView>(response, cancellationToken);
    }

    /// <summary>Several submissions of this caller at once (<c>GET /submissions?ids=</c>); unknown ids come back as <see cref="SubmissionStatus.NotFound"/>.</summary>
    /// <param name="ids">The ids; the API sets how many one call may ask for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The submissions, in the order of <paramref name="ids"/> (a repeated id once).</returns>
    /// <exception cref="QuickTryException">The API refused the call (see its subclasses).</exception>
    public async Task<IReadOnlyList<SubmissionView>> GetSubmissionsAsync(IEnumerable<string> ids, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        using var message = Request(HttpMethod.Get, "submissions?ids=" + Uri.EscapeDataString(string.Join(',', ids)));
        return await SendAsync<List<SubmissionView>>(message, cancellationToken);
    }

    /// <summary>Every installed language with its version, aliases, default limits and ceilings (<c>GET /languages</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The languages.</returns>
    /// <exception cref="QuickTryException">The API could not list them (503 while no executor answers).</exception>
    public async Task<IReadOnlyList<LanguageInfo>> GetLanguagesAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(HttpMethod.Get, "languages");
        return await SendAsync<List<LanguageInfo>>(message, cancellationToken);
    }

    /// <summary>This caller's plan, what it has used in the current window and what is left (<c>GET /quota</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The caller's quota.</returns>
    /// <exception cref="QuickTryException">The API refused the call (see its subclasses).</exception>
    public async Task<QuotaReport> GetQuotaAsync(CancellationToken cancellationToken = default)
    {
        using var message = Request(HttpMethod.Get, "quota");
        return await SendAsync<QuotaReport>(message, cancellationToken);
    }

    // Paths are relative (no leading '/') so a base address with a path, e.g. http://host/quicktry/, keeps it.
    private HttpRequestMessage Request(HttpMethod method, string path, object? body = null)
    {
        var message = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            message.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }
        if (_apiKey is not null)
        {
            message.Headers.Add(ApiKeyHeader, _apiKey);
        }
        return message;
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(message, cancellationToken);
        await EnsureAcceptedAsync(response, cancellationToken);
        return await ReadAsync<T>(response, cancellationToken);
    }

    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await QuickTryException.FromResponseAsync(response, cancellationToken);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new QuickTryException(response.StatusCode, "The API answered null.", null, null);
        }
        catch (JsonException e)
        {
            // A 200 that is not what the contract says: a proxy's page, or an API of another version.
            throw new QuickTryException(response.StatusCode, "The API's answer is not what the contract describes.", e.Message, null, e);
        }
    }

    private static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json";
}
