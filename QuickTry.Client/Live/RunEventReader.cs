using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace QuickTry.Client;

/// <summary>
/// Reads a live run's server-sent events (the format <see cref="RunEvent"/> describes) into
/// <see cref="RunEvent"/>s. The framing (events split across reads, <c>:</c> comments, multi-line
/// <c>data:</c>, CRLF) is the runtime's <see cref="SseParser"/>; this decides what each event means.
/// </summary>
internal static class RunEventReader
{
    public const string MediaType = "text/event-stream";

    /// <summary>
    /// The run's events up to and including its result, which ends the sequence. Events of names this client
    /// does not know are skipped, so a server may add some.
    /// </summary>
    /// <exception cref="HttpRequestException">The stream ended before the result.</exception>
    /// <exception cref="QuickTryException">An event's data is not what the contract describes.</exception>
    public static async IAsyncEnumerable<RunEvent> ReadAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var parser = SseParser.Create(stream, Parse);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            switch (item.Data)
            {
                case RunCompleted completed:
                    yield return completed;
                    yield break;
                case { } runEvent:
                    yield return runEvent;
                    break;
            }
        }
        throw new HttpRequestException(HttpRequestError.ResponseEnded, "The run's event stream ended before its result.");
    }

    private static RunEvent? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        try
        {
            return eventType switch
            {
                RunEventNames.Stdout => new RunOutput(OutputStream.Stdout, TextOf(data)),
                RunEventNames.Stderr => new RunOutput(OutputStream.Stderr, TextOf(data)),
                RunEventNames.Test => new TestCaseEnded(JsonSerializer.Deserialize<TestCaseResult>(data, QuickTryClient.Json)
                    ?? throw new JsonException("The test event's data is null.")),
                RunEventNames.Result => new RunCompleted(JsonSerializer.Deserialize<RunResult>(data, QuickTryClient.Json)
                    ?? throw new JsonException("The result event's data is null.")),
                _ => null,
            };
        }
        catch (JsonException e)
        {
            throw new QuickTryException(HttpStatusCode.OK, $"The '{eventType}' event is not what the contract describes.", e.Message, null, e);
        }
    }

    private static string TextOf(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<OutputData>(data, QuickTryClient.Json)?.Text ?? "";

    /// <summary>The data of an output event: <c>{"text": "..."}</c>.</summary>
    private sealed record OutputData(string? Text);
}
