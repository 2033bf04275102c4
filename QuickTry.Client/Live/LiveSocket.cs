using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;

namespace QuickTry.Client;

/// <summary>
/// Sends and receives JSON messages over a WebSocket, one text message each, with a size cap on what it
/// receives; sends are serialized, so output and the result may be sent from different threads.
/// </summary>
public sealed class LiveSocket(WebSocket socket, int maxMessageBytes)
{
    private readonly SemaphoreSlim _sending = new(1, 1);

    /// <summary>The socket underneath.</summary>
    public WebSocket Socket => socket;

    /// <summary>Sends one message as JSON text.</summary>
    public async Task SendAsync<T>(T message, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, ContractJson.Options);
        await _sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>
    /// The next message, or null when the other side closed. Throws <see cref="InvalidDataException"/>
    /// for a message over the cap, a binary message, or JSON that is not a <typeparamref name="T"/>.
    /// </summary>
    public async Task<T?> ReceiveAsync<T>(CancellationToken cancellationToken) where T : class
    {
        var buffer = new byte[Math.Min(maxMessageBytes, 16 * 1024)];
        using var message = new MemoryStream();
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            if (read.MessageType != WebSocketMessageType.Text)
            {
                throw new InvalidDataException("Messages are JSON text.");
            }
            if (message.Length + read.Count > maxMessageBytes)
            {
                throw new InvalidDataException($"A message may have at most {maxMessageBytes} bytes.");
            }
            message.Write(buffer, 0, read.Count);
            if (read.EndOfMessage)
            {
                break;
            }
        }
        try
        {
            return JsonSerializer.Deserialize<T>(message.GetBuffer().AsSpan(0, (int)message.Length), ContractJson.Options)
                ?? throw new InvalidDataException("The message is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException("The message is not valid JSON of the expected shape: " + e.Message, e);
        }
    }

    /// <summary>
    /// A channel for a program's typed input: bounded, so a caller typing faster than the program reads
    /// waits (its socket or request is held back) instead of filling the server's memory.
    /// </summary>
    public static Channel<string> InputChannel() =>
        Channel.CreateBounded<string>(new BoundedChannelOptions(64) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>
    /// The server's side of a live run's input: <c>stdin</c> messages into <paramref name="stdin"/> (when the
    /// run is interactive), <c>eof</c> completes it. The peer closing the socket, or breaking it, cancels
    /// <paramref name="closed"/>, which stops the run. Returns once <paramref name="closed"/> is cancelled.
    /// </summary>
    public async Task ReadInputAsync(ChannelWriter<string>? stdin, CancellationTokenSource closed)
    {
        try
        {
            while (await ReceiveAsync<LiveMessage>(closed.Token) is { } message)
            {
                switch (message.Type)
                {
                    case RunEventNames.Stdin when stdin is not null && message.Text is not null:
                        await stdin.WriteAsync(message.Text, closed.Token);
                        break;
                    case RunEventNames.Eof:
                        stdin?.TryComplete();
                        break;
                }
            }
            await closed.CancelAsync();
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
        catch (Exception e) when (e is WebSocketException or InvalidDataException or ObjectDisposedException)
        {
            await closed.CancelAsync();
        }
        finally
        {
            stdin?.TryComplete();
        }
    }

    /// <summary>
    /// Ends the server's side after its last message: closes, lets the peer acknowledge (up to 2 s) so the
    /// reader <paramref name="reading"/> ends by itself, and only then cancels it: cancelling a pending
    /// receive aborts the socket, and an abort can lose what was sent just before it.
    /// </summary>
    /// <param name="reading">The task reading the peer's messages until <paramref name="closed"/> is cancelled.</param>
    /// <param name="closed">Cancels the reader.</param>
    /// <param name="status">The close status (a protocol's own code, 4000-4999, where it has one).</param>
    /// <param name="reason">The close reason.</param>
    public async Task FinishAsync(Task reading, CancellationTokenSource closed,
        WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null)
    {
        await CloseAsync(status, reason);
        await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None));
        await closed.CancelAsync();
        await reading;
    }

    /// <summary>Closes the socket (normal closure unless told otherwise), ignoring a peer that is already gone.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(status, reason, timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone: nothing to tell it.
        }
    }
}
