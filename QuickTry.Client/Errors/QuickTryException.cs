using System.Net;
using System.Text.Json;

namespace QuickTry.Client;

/// <summary>
/// The API refused a call: its status code and the problem details (RFC 9457) it answered with. Subclasses
/// name the refusals a caller acts on: <see cref="QuickTryValidationException"/> (400),
/// <see cref="QuickTryUnauthorizedException"/> (401), <see cref="QuickTryRequestTooLargeException"/> (413),
/// and the two that say when to try again, <see cref="QuickTryRateLimitedException"/> (429) and
/// <see cref="QuickTryUnavailableException"/> (503). Any other refusal is this class itself.
/// </summary>
public class QuickTryException : Exception
{
    /// <summary>A refusal with the API's status and problem details.</summary>
    /// <param name="statusCode">The HTTP status the API answered.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    /// <param name="innerException">What caused it, if anything.</param>
    public QuickTryException(HttpStatusCode statusCode, string? title, string? detail, string? type, Exception? innerException = null)
        : base(MessageOf(statusCode, title, detail), innerException)
    {
        StatusCode = statusCode;
        Title = title;
        Detail = detail;
        Type = type;
    }

    /// <summary>The HTTP status the API answered.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The problem's title: what went wrong, in a sentence.</summary>
    public string? Title { get; }

    /// <summary>The problem's detail: this occurrence, e.g. the limit that was passed.</summary>
    public string? Detail { get; }

    /// <summary>The problem's type URI, e.g. <c>https://quicktry.dev/problems/quota-exhausted</c>; null where the API gave none.</summary>
    public string? Type { get; }

    private static string MessageOf(HttpStatusCode statusCode, string? title, string? detail) =>
        $"QuickTry answered {(int)statusCode}: {title ?? statusCode.ToString()}{(string.IsNullOrEmpty(detail) ? "" : " " + detail)}";

    /// <summary>The exception for an answer that is not a success: its problem details read defensively (any body, or none, is possible).</summary>
    internal static async Task<QuickTryException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var problem = await ReadProblemAsync(response, cancellationToken);
        return From(response.StatusCode, problem.Title ?? response.ReasonPhrase, problem.Detail, problem.Type, problem.Errors, RetryAfterOf(response));
    }

    /// <summary>The exception for a refusal with this status (an HTTP answer, or an interactive run's <c>error</c> message).</summary>
    internal static QuickTryException From(HttpStatusCode status, string? title, string? detail, string? type,
        IReadOnlyDictionary<string, string[]> errors, TimeSpan? retryAfter) => status switch
    {
        HttpStatusCode.BadRequest => new QuickTryValidationException(title, detail, type, errors),
        HttpStatusCode.Unauthorized => new QuickTryUnauthorizedException(title, detail, type),
        HttpStatusCode.RequestEntityTooLarge => new QuickTryRequestTooLargeException(title, detail, type),
        HttpStatusCode.TooManyRequests => new QuickTryRateLimitedException(title, detail, type, retryAfter),
        HttpStatusCode.ServiceUnavailable => new QuickTryUnavailableException(title, detail, type, retryAfter),
        _ => new QuickTryException(status, title, detail, type),
    };

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static async Task<Problem> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var empty = new Problem(null, null, null, new Dictionary<string, string[]>());
        if (response.Content.Headers.ContentType?.MediaType is not ("application/problem+json" or "application/json"))
        {
            return empty;
        }
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return empty;
            }
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            if (root.TryGetProperty("errors", out var byField) && byField.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in byField.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? field.Value.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToArray()
                        : [field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText()];
                }
            }
            return new Problem(StringOf(root, "title"), StringOf(root, "detail"), StringOf(root, "type"), errors);
        }
        catch (JsonException)
        {
            return empty;
        }
    }

    private static string? StringOf(JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record Problem(string? Title, string? Detail, string? Type, IReadOnlyDictionary<string, string[]> Errors);
}

/// <summary>400: the request is invalid. <see cref="Errors"/> names each wrong field (empty when the body itself could not be read).</summary>
public sealed class QuickTryValidationException : QuickTryException
{
    /// <summary>A 400 with the problem's errors by field.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    /// <param name="errors">What is wrong, by field (e.g. <c>lang</c>, <c>limits.timeMs</c>).</param>
    public QuickTryValidationException(string? title, string? detail, string? type, IReadOnlyDictionary<string, string[]> errors)
        : base(HttpStatusCode.BadRequest, title, detail, type)
    {
        Errors = errors;
    }

    /// <summary>What is wrong, by field (e.g. <c>lang</c>, <c>code</c>, <c>limits.timeMs</c>); each with one or more sentences.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>401: the API key is not one the service knows. Leave it out to call anonymously.</summary>
public sealed class QuickTryUnauthorizedException : QuickTryException
{
    /// <summary>A 401.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    public QuickTryUnauthorizedException(string? title, string? detail, string? type)
        : base(HttpStatusCode.Unauthorized, title, detail, type)
    {
    }
}

/// <summary>413: the request body is larger than the API accepts (its <c>Detail</c> says how large it may be).</summary>
public sealed class QuickTryRequestTooLargeException : QuickTryException
{
    /// <summary>A 413.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    public QuickTryRequestTooLargeException(string? title, string? detail, string? type)
        : base(HttpStatusCode.RequestEntityTooLarge, title, detail, type)
    {
    }
}

/// <summary>A refusal that passes: the same call may succeed after <see cref="RetryAfter"/>.</summary>
public abstract class QuickTryRetryLaterException : QuickTryException
{
    /// <summary>A refusal that passes.</summary>
    /// <param name="statusCode">The HTTP status the API answered.</param>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    /// <param name="retryAfter">The wait the API's <c>Retry-After</c> header asked for.</param>
    protected QuickTryRetryLaterException(HttpStatusCode statusCode, string? title, string? detail, string? type, TimeSpan? retryAfter)
        : base(statusCode, title, detail, type)
    {
        RetryAfter = retryAfter;
    }

    /// <summary>How long to wait before trying again, from the <c>Retry-After</c> header; null when the API sent none.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>
/// 429: this caller's rate limit or quota is used up, or the gateway has too many runs in flight.
/// <see cref="QuickTryException.Type"/> tells which (e.g. <c>…/rate-limited</c>, <c>…/quota-exhausted</c>).
/// </summary>
public sealed class QuickTryRateLimitedException : QuickTryRetryLaterException
{
    /// <summary>A 429.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    /// <param name="retryAfter">The wait the API's <c>Retry-After</c> header asked for.</param>
    public QuickTryRateLimitedException(string? title, string? detail, string? type, TimeSpan? retryAfter)
        : base(HttpStatusCode.TooManyRequests, title, detail, type, retryAfter)
    {
    }
}

/// <summary>503: the executors are busy or cannot be reached (or the run queue is down); nothing ran and nothing was billed.</summary>
public sealed class QuickTryUnavailableException : QuickTryRetryLaterException
{
    /// <summary>A 503.</summary>
    /// <param name="title">The problem's title.</param>
    /// <param name="detail">The problem's detail.</param>
    /// <param name="type">The problem's type URI.</param>
    /// <param name="retryAfter">The wait the API's <c>Retry-After</c> header asked for.</param>
    public QuickTryUnavailableException(string? title, string? detail, string? type, TimeSpan? retryAfter)
        : base(HttpStatusCode.ServiceUnavailable, title, detail, type, retryAfter)
    {
    }
}
