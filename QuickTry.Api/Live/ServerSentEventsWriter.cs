using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace QuickTry.Api.Live;

/// <summary>
/// <c>POST /run</c> answered as server-sent events: <c>stdout</c>/<c>stderr</c> as the program writes, then
/// <c>result</c>. The response starts (200, <c>text/event-stream</c>) only once the run started, so every
/// refusal before that is still an ordinary problem response with its status.
/// </summary>
public sealed class ServerSentEventsWriter(HttpResponse response) : IRunObserver
{
    public const string MediaType = "text/event-stream";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public bool Started { get; private set; }

    /// <summary>Whether the request asks for an event stream (<c>Accept: text/event-stream</c>).</summary>
    public static bool IsWanted(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase));

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        if (Started)
        {
            return;
        }
        Started = true;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType + "; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold the events back until the run ends.
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
    }

    public Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken) =>
        WriteAsync(RunEventNames.Of(stream), new { text }, cancellationToken);

    public Task ResultAsync(RunResult result, CancellationToken cancellationToken) =>
        WriteAsync(RunEventNames.Result, result, cancellationToken);

    private async Task WriteAsync<T>(string name, T data, CancellationToken cancellationToken)
    {
        await StartedAsync(cancellationToken);
        // JSON escapes newlines, so each event's data is one line.
        await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, Json)}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
