using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Sessions;

namespace QuickTry.Executor.Sessions;

/// <summary>
/// The executor's session endpoints, called by the gateway (which owns who may reach which session, the
/// plans and the quotas). A session lives here for its whole life; its id is only valid on this executor.
/// </summary>
public static class ExecutorSessionApi
{
    public static RouteGroupBuilder MapExecutorSessionApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/sessions").WithTags("Sessions");
        group.MapPost("", CreateAsync).WithName("CreateSession");
        group.MapGet("/{id}", Describe).WithName("DescribeSession");
        group.MapDelete("/{id}", CloseAsync).WithName("CloseSession");
        group.MapPost("/{id}/run", RunAsync).WithName("RunInSession");
        group.MapGet("/{id}/files", ListFilesAsync).WithName("ListSessionFiles");
        group.MapGet("/{id}/files/{**path}", ReadFileAsync).WithName("ReadSessionFile");
        group.MapPut("/{id}/files/{**path}", WriteFileAsync).WithName("WriteSessionFile");
        return group;
    }

    public static async Task<IResult> CreateAsync(SessionRequest request, int? maxLifeSeconds, SessionService sessions,
        ExecutorIdentity identity, HttpContext context, CancellationToken cancellationToken)
    {
        if (!ExecutorRunApi.TryReadPlan(context.Request, out var client, out var plan, out var problem))
        {
            return TypedResults.Problem(problem!);
        }
        var answer = await sessions.CreateAsync(request, client, plan, maxLifeSeconds, identity.Name, cancellationToken);
        return answer is SessionAnswer<SessionInfo>.Done done
            ? TypedResults.Created($"/sessions/{done.Value.Id}", done.Value)
            : Refuse(answer, context);
    }

    public static IResult Describe(string id, SessionService sessions, ExecutorIdentity identity, HttpContext context) =>
        sessions.Describe(id, identity.Name) is var answer && answer is SessionAnswer<SessionInfo>.Done done ? TypedResults.Ok(done.Value) : Refuse(answer, context);

    public static async Task<IResult> CloseAsync(string id, SessionService sessions, HttpContext context)
    {
        var answer = await sessions.CloseAsync(id);
        return answer is SessionAnswer<bool>.Done ? TypedResults.NoContent() : Refuse(answer, context);
    }

    public static async Task<IResult> RunAsync(string id, SessionRunRequest request, SessionService sessions, ExecutorIdentity identity,
        HttpContext context, CancellationToken cancellationToken)
    {
        var answer = await sessions.RunAsync(id, request, identity.Name, cancellationToken);
        return answer is SessionAnswer<RunResult>.Done done ? TypedResults.Ok(done.Value) : Refuse(answer, context);
    }

    public static async Task<IResult> ListFilesAsync(string id, SessionService sessions, HttpContext context, CancellationToken cancellationToken)
    {
        var answer = await sessions.ListFilesAsync(id, cancellationToken);
        return answer is SessionAnswer<IReadOnlyList<SessionFile>>.Done done ? TypedResults.Ok(done.Value) : Refuse(answer, context);
    }

    public static async Task<IResult> ReadFileAsync(string id, string path, SessionService sessions, HttpContext context, CancellationToken cancellationToken)
    {
        if (SessionPathProblem(path) is { } invalid)
        {
            return invalid;
        }
        var answer = await sessions.ReadFileAsync(id, path, cancellationToken);
        return answer switch
        {
            SessionAnswer<FileRead>.Done { Value: FileRead.Found found } => TypedResults.File(found.Content, MimeTypes.Of(path)),
            SessionAnswer<FileRead>.Done { Value: FileRead.Missing } => TypedResults.Problem(
                title: "No such file in the session.", detail: $"'{path}' is not a file of the session.", statusCode: StatusCodes.Status404NotFound),
            SessionAnswer<FileRead>.Done { Value: FileRead.Outside } => OutsideProblem(path),
            SessionAnswer<FileRead>.Done => TypedResults.Problem(title: "The file is larger than the session's disk.", statusCode: StatusCodes.Status413PayloadTooLarge),
            _ => Refuse(answer, context),
        };
    }

    public static async Task<IResult> WriteFileAsync(string id, string path, SessionService sessions, HttpContext context, CancellationToken cancellationToken)
    {
        if (SessionPathProblem(path) is { } invalid)
        {
            return invalid;
        }
        // The body streams into the sandbox; the session's disk quota (its folder's size) bounds it there.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        var answer = await sessions.WriteFileAsync(id, path, context.Request.Body, cancellationToken);
        return answer switch
        {
            SessionAnswer<FileWrite>.Done { Value: FileWrite.Written } => TypedResults.NoContent(),
            SessionAnswer<FileWrite>.Done { Value: FileWrite.Outside } => OutsideProblem(path),
            SessionAnswer<FileWrite>.Done => TypedResults.Problem(title: "The session's disk quota is full.",
                detail: "The file does not fit in what is left of the session's disk; nothing was written.", statusCode: StatusCodes.Status413PayloadTooLarge,
                type: "https://quicktry.dev/problems/session-disk-full"),
            _ => Refuse(answer, context),
        };
    }

    private static IResult? SessionPathProblem(string path) => SessionPaths.IsValid(path)
        ? null
        : TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["path"] = [SessionPaths.Rule] }, title: "The file path is invalid.");

    private static IResult OutsideProblem(string path) => TypedResults.Problem(title: "The path leads outside the session's folder.",
        detail: $"'{path}' (or a folder on its way) is a link that points outside the session's files, or is a folder; nothing was read or written.",
        statusCode: StatusCodes.Status400BadRequest, type: "https://quicktry.dev/problems/session-path-outside");

    /// <summary>Every answer that is not the value, as the gateway reads it back: 400, 404, 409, 410 or 503.</summary>
    internal static IResult Refuse<T>(SessionAnswer<T> answer, HttpContext context)
    {
        switch (answer)
        {
            case SessionAnswer<T>.Invalid invalid:
                return TypedResults.ValidationProblem(invalid.Errors, title: "The session request is invalid.");
            case SessionAnswer<T>.NotFound:
                return TypedResults.Problem(title: "No such session.", statusCode: StatusCodes.Status404NotFound);
            case SessionAnswer<T>.Gone gone:
                return TypedResults.Problem(title: "The session has ended.", detail: gone.Detail, statusCode: StatusCodes.Status410Gone,
                    type: "https://quicktry.dev/problems/session-ended", extensions: new Dictionary<string, object?> { ["reason"] = gone.Reason });
            case SessionAnswer<T>.Busy busy:
                context.Response.Headers.RetryAfter = Seconds(busy.RetryAfter);
                return TypedResults.Problem(title: "Another call of the session is in progress.", statusCode: StatusCodes.Status409Conflict,
                    detail: "A session takes one call at a time. Retry after the time in Retry-After.");
            case SessionAnswer<T>.Unavailable unavailable:
                context.Response.Headers.RetryAfter = Seconds(unavailable.RetryAfter);
                return TypedResults.Problem(title: "The executor cannot serve the session now.", statusCode: StatusCodes.Status503ServiceUnavailable,
                    detail: $"Nothing happened: {unavailable.Reason}. Retry after the time in Retry-After.", type: "https://quicktry.dev/problems/unavailable");
            default:
                throw new InvalidOperationException($"Unexpected answer {answer.GetType().Name}.");
        }
    }

    private static string Seconds(TimeSpan span) => ((int)Math.Ceiling(span.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
