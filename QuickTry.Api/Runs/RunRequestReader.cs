using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Runs;

/// <summary>
/// Reads a run request body by hand, so every way it can be wrong gets its own status: 415 for a body
/// that is not JSON, 413 for one over <see cref="GatewayOptions.MaxBodyBytes"/>, 400 for broken JSON.
/// (Also how <c>GET /run</c> with a body works, as the original QuickTry's httpie example sends it.)
/// </summary>
public sealed class RunRequestReader(IOptions<GatewayOptions> options)
{
    private readonly int _maxBytes = options.Value.MaxBodyBytes;

    /// <param name="alsoPlainText">Also read a <c>text/plain</c> body as JSON, for clients that send JSON without saying so.</param>
    public async Task<(T? Request, IResult? Error)> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken, bool alsoPlainText = false) where T : class
    {
        if (!request.HasJsonContentType() && !(alsoPlainText && IsPlainText(request)))
        {
            return (null, TypedResults.Problem(
                title: "The body must be JSON.",
                detail: "Send Content-Type: application/json with a JSON object.",
                statusCode: StatusCodes.Status415UnsupportedMediaType));
        }
        if (request.ContentLength > _maxBytes)
        {
            return (null, TooLarge());
        }
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _maxBytes)
            {
                return (null, TooLarge());
            }
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0)
        {
            return (null, BadRequest("The body is empty.", "Send a JSON object with at least \"lang\" and \"code\"."));
        }
        try
        {
            var parsed = JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ContractJson.Options);
            return parsed is null
                ? (null, BadRequest("The body must be a JSON object.", "Got null."))
                : (parsed, null);
        }
        catch (JsonException e)
        {
            // System.Text.Json's message names the path, line and position, and nothing of ours.
            return (null, BadRequest("The body is not a valid run request.", e.Message));
        }
    }

    private static bool IsPlainText(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
        && type.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);

    private IResult TooLarge() => TypedResults.Problem(
        title: "The body is too large.",
        detail: $"Request bodies may be at most {_maxBytes} bytes.",
        statusCode: StatusCodes.Status413PayloadTooLarge);

    private static IResult BadRequest(string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
