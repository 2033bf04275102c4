using System.Diagnostics;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Queue;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;
using QuickTry.Api.Telemetry;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Asynchronous runs: <c>POST /submissions</c> (and <c>/submissions/batch</c>) answer 202 with an id at once;
/// <c>GET /submissions/{id}</c> (or <c>?ids=</c>) shows queued, running, done with the result, expired, or
/// lost. The same validation, rate limits, quotas and plans as <c>/run</c>; they wait in their own lane,
/// behind synchronous runs. Each caller sees only its own submissions.
/// </summary>
public static class SubmissionsApi
{
    public static RouteGroupBuilder MapSubmissionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/submissions").WithTags("Submissions").RequirePerClientRateLimit();
        group.AddEndpointFilter<RateLimitHeadersFilter>();
        group.MapPost("", SubmitAsync)
            .WithName("Submit")
            .WithSummary("Queues a run and answers 202 with its id; the result is read later or sent to callbackUrl.")
            .WithRequestBody<SubmissionRequest>()
            .Produces<SubmissionView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/batch", SubmitBatchAsync)
            .WithName("SubmitBatch")
            .WithSummary("Queues several runs at once (all or none) and answers 202 with their ids.")
            .WithRequestBody<SubmissionBatch>()
            .Produces<SubmissionView[]>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id}", GetAsync)
            .WithName("GetSubmission")
            .WithSummary("A submission's status, and its result once done.")
            .Produces<SubmissionView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("", GetManyAsync)
            .WithName("GetSubmissions")
            .WithSummary("Several submissions by id (?ids=a,b,c); unknown ids come back with status not_found.")
            .Produces<SubmissionView[]>();
        return group;
    }

    public static async Task<IResult> SubmitAsync(HttpContext context, RunRequestReader reader, SubmissionDesk desk, CancellationToken cancellationToken)
    {
        var (request, error) = await reader.ReadAsync<SubmissionRequest>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var (views, refusal) = await desk.SubmitAsync(context, [request!], cancellationToken);
        if (views is null)
        {
            return refusal!.ToResult(context.Response);
        }
        return TypedResults.Accepted($"/submissions/{views[0].Id}", views[0]);
    }

    public static async Task<IResult> SubmitBatchAsync(
        HttpContext context, RunRequestReader reader, SubmissionDesk desk, IOptions<SubmissionOptions> options, CancellationToken cancellationToken)
    {
        var (batch, error) = await reader.ReadAsync<SubmissionBatch>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var requests = batch!.Submissions ?? [];
        if (requests.Count == 0 || requests.Count > options.Value.MaxBatch || requests.Any(r => r is null))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["submissions"] = [$"Send 1 to {options.Value.MaxBatch} submissions (got {requests.Count})."] },
                title: "The batch is invalid.");
        }
        var (views, refusal) = await desk.SubmitAsync(context, requests!, cancellationToken);
        return views is null ? refusal!.ToResult(context.Response) : TypedResults.Json(views, statusCode: StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> GetAsync(string id, HttpContext context, SubmissionDesk desk)
    {
        var (view, unreachable) = await desk.GetAsync(context, id);
        return unreachable ? Unreadable(context) : view is null ? NotFound(id) : TypedResults.Ok(view);
    }

    public static async Task<IResult> GetManyAsync(string? ids, HttpContext context, SubmissionDesk desk, IOptions<SubmissionOptions> options)
    {
        var list = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();
        if (list.Count == 0 || list.Count > options.Value.MaxBatch)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["ids"] = [$"Send 1 to {options.Value.MaxBatch} comma-separated ids."] }, title: "The query is invalid.");
        }
        var views = new List<SubmissionView>();
        foreach (var id in list)
        {
            var (view, unreachable) = await desk.GetAsync(context, id);
            if (unreachable)
            {
                return Unreadable(context);
            }
            views.Add(view ?? new SubmissionView { Id = id, Status = SubmissionStatus.NotFound });
        }
        return TypedResults.Ok(views);
    }

    private static IResult Unreadable(HttpContext context) =>
        Refusal.Unavailable(TimeSpan.FromSeconds(5), "Submissions cannot be read right now.").ToResult(context.Response);

    private static IResult NotFound(string id) => TypedResults.Problem(
        title: "No such submission.",
        detail: $"No submission '{(id.Length > 40 ? id[..40] + "…" : id)}' of this client exists; results are kept for a limited time.",
        statusCode: StatusCodes.Status404NotFound);
}

