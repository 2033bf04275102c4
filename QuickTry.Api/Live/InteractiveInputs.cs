using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using QuickTry.Api.Clients;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Live;

/// <summary>
/// The stdin of interactive runs streamed as server-sent events, for clients without WebSockets (curl):
/// <c>POST /run/{id}/stdin</c> reaches the run's input on whichever replica holds its stream — here
/// directly, on another replica through a Redis channel named after the run and its client, so nobody
/// can type into someone else's run.
/// </summary>
public sealed class InteractiveInputs(RedisRunQueue queue, ILogger<InteractiveInputs> logger)
{
    private readonly ConcurrentDictionary<(string RunId, string Client), ChannelWriter<string>> _open = new();

    /// <summary>Opens <paramref name="runId"/>'s input to <paramref name="client"/> until the returned handle is disposed.</summary>
    public async Task<IAsyncDisposable> OpenAsync(string runId, ClientIdentity client, ChannelWriter<string> stdin)
    {
        var key = (runId, client.DisplayName);
        _open[key] = stdin;
        ChannelMessageQueue? relay = null;
        if (queue.IsConnected)
        {
            try
            {
                relay = await queue.Subscriber.SubscribeAsync(Channel(runId, client));
                relay.OnMessage(async message =>
                {
                    if (JsonSerializer.Deserialize<Typed>((byte[])message.Message!, ContractJson.Options) is { } typed)
                    {
                        await DeliverAsync(stdin, typed.Text, typed.End, CancellationToken.None);
                    }
                });
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogInformation("Run {RunId} takes input on this replica only ({Error})", runId, e.Message);
            }
        }
        return new Handle(() =>
        {
            _open.TryRemove(key, out _);
            stdin.TryComplete();
            return relay?.UnsubscribeAsync() ?? Task.CompletedTask;
        });
    }

    /// <summary>Passes input to a run of <paramref name="client"/>'s; false when no such run is taking input.</summary>
    public async Task<bool> SendAsync(string runId, ClientIdentity client, string text, bool end, CancellationToken cancellationToken)
    {
        if (_open.TryGetValue((runId, client.DisplayName), out var stdin))
        {
            return await DeliverAsync(stdin, text, end, cancellationToken);
        }
        if (!queue.IsConnected)
        {
            return false;
        }
        try
        {
            var receivers = await queue.Subscriber.PublishAsync(Channel(runId, client),
                JsonSerializer.SerializeToUtf8Bytes(new Typed(text, end), ContractJson.Options));
            return receivers > 0;
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return false;
        }
    }

    private static async Task<bool> DeliverAsync(ChannelWriter<string> stdin, string text, bool end, CancellationToken cancellationToken)
    {
        try
        {
            if (text.Length > 0)
            {
                await stdin.WriteAsync(text, cancellationToken);
            }
            if (end)
            {
                stdin.TryComplete();
            }
            return true;
        }
        catch (ChannelClosedException)
        {
            // The program's input already ended.
            return false;
        }
    }

    private static RedisChannel Channel(string runId, ClientIdentity client) =>
        RedisChannel.Literal($"quicktry:stdin:{runId}:{client.DisplayName}");

    private sealed record Typed(string Text, bool End);

    private sealed class Handle(Func<Task> close) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await close();
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                // Redis went away: the subscription went with it.
            }
        }
    }
}
