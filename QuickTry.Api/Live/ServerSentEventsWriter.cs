using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace QuickTry.Api.Live;

/// <summary>
/// <c>POST /run</c> answered as server-sent events: <c>started</c> (the run's id, and for an interactive
/// run where its stdin goes), <c>stdout</c>/<c>stderr</c> as the program writes (a judged run: <c>test</c>
/// as each case ends), then <c>result</c>. The
/// response starts (200, <c>text/event-stream</c>) only once the run started, so every refusal before that
/// is still an ordinary problem response with its status.
/// </summary>
/// <param name="openInput">For an interactive run: opens its stdin to <c>POST /run/{id}/stdin</c> once its id is known.</param>
public sealed class ServerSentEventsWriter(HttpResponse response, Func<string, Task<IAsyncDisposable>>? openInput = null)
    : IRunObserver, IAsyncDisposable
{
    public const string MediaType = "text/event-stream";

    private bool _begun;
    private IAsyncDisposable? _input;

    /// <summary>Whether the request asks for an event stream (<c>Accept: text/event-stream</c>).</summary>
    public static bool IsWanted(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(MediaType, StringComparison.OrdinalIgnoreCase));

    public async Task StartedAsync(string runId, CancellationToken cancellationToken)
    {
        string? stdin = null;
        if (openInput is not null && _input is null)
        {
            _input = await openInput(runId);
            stdin = $"/run/{runId}/stdin";
        }
        await WriteAsync(RunEventNames.Started, new { runId, stdin }, cancellationToken);
    }

    public Task OutputAsync(OutputStream stream, string text, CancellationToken cancellationToken) =>
        WriteAsync(RunEventNames.Of(stream), new { text }, cancellationToken);

    public Task TestCaseAsync(TestCaseResult result, CancellationToken cancellationToken) =>
        WriteAsync(RunEventNames.Test, result, cancellationToken);

    public async Task ResultAsync(RunResult result, CancellationToken cancellationToken)
    {
        // The run is over: its input closes before the caller can read so, or input posted right after the
        // result could still reach the closing relay and be acknowledged (204) for a run that has ended.
        await DisposeAsync();
        await WriteAsync(RunEventNames.Result, result, cancellationToken);
    }

    private async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (_begun)
        {
            return;
        }
        _begun = true;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = MediaType + "; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Proxies such as nginx would otherwise hold the events back until the run ends.
        response.Headers["X-Accel-Buffering"] = "no";
        response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);
    }

    private async Task WriteAsync<T>(string name, T data, CancellationToken cancellationToken)
    {
        await BeginAsync(cancellationToken);
        // JSON escapes newlines, so each event's data is one line.
        await response.WriteAsync($"event: {name}\ndata: {JsonSerializer.Serialize(data, ContractJson.Options)}\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    public ValueTask DisposeAsync()
    {
        var input = _input;
        _input = null;
        return input?.DisposeAsync() ?? ValueTask.CompletedTask;
    }
}
