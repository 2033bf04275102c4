using System.Text.Json;
using System.Threading.Channels;
using QuickTry.Api.Live;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// A queued live run's output channel, listened to from before the run is admitted until its result is
/// in: each message is passed to the observer in the order the executor published it.
/// </summary>
public sealed class LiveChannel : IAsyncDisposable
{
    private readonly ChannelMessageQueue _messages;
    private readonly IRunObserver _observer;
    private readonly string _runId;
    private readonly CancellationToken _cancellationToken;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _passing;

    private LiveChannel(ChannelMessageQueue messages, string runId, IRunObserver observer, CancellationToken cancellationToken)
    {
        _runId = runId;
        _messages = messages;
        _observer = observer;
        _cancellationToken = cancellationToken;
        _passing = PassOnAsync();
    }

    public static async Task<LiveChannel> ListenAsync(ISubscriber subscriber, string runId, IRunObserver observer, CancellationToken cancellationToken) =>
        new(await subscriber.SubscribeAsync(RunQueueKeys.Live(runId)), runId, observer, cancellationToken);

    /// <summary>Waits until the executor's last output message has been passed on (or <paramref name="timeout"/>, if it was lost).</summary>
    public async Task DrainAsync(TimeSpan timeout) => await Task.WhenAny(_ended.Task, Task.Delay(timeout, _cancellationToken));

    private async Task PassOnAsync()
    {
        try
        {
            await foreach (var item in _messages.WithCancellation(_cancellationToken))
            {
                var message = JsonSerializer.Deserialize<LiveMessage>((byte[])item.Message!, ContractJson.Options);
                switch (message?.Type)
                {
                    case RunEventNames.Started:
                        await _observer.StartedAsync(_runId, _cancellationToken);
                        break;
                    case RunEventNames.Stdout or RunEventNames.Stderr when message.Text is not null:
                        await _observer.OutputAsync(message.Type == RunEventNames.Stderr ? OutputStream.Stderr : OutputStream.Stdout,
                            message.Text, _cancellationToken);
                        break;
                    case RunEventNames.Test when message.Test is not null:
                        await _observer.TestCaseAsync(message.Test, _cancellationToken);
                        break;
                    case RunQueueKeys.LiveEnd:
                        _ended.TrySetResult();
                        return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or JsonException or ChannelClosedException or IOException)
        {
            // The caller left (its request's token) or the subscription ended; the result still comes by the reply channel.
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _messages.UnsubscribeAsync();
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            // Redis went away: the subscription went with it.
        }
        await _passing;
    }
}
