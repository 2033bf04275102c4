using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Quotas;
using QuickTry.Api.Runs;
using QuickTry.Api.Telemetry;
using QuickTry.Protocol;
using QuickTry.RunQueue;

namespace QuickTry.Api.Sessions;

/// <summary>
/// Sessions at the gateway: who may open one (the plan's count, the quota), which executor holds it, and
/// every later call sent to that executor wherever this replica is. A session whose executor stopped or
/// restarted is <c>410</c> with the reason; a call that could not reach it while it lives is <c>503</c>.
/// Runs are billed as runs; held time as <see cref="GatewaySessionOptions.HeldTimePercent"/> of run time.
/// </summary>
public sealed class SessionGateway(
    SessionDirectory directory,
    HttpClient http,
    RedisRunQueue queue,
    IOptions<ExecutorEndpointOptions> endpoints,
    RunGate gate,
    IQuotaStore quotas,
    IOptions<GatewaySessionOptions> options,
    IHttpContextAccessor httpContext,
    TimeProvider time,
    ILogger<SessionGateway> logger)
{
    /// <summary>
    /// Book-keeping that need not hold up the answer (settling a run's reservation, billing held time, the
    /// session's last use): after the response is sent, or now outside a request.
    /// </summary>
    private Task AfterResponseAsync(Func<Task> work)
    {
        if (httpContext.HttpContext?.Response is { HasStarted: false } response)
        {
            response.OnCompleted(work);
            return Task.CompletedTask;
        }
        return work();
    }

    private static readonly TimeSpan UnreachableRetryAfter = TimeSpan.FromSeconds(5);

    public async Task<SessionCall<SessionInfo>> CreateAsync(ClientIdentity client, SessionRequest request, CancellationToken cancellationToken)
    {
        if (!directory.Available)
        {
            return Unreachable<SessionInfo>("Sessions need the gateway's Redis, which is not reachable.");
        }
        var plan = client.Plan;
        if (plan.MaxSessions == 0)
        {
            return new(Refusal: new Refusal(StatusCodes.Status403Forbidden, "This client's plan has no sessions.",
                $"Plan '{client.PlanName}' allows no sessions; use POST /run, or a key whose plan allows them."));
        }
        var open = await OpenAsync(client);
        if (open.Count >= plan.MaxSessions)
        {
            var soonest = open.Min(s => s.ExpiresAt) - time.GetUtcNow();
            return new(Refusal: new Refusal(StatusCodes.Status429TooManyRequests, "Too many open sessions.",
                $"Plan '{client.PlanName}' allows {plan.MaxSessions} open sessions at once. Close one (DELETE /sessions/{{id}}) or retry when one expires.",
                soonest > TimeSpan.Zero ? soonest : TimeSpan.FromSeconds(1), Type: "https://quicktry.dev/problems/too-many-sessions"));
        }
        // A client whose quota is used up may not open what it could not run in.
        var decision = await quotas.ReserveAsync(client, 1, cancellationToken);
        if (decision is QuotaDecision.Exhausted exhausted)
        {
            return new(Refusal: new Refusal(StatusCodes.Status429TooManyRequests, $"Quota exhausted: {exhausted.What}.",
                $"This client's {exhausted.What} quota for the current window is used up. It resets in {Refusal.Seconds(exhausted.Usage.ResetsIn)} s.",
                exhausted.Usage.ResetsIn, Type: "https://quicktry.dev/problems/quota-exhausted"));
        }
        await quotas.SettleAsync(((QuotaDecision.Granted)decision).Reservation, 0, countRun: false, CancellationToken.None);

        Refusal? refusal = null;
        foreach (var (executor, name) in await CandidatesAsync())
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(executor, $"/sessions?maxLifeSeconds={plan.MaxSessionLifeSeconds}"))
            {
                Content = JsonContent.Create(request, options: ContractJson.Options),
            };
            RunHeaders.Write(message.Headers.Add, client.DisplayName, plan.Sandbox);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                logger.LogInformation("Executor {Executor} could not open a session ({Error}); asking the next", executor, e.Message);
                refusal = Refusal.Unavailable(UnreachableRetryAfter, "No executor could open the session.");
                continue;
            }
            using (response)
            {
                SessionInfo? info = null;
                try
                {
                    info = response.StatusCode == HttpStatusCode.Created
                        ? await response.Content.ReadFromJsonAsync<SessionInfo>(ContractJson.Options, cancellationToken)
                        : null;
                }
                catch (JsonException e)
                {
                    logger.LogWarning("Executor {Executor} opened a session but its answer could not be read ({Error})", executor, e.Message);
                }
                if (info is not null)
                {
                    var now = time.GetUtcNow();
                    // Only an executor found in the run queue can later be told dead by its missing heartbeat.
                    var record = new SessionRecord(info.Id, client.Id, executor.ToString(), name, info.Lang, info.Version,
                        info.IdleTimeoutSeconds, info.EndsAt, now, now);
                    try
                    {
                        await directory.AddAsync(record);
                    }
                    catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
                    {
                        // Nobody could reach a session the directory does not know: it is closed again.
                        await SendAsync(record, HttpMethod.Delete, $"/sessions/{info.Id}", null, CancellationToken.None);
                        return Unreachable<SessionInfo>("Sessions need the gateway's Redis, which did not answer.");
                    }
                    Activity.Current?.SetTag("quicktry.session.id", info.Id);
                    return new(info with { Executor = info.Executor });
                }
                refusal = RefusalOf(response, await ProblemOfAsync(response, cancellationToken));
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    return new(Refusal: refusal);
                }
            }
        }
        return new(Refusal: refusal ?? Refusal.Unavailable(UnreachableRetryAfter, "No executor could open the session."));
    }

    public async Task<SessionCall<SessionInfo>> DescribeAsync(ClientIdentity client, string id, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        return record is null ? new(Refusal: refused) : await CallAsync<SessionInfo>(client, record, HttpMethod.Get, $"/sessions/{id}", null, cancellationToken);
    }

    public async Task<SessionCall<RunResult>> RunAsync(ClientIdentity client, string id, SessionRunRequest request, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        if (record is null)
        {
            return new(Refusal: refused);
        }
        // Validated, limited and priced as any run of the session's language.
        var (ticket, refusal) = await gate.PassAsync(client, new RunRequest
        {
            Lang = record.Lang,
            Version = record.Version == LanguageVersions.Unknown ? null : record.Version,
            Code = request.Code,
            Stdin = request.Stdin,
            Args = request.Args,
            Files = request.Files,
            Limits = request.Limits,
        }, cancellationToken);
        if (ticket is null)
        {
            return new(Refusal: refusal);
        }
        SessionCall<RunResult>? call = null;
        try
        {
            call = await CallAsync<RunResult>(client, record, HttpMethod.Post, $"/sessions/{id}/run",
                JsonContent.Create(request, options: ContractJson.Options), cancellationToken);
            return call;
        }
        finally
        {
            var result = call?.Value;
            await AfterResponseAsync(() => gate.SettleAsync(ticket.Reservation, result));
        }
    }

    public async Task<SessionCall<IReadOnlyList<SessionFile>>> ListFilesAsync(ClientIdentity client, string id, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        return record is null ? new(Refusal: refused) : await CallAsync<IReadOnlyList<SessionFile>>(client, record, HttpMethod.Get, $"/sessions/{id}/files", null, cancellationToken);
    }

    public async Task<SessionCall<FileContent>> ReadFileAsync(ClientIdentity client, string id, string path, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        return record is null ? new(Refusal: refused) : await CallAsync<FileContent>(client, record, HttpMethod.Get, FilePath(id, path), null, cancellationToken);
    }

    public async Task<SessionCall<bool>> WriteFileAsync(ClientIdentity client, string id, string path, Stream content, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        return record is null ? new(Refusal: refused) : await CallAsync<bool>(client, record, HttpMethod.Put, FilePath(id, path), new StreamContent(content), cancellationToken);
    }

    public async Task<SessionCall<bool>> CloseAsync(ClientIdentity client, string id, CancellationToken cancellationToken)
    {
        var (record, refused) = await FindAsync(client, id);
        if (record is null)
        {
            return new(Refusal: refused);
        }
        var call = await CallAsync<bool>(client, record, HttpMethod.Delete, $"/sessions/{id}", null, cancellationToken);
        if (call.Refusal is null)
        {
            await EndAsync(client, record, SessionEndReasons.Closed, "Its caller closed it.");
        }
        return call;
    }

    private static string FilePath(string id, string path) =>
        $"/sessions/{id}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary>The caller's own session, or 404 (someone else's looks like none) or 410 (ended, and why).</summary>
    private async Task<(SessionRecord?, Refusal?)> FindAsync(ClientIdentity client, string id)
    {
        Activity.Current?.SetTag("quicktry.session.id", id);
        if (!directory.Available)
        {
            return (null, Refusal.Unavailable(UnreachableRetryAfter, "Sessions need the gateway's Redis, which is not reachable."));
        }
        SessionRecord? record;
        try
        {
            record = await directory.GetAsync(id);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return (null, Refusal.Unavailable(UnreachableRetryAfter, "Sessions need the gateway's Redis, which did not answer."));
        }
        if (record is null || record.ClientId != client.Id)
        {
            return (null, new Refusal(StatusCodes.Status404NotFound, "No such session.", $"No session '{id}' belongs to this client."));
        }
        if (record.Ended is { } reason)
        {
            return (null, Gone(reason, record.Detail));
        }
        return (record, null);
    }

    /// <summary>
    /// One call to the executor holding the session: its held time billed first, the answer read, and what
    /// the executor says of the session's end written down for every replica.
    /// </summary>
    private async Task<SessionCall<T>> CallAsync<T>(ClientIdentity client, SessionRecord record, HttpMethod method, string path, HttpContent? content,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await AfterResponseAsync(() => ChargeHeldAsync(client, record, now));
        var (response, failure) = await SendAsync(record, method, path, content, cancellationToken);
        if (response is null)
        {
            return new(Refusal: await UnreachableAsync(client, record, failure!));
        }
        using (response)
        {
            try
            {
                if (response.IsSuccessStatusCode)
                {
                    var value = await ValueAsync<T>(response, cancellationToken);
                    await AfterResponseAsync(() => TouchAsync(record));
                    return new(value);
                }
                var problem = await ProblemOfAsync(response, cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.NotFound when problem?.Title == NoSuchSession:
                        // The executor does not know it: it restarted, and its sandboxes went with it.
                        return new(Refusal: await EndAsync(client, record, SessionEndReasons.ExecutorStopped,
                            "The executor holding it restarted, and the session's sandbox went with it."));
                    case HttpStatusCode.Gone:
                        var reason = problem?.Extensions.TryGetValue("reason", out var named) == true ? named?.ToString() : null;
                        return new(Refusal: await EndAsync(client, record, reason ?? SessionEndReasons.SandboxFailed, problem?.Detail ?? "It ended."));
                    default:
                        return new(Refusal: RefusalOf(response, problem));
                }
            }
            catch (Exception e) when (e is JsonException or IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning("Session {SessionId}: the executor's answer could not be read ({Error})", record.Id, e.Message);
                return new(Refusal: Refusal.Unavailable(UnreachableRetryAfter, "The executor holding the session sent an answer that could not be read."));
            }
        }
    }

    /// <summary>The executor's title for a session it does not know (see the executor's session endpoints).</summary>
    private const string NoSuchSession = "No such session.";

    private static async Task<T> ValueAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (typeof(T) == typeof(bool))
        {
            return (T)(object)true;
        }
        if (typeof(T) == typeof(FileContent))
        {
            return (T)(object)new FileContent(await response.Content.ReadAsByteArrayAsync(cancellationToken),
                response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream");
        }
        return (await response.Content.ReadFromJsonAsync<T>(ContractJson.Options, cancellationToken))!;
    }

    private async Task<(HttpResponseMessage?, Exception?)> SendAsync(SessionRecord record, HttpMethod method, string path, HttpContent? content,
        CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(method, new Uri(new Uri(record.Executor), path)) { Content = content };
            return (await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken), null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Session {SessionId}: its executor {Executor} did not answer ({Error})", record.Id, record.Executor, e.Message);
            return (null, e);
        }
    }

    /// <summary>
    /// The executor holding the session did not answer: if it no longer announces itself in the run queue it
    /// stopped, and the session with it (410); otherwise it may be busy or restarting (503, nothing happened
    /// that the caller is billed for).
    /// </summary>
    private async Task<Refusal> UnreachableAsync(ClientIdentity client, SessionRecord record, Exception failure)
    {
        if (record.ExecutorName is { } name && queue.IsConnected)
        {
            try
            {
                var live = await queue.LiveExecutorsAsync();
                if (live.All(e => e.Identity != name))
                {
                    return await EndAsync(client, record, SessionEndReasons.ExecutorStopped, "The executor holding it stopped, and its sandbox with it.");
                }
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                // Cannot tell: the caller retries.
            }
        }
        return Refusal.Unavailable(UnreachableRetryAfter, "The executor holding the session did not answer: " + failure.Message);
    }

    private async Task<Refusal> EndAsync(ClientIdentity client, SessionRecord record, string reason, string detail)
    {
        try
        {
            await directory.EndAsync(record, reason, detail);
            await ChargeHeldAsync(client, record, record.ExpiresAt < time.GetUtcNow() ? record.ExpiresAt : time.GetUtcNow());
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            logger.LogDebug("Session {SessionId}: its end could not be written ({Error})", record.Id, e.Message);
        }
        return Gone(reason, detail);
    }

    private static Refusal Gone(string reason, string? detail) =>
        new(StatusCodes.Status410Gone, "The session has ended.", detail, Type: "https://quicktry.dev/problems/session-ended", Reason: reason);

    private async Task TouchAsync(SessionRecord record)
    {
        try
        {
            await directory.TouchAsync(record.Id);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            logger.LogDebug("Session {SessionId}: its last use could not be written ({Error})", record.Id, e.Message);
        }
    }

    /// <summary>Bills the session's held time up to <paramref name="until"/> that no call billed yet.</summary>
    private async Task ChargeHeldAsync(ClientIdentity client, SessionRecord record, DateTimeOffset until)
    {
        var percent = options.Value.HeldTimePercent;
        long held;
        try
        {
            held = percent == 0 ? 0 : await directory.TakeHeldAsync(record, until);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return;
        }
        var chargeMs = held * percent / 100;
        if (chargeMs <= 0)
        {
            return;
        }
        // A used-up quota refuses the next run, not this.
        if (await quotas.ReserveAsync(client, chargeMs, CancellationToken.None) is QuotaDecision.Granted granted)
        {
            await quotas.SettleAsync(granted.Reservation, chargeMs, countRun: false, CancellationToken.None);
        }
        Activity.Current?.SetTag("quicktry.session.held_ms_billed", chargeMs);
    }

    /// <summary>
    /// The client's sessions that are open; those the gateway finds ended, expired, or on an executor that no
    /// longer heartbeats are written down as such (a crashed executor's sessions do not hold the plan's count).
    /// </summary>
    private async Task<List<SessionRecord>> OpenAsync(ClientIdentity client)
    {
        var now = time.GetUtcNow();
        var open = new List<SessionRecord>();
        HashSet<string>? live = null;
        foreach (var record in await directory.OpenAsync(client))
        {
            if (record.Ended is not null)
            {
                continue;
            }
            if (record.ExecutorName is { } name && (live ??= await LiveExecutorNamesAsync()) is { Count: > 0 } known && !known.Contains(name))
            {
                await EndAsync(client, record, SessionEndReasons.ExecutorStopped, "The executor holding it stopped, and its sandbox with it.");
                continue;
            }
            if (record.ExpiresAt < now)
            {
                await EndAsync(client, record, record.EndsAt <= now ? SessionEndReasons.MaxLife : SessionEndReasons.IdleTimeout,
                    record.EndsAt <= now ? "It reached its maximum life." : $"No call came within its idle timeout ({record.IdleTimeoutSeconds} s).");
                continue;
            }
            open.Add(record);
        }
        return open;
    }

    /// <summary>The executors heartbeating in the run queue now; empty when that cannot be told (no queue, Redis failing).</summary>
    private async Task<HashSet<string>> LiveExecutorNamesAsync()
    {
        try
        {
            return queue.IsConnected ? [.. (await queue.LiveExecutorsAsync()).Select(e => e.Identity)] : [];
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return [];
        }
    }

    private async Task<IReadOnlyList<(Uri Url, string? Name)>> CandidatesAsync()
    {
        var candidates = new List<(Uri, string?)>();
        if (queue.IsConnected)
        {
            try
            {
                foreach (var offer in (await queue.LiveExecutorsAsync()).Where(e => e.Capacity > 0).OrderBy(_ => Random.Shared.Next()))
                {
                    if (Uri.TryCreate(offer.Url, UriKind.Absolute, out var url) && url.Host is not ("0.0.0.0" or "[::]"))
                    {
                        candidates.Add((url, offer.Identity));
                    }
                }
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                // The configured executors below.
            }
        }
        foreach (var url in endpoints.Value.InTurn())
        {
            if (candidates.All(c => c.Item1 != url))
            {
                candidates.Add((url, null));
            }
        }
        return candidates;
    }

    /// <summary>The executor's problem document, read once; null when the body is not one.</summary>
    private static async Task<HttpValidationProblemDetails?> ProblemOfAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>(ContractJson.Options, cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The executor's refusal as the gateway's own: its 4xx (400, 404, 409, 413) and 503 pass on with their
    /// words; anything else the executor answered is a failure behind the gateway (503), never a 500.
    /// </summary>
    private static Refusal RefusalOf(HttpResponseMessage response, HttpValidationProblemDetails? problem)
    {
        var status = (int)response.StatusCode;
        if (status is < 400 or (>= 500 and not 503))
        {
            return Refusal.Unavailable(UnreachableRetryAfter, "The executor holding the session failed.");
        }
        return new Refusal(status, problem?.Title ?? "The executor refused the call.", problem?.Detail,
            response.Headers.RetryAfter?.Delta ?? (status is 409 or 503 ? TimeSpan.FromSeconds(1) : null),
            problem?.Errors is { Count: > 0 } errors ? errors : null, problem?.Type);
    }

    private static SessionCall<T> Unreachable<T>(string title) => new(Refusal: Refusal.Unavailable(UnreachableRetryAfter, title));
}

/// <summary>A session call's value, or why there is none.</summary>
public sealed record SessionCall<T>(T? Value = default, Refusal? Refusal = null);

/// <summary>A session file's bytes and media type.</summary>
public sealed record FileContent(byte[] Content, string ContentType);