/// <summary>
/// Accepts submissions (gate, callback check, quota, atomic admission of the whole batch) and reads them
/// back for their owner.
/// </summary>
public sealed class SubmissionDesk(
    RunGate gate,
    RunDispatcher dispatcher,
    RedisRunQueue queue,
    RunReplies replies,
    AcceptedSubmissionCheck acceptedCheck,
    IOptions<SubmissionOptions> options,
    IOptions<ClientOptions> clients,
    TimeProvider time,
    ILogger<SubmissionDesk> logger)
{
    public async Task<(IReadOnlyList<SubmissionView>? Views, Refusal? Refusal)> SubmitAsync(
        HttpContext context, IReadOnlyList<SubmissionRequest> requests, CancellationToken cancellationToken)
    {
        var client = context.Client();
        Activity.Current?.SetTag("quicktry.client", client.DisplayName);
        if (!dispatcher.QueueAvailable)
        {
            // Submissions live in the queue; without Redis there is nowhere to keep them.
            return (null, Refusal.Unavailable(TimeSpan.FromSeconds(5), "Submissions are unavailable: the run queue cannot be reached."));
        }
        var settings = options.Value;
        var secret = client.HasApiKey
            ? clients.Value.ApiKeys.FirstOrDefault(k => k.Name == client.DisplayName)?.CallbackSecret
            : null;
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i].CallbackUrl is not { } url)
            {
                continue;
            }
            var problem = string.IsNullOrEmpty(secret)
                ? "Callbacks need an API key with a callback secret (Clients:ApiKeys:N:CallbackSecret) to sign them."
                : await CallbackAddresses.CheckAsync(url, settings.CallbackAllowedHosts, cancellationToken);
            if (problem is not null)
            {
                return (null, Refusal.Invalid(
                    new Dictionary<string, string[]> { [requests.Count == 1 ? "callbackUrl" : $"submissions[{i}].callbackUrl"] = [problem] },
                    "The submission is invalid."));
            }
        }

        var tickets = new List<(string Id, RunTicket Ticket, string? Callback)>();
        async Task RefundAllAsync()
        {
            foreach (var (_, ticket, _) in tickets)
            {
                await gate.SettleAsync(ticket.Reservation, null);
            }
        }
        foreach (var request in requests)
        {
            var (ticket, refusal) = await gate.PassAsync(client, request, cancellationToken);
            if (ticket is null)
            {
                await RefundAllAsync();
                return (null, refusal);
            }
            tickets.Add((Guid.CreateVersion7().ToString("N"), ticket, request.CallbackUrl));
        }

        QueueAdmission admission;
        try
        {
            using var enqueue = ApiTelemetry.Source.StartActivity("queue.enqueue", ActivityKind.Producer);
            admission = await queue.AdmitAsync(RunLane.Async, tickets.Select(t => new NewRun(
                RunDispatcher.ToEntry(t.Id, t.Ticket.Request, client, time), client.DisplayName,
                settings.StartTimeoutSeconds * 1000L, settings.ResultTtlSeconds * 1000L, replies.Channel, t.Callback,
                RunGate.Settlement(t.Ticket.Reservation))).ToList());
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            logger.LogWarning("Submissions could not be queued ({Error})", e.Message);
            admission = new QueueAdmission.NoExecutor();
        }
        if (admission is not QueueAdmission.Admitted)
        {
            await RefundAllAsync();
            return (null, admission is QueueAdmission.Full
                ? Refusal.Unavailable(TimeSpan.FromSeconds(2), "The executors are busy.")
                : Refusal.Unavailable(TimeSpan.FromSeconds(5), "No executor is available."));
        }
        acceptedCheck.Watch(tickets.Select(t => new AcceptedSubmission(
            t.Id, client.DisplayName, settings.ResultTtlSeconds * 1000L, t.Callback, RunGate.Settlement(t.Ticket.Reservation))));
        return (tickets.Select(t => new SubmissionView { Id = t.Id, Status = SubmissionStatus.Queued }).ToList(), null);
    }

    /// <summary>
    /// The caller's submission: null when there is none (or it is another client's); <c>Unreachable</c>
    /// when Redis could not be read (answered as 503).
    /// </summary>
    public async Task<(SubmissionView? View, bool Unreachable)> GetAsync(HttpContext context, string id)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            return (null, false);
        }
        try
        {
            var record = await queue.GetAsync(id);
            if (record is null && await acceptedCheck.RecordIfLostAsync(id))
            {
                record = await queue.GetAsync(id);
            }
            return (record is null || record.Client != context.Client().DisplayName ? null : SubmissionViews.From(record), false);
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return (null, true);
        }
    }
}
