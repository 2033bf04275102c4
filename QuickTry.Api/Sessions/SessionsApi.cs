using Microsoft.AspNetCore.Http.Features;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Runs;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Sessions;

/// <summary>
/// <c>/sessions</c>: a sandbox of the caller's own whose files (and, for Python, state) last between runs.
/// Each call reaches the executor holding the session; an ended session answers 410 with the reason.
/// </summary>
public static class SessionsApi
{
    public static RouteGroupBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sessions").WithTags("Sessions").RequirePerClientRateLimit();
        group.AddEndpointFilter<RateLimitHeadersFilter>();
        group.MapPost("", CreateAsync)
            .WithName("CreateSession")
            .WithSummary("Opens a session: a sandbox of the caller's own that keeps its files between runs.")
            .WithRequestBody<SessionRequest>()
            .Produces<SessionInfo>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id}", DescribeAsync).WithName("DescribeSession").WithSummary("Describes an open session.")
            .Produces<SessionInfo>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        group.MapDelete("/{id}", CloseAsync).WithName("CloseSession").WithSummary("Closes a session; its sandbox is removed.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status410Gone);
        group.MapPost("/{id}/run", RunAsync)
            .WithName("RunInSession")
            .WithSummary("Runs code in the session's sandbox, beside its files; answers a run's result.")
            .WithRequestBody<SessionRunRequest>()
            .Produces<RunResult>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapGet("/{id}/files", ListFilesAsync).WithName("ListSessionFiles").WithSummary("Lists the session's files (path, size).")
            .Produces<IReadOnlyList<SessionFile>>().ProducesProblem(StatusCodes.Status410Gone);
        group.MapGet("/{id}/files/{**path}", ReadFileAsync).WithName("ReadSessionFile").WithSummary("Reads one of the session's files.")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream").ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);
        group.MapPut("/{id}/files/{**path}", WriteFileAsync).WithName("WriteSessionFile")
            .WithSummary("Writes one of the session's files from the raw request body.")
            .Produces(StatusCodes.Status204NoContent).ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status410Gone);
        return group;
    }

    public static async Task<IResult> CreateAsync(HttpContext context, RunRequestReader reader, SessionGateway sessions, CancellationToken cancellationToken)
    {
        var (request, error) = await reader.ReadAsync<SessionRequest>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        var call = await sessions.CreateAsync(context.Client(), request!, cancellationToken);
        return call.Value is { } info ? TypedResults.Created($"/sessions/{info.Id}", info) : call.Refusal!.ToResult(context.Response);
    }

    public static async Task<IResult> DescribeAsync(string id, HttpContext context, SessionGateway sessions, CancellationToken cancellationToken) =>
        Answer(await sessions.DescribeAsync(context.Client(), id, cancellationToken), context, TypedResults.Ok);

    public static async Task<IResult> CloseAsync(string id, HttpContext context, SessionGateway sessions, CancellationToken cancellationToken) =>
        Answer(await sessions.CloseAsync(context.Client(), id, cancellationToken), context, _ => TypedResults.NoContent());

    public static async Task<IResult> RunAsync(string id, HttpContext context, RunRequestReader reader, SessionGateway sessions,
        CancellationToken cancellationToken)
    {
        var (request, error) = await reader.ReadAsync<SessionRunRequest>(context.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        return Answer(await sessions.RunAsync(context.Client(), id, request!, cancellationToken), context, TypedResults.Ok);
    }

    public static async Task<IResult> ListFilesAsync(string id, HttpContext context, SessionGateway sessions, CancellationToken cancellationToken) =>
        Answer(await sessions.ListFilesAsync(context.Client(), id, cancellationToken), context, TypedResults.Ok);

    public static async Task<IResult> ReadFileAsync(string id, string path, HttpContext context, SessionGateway sessions, CancellationToken cancellationToken)
    {
        if (!SessionPaths.IsValid(path))
        {
            return InvalidPath(context);
        }
        return Answer(await sessions.ReadFileAsync(context.Client(), id, path, cancellationToken), context,
            file => TypedResults.File(file.Content, file.ContentType));
    }

    public static async Task<IResult> WriteFileAsync(string id, string path, HttpContext context, SessionGateway sessions,
        Microsoft.Extensions.Options.IOptions<GatewaySessionOptions> options, CancellationToken cancellationToken)
    {
        if (!SessionPaths.IsValid(path))
        {
            return InvalidPath(context);
        }
        var max = options.Value.MaxFileBytes;
        if (context.Request.ContentLength > max)
        {
            return TooLarge(context, max);
        }
        // The body streams on to the executor; past the bound the server stops reading it (and the write fails).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = max;
        }
        try
        {
            return Answer(await sessions.WriteFileAsync(context.Client(), id, path, context.Request.Body, cancellationToken), context,
                _ => TypedResults.NoContent());
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(context, max);
        }
    }

    private static IResult InvalidPath(HttpContext context) =>
        Refusal.Invalid(new Dictionary<string, string[]> { ["path"] = [SessionPaths.Rule] }, "The file path is invalid.").ToResult(context.Response);

    private static IResult TooLarge(HttpContext context, long max) =>
        new Refusal(StatusCodes.Status413PayloadTooLarge, "The file is too large.",
            $"A session file may be at most {max} bytes (Gateway:Sessions:MaxFileBytes).").ToResult(context.Response);

    private static IResult Answer<T>(SessionCall<T> call, HttpContext context, Func<T, IResult> value) =>
        call.Refusal is { } refusal ? refusal.ToResult(context.Response) : value(call.Value!);
}
