using System.Collections.Concurrent;
using System.Text;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// This replica's reply channel: the ends of the runs it queued arrive here, published by the executor in
/// the same step that stores them. A request waiting for a run registers first (<see cref="Expect"/>);
/// an end nobody waits for (a submission's) goes to <see cref="Unclaimed"/>.
/// </summary>
public sealed class RunReplies(RedisRunQueue queue, ILogger<RunReplies> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RunEnd>> _waiting = new();

    /// <summary>This replica's name in the queue (the reply channel's suffix).</summary>
    public string Replica { get; } = Guid.NewGuid().ToString("N");

    public RedisChannel Channel => RunQueueKeys.Reply(Replica);

    /// <summary>Whether the channel is subscribed (a run queued before that would have no one to tell).</summary>
    public bool Listening { get; private set; }

    /// <summary>Called for ends that no request here is waiting for.</summary>
    public Func<RunEnd, Task>? Unclaimed { get; set; }

    public Task<RunEnd> Expect(string id) =>
        _waiting.GetOrAdd(id, _ => new TaskCompletionSource<RunEnd>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string id) => _waiting.TryRemove(id, out _);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribing fails while Redis is down; runs go the direct way meanwhile. Once subscribed, the client
        // re-subscribes by itself after a reconnect.
        while (!Listening && !stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queue.Subscriber.SubscribeAsync(Channel, (_, message) => Receive(message));
                Listening = true;
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogInformation("Reply channel not subscribed yet ({Error})", e.Message);
                await Task.Delay(1_000, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Receive(RedisValue message)
    {
        if (RunEnd.Parse(message) is not { } end)
        {
            return;
        }
        if (_waiting.TryRemove(end.Id, out var waiter))
        {
            waiter.TrySetResult(end);
        }
        else if (Unclaimed is { } handler)
        {
            _ = Task.Run(() => handler(end));
        }
    }
}

/// <summary>
/// A run's end as the queue reports it: its state and, for <c>done</c>, the result as UTF-8 JSON (else a
/// detail). Kept as bytes: a result can carry megabytes of output, and it is parsed once, from them.
/// </summary>
public sealed record RunEnd(string Id, string State, ReadOnlyMemory<byte> Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload.Span);

    /// <summary>Parses <c>id \n state \n payload</c>.</summary>
    public static RunEnd? Parse(RedisValue message)
    {
        ReadOnlyMemory<byte> bytes = (byte[]?)message ?? [];
        var first = bytes.Span.IndexOf((byte)'\n');
        if (first < 0)
        {
            return null;
        }
        var second = bytes.Span[(first + 1)..].IndexOf((byte)'\n');
        if (second < 0)
        {
            return null;
        }
        return new RunEnd(
            Encoding.UTF8.GetString(bytes.Span[..first]),
            Encoding.UTF8.GetString(bytes.Span.Slice(first + 1, second)),
            bytes[(first + second + 2)..]);
    }

    public static RunEnd From(RunRecord record) =>
        new(record.Id, record.State, Encoding.UTF8.GetBytes(record.State == RunStates.Done ? record.Result ?? "" : record.Detail ?? ""));
}
