using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery;
using QuickTry.Protocol;

namespace QuickTry.Api.Runs;

/// <summary>
/// Calls executors directly over HTTP (found by service discovery, e.g. <c>http://executor</c>): the path
/// when the run queue is off or Redis is down. An execute call that reached an executor is never retried:
/// a run is not idempotent, and a retry could run the user's code twice. Only an executor that answered
/// busy or could not be reached (nothing ran) passes the run to the next one.
/// </summary>
public sealed class ExecutorClient(HttpClient http, IOptions<ExecutorEndpointOptions> endpoints, ILogger<ExecutorClient> logger,
    ServiceEndpointResolver? resolver = null)
{
    /// <summary>
    /// Sends one run. Whatever goes wrong on the way (executor down, a connection reset, a timeout, a
    /// body that is not a result) is an answer, never an exception: the gateway turns it into a 503.
    /// </summary>
    /// <param name="plan">What the caller's plan asks of the sandbox (isolation, runtime), where it sets them.</param>
    public async Task<ExecutorAnswer> ExecuteAsync(RunRequest request, string client, PlanSandbox plan, CancellationToken cancellationToken)
    {
        ExecutorAnswer? answer = null;
        foreach (var executor in endpoints.Value.InTurn())
        {
            answer = await ExecuteOnAsync(executor, request, client, plan, cancellationToken);
            if (answer is not (ExecutorAnswer.Busy or ExecutorAnswer.Unavailable { Reached: false }))
            {
                break;
            }
        }
        return answer ?? new ExecutorAnswer.Unavailable(UnreachableRetryAfter);
    }

    private async Task<ExecutorAnswer> ExecuteOnAsync(Uri executor, RunRequest request, string client, PlanSandbox plan, CancellationToken cancellationToken)
    {
        var sent = false;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(executor, "/execute")) { Content = JsonContent.Create(request, options: ContractJson.Options) };
            RunHeaders.Write(message.Headers.Add, client, plan);
            sent = true;
            using var response = await http.SendAsync(message, cancellationToken);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    var result = await response.Content.ReadFromJsonAsync<RunResult>(ContractJson.Options, cancellationToken);
                    return result is null ? new ExecutorAnswer.Unavailable(TimeSpan.FromSeconds(1), Reached: true) : new ExecutorAnswer.Completed(result);
                case HttpStatusCode.BadRequest:
                    var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(ContractJson.Options, cancellationToken);
                    return new ExecutorAnswer.Invalid(problem?.Errors ?? new Dictionary<string, string[]>());
                case HttpStatusCode.ServiceUnavailable:
                    return new ExecutorAnswer.Busy(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                default:
                    logger.LogError("The executor answered {Status} to a run", (int)response.StatusCode);
                    return new ExecutorAnswer.Unavailable(UnreachableRetryAfter, Reached: true);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Did the run happen? If the executor died mid-run it may have, but no result exists to
            // report; the caller is told nothing ran for it (503) and is not billed.
            // Only a refused connection proves the run never reached it; anything later may have started it.
            var reached = sent && !(e is HttpRequestException { InnerException: System.Net.Sockets.SocketException });
            logger.LogWarning(e, "The executor {Executor} could not be reached or did not answer", executor);
            return new ExecutorAnswer.Unavailable(UnreachableRetryAfter, reached);
        }
    }

    private static readonly TimeSpan UnreachableRetryAfter = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts a live run on the first executor that takes it (WebSocket <c>/runs/live</c>): the answer is
    /// either an open socket whose run has <c>started</c>, or why it did not start (only a busy or
    /// unreachable executor passes the run to the next one, as for <see cref="ExecuteAsync"/>).
    /// </summary>
    /// <param name="first">Executors to try before the configured ones (those announcing themselves in the run queue).</param>
    public async Task<(LiveSocket? Socket, ExecutorAnswer? Refusal)> StartLiveAsync(
        RunRequest request, string client, PlanSandbox plan, bool interactive, IEnumerable<Uri> first, CancellationToken cancellationToken)
    {
        ExecutorAnswer refusal = new ExecutorAnswer.Unavailable(UnreachableRetryAfter);
        foreach (var executor in first.Concat(endpoints.Value.InTurn()).Distinct())
        {
            var (socket, answer) = await StartLiveOnAsync(executor, request, client, plan, interactive, cancellationToken);
            if (socket is not null)
            {
                return (socket, null);
            }
            refusal = answer!;
            if (refusal is not (ExecutorAnswer.Busy or ExecutorAnswer.Unavailable { Reached: false }))
            {
                break;
            }
        }
        return (null, refusal);
    }

    private async Task<(LiveSocket?, ExecutorAnswer?)> StartLiveOnAsync(
        Uri executor, RunRequest request, string client, PlanSandbox plan, bool interactive, CancellationToken cancellationToken)
    {
        var webSocket = new ClientWebSocket();
        var sent = false;
        try
        {
            RunHeaders.Write(webSocket.Options.SetRequestHeader, client, plan);
            var resolved = await ResolveAsync(executor, cancellationToken);
            var address = new UriBuilder(new Uri(resolved, "/runs/live"))
            {
                Scheme = resolved.Scheme == Uri.UriSchemeHttps ? "wss" : "ws",
                Query = interactive ? "interactive=true" : "",
            }.Uri;
            await webSocket.ConnectAsync(address, http, cancellationToken);
            var socket = new LiveSocket(webSocket, LiveMessageBytes);
            sent = true;
            await socket.SendAsync(request, cancellationToken);
            var first = await socket.ReceiveAsync<LiveMessage>(cancellationToken);
            switch (first)
            {
                case { Type: RunEventNames.Started }:
                    return (socket, null);
                case { Type: RunEventNames.Error, Status: StatusCodes.Status400BadRequest }:
                    webSocket.Dispose();
                    return (null, new ExecutorAnswer.Invalid(first.Errors ?? new Dictionary<string, string[]> { ["request"] = [first.Detail ?? first.Title ?? "Invalid."] }));
                case { Type: RunEventNames.Error, Status: StatusCodes.Status503ServiceUnavailable }:
                    webSocket.Dispose();
                    return (null, new ExecutorAnswer.Busy(TimeSpan.FromSeconds(first.RetryAfter ?? 1)));
                default:
                    webSocket.Dispose();
                    logger.LogError("The executor {Executor} opened a live run with {Type}", executor, first?.Type ?? "a close");
                    return (null, new ExecutorAnswer.Unavailable(UnreachableRetryAfter, Reached: true));
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            webSocket.Dispose();
            // Nothing is sent before the connection stands: only then may the run have reached it.
            logger.LogWarning(e, "The executor {Executor} could not start a live run", executor);
            return (null, new ExecutorAnswer.Unavailable(UnreachableRetryAfter, Reached: sent));
        }
        catch
        {
            webSocket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The executor's address as service discovery resolves it (<c>http://executor</c> to the URL the AppHost
    /// gave it). The HTTP client resolves such names itself, but by the request's scheme: a <c>ws://executor</c>
    /// request finds no endpoint of that scheme and goes to a host called "executor".
    /// </summary>
    private async Task<Uri> ResolveAsync(Uri executor, CancellationToken cancellationToken)
    {
        if (resolver is null)
        {
            return executor;
        }
        var found = await resolver.GetEndpointsAsync(executor.GetLeftPart(UriPartial.Authority), cancellationToken);
        var address = new UriBuilder(executor);
        switch (found.Endpoints.FirstOrDefault()?.EndPoint)
        {
            case UriEndPoint uri:
                (address.Scheme, address.Host, address.Port) = (uri.Uri.Scheme, uri.Uri.Host, uri.Uri.Port);
                break;
            case DnsEndPoint dns:
                address.Host = dns.Host;
                address.Port = dns.Port > 0 ? dns.Port : address.Port;
                break;
            case IPEndPoint ip:
                (address.Host, address.Port) = (ip.Address.ToString(), ip.Port);
                break;
        }
        return address.Uri;
    }

    /// <summary>The largest live message the gateway takes from an executor (a result with capped output).</summary>
    internal const int LiveMessageBytes = 16 * 1024 * 1024;

    /// <summary>The language list of the first executor that answers: the configured ones, then <paramref name="more"/>.</summary>
    public async Task<IReadOnlyList<LanguageInfo>> LanguagesAsync(CancellationToken cancellationToken, IEnumerable<Uri>? more = null)
    {
        var executors = endpoints.Value.InTurn().Concat(more ?? []).Distinct().ToList();
        for (var i = 0; ; i++)
        {
            try
            {
                return await http.GetFromJsonAsync<List<LanguageInfo>>(new Uri(executors[i], "/languages"), ContractJson.Options, cancellationToken) ?? [];
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && i + 1 < executors.Count && !cancellationToken.IsCancellationRequested)
            {
                logger.LogInformation("Executor {Executor} did not list languages ({Error}); asking the next", executors[i], e.Message);
            }
        }
    }
}

public abstract record ExecutorAnswer
{
    private ExecutorAnswer() { }

    public sealed record Completed(RunResult Result) : ExecutorAnswer;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : ExecutorAnswer;

    public sealed record Busy(TimeSpan RetryAfter) : ExecutorAnswer;

    /// <param name="Reached">Whether the run may have reached an executor (then no other executor is tried).</param>
    public sealed record Unavailable(TimeSpan RetryAfter, bool Reached = false) : ExecutorAnswer;
}
