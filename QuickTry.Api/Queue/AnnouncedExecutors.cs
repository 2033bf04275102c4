using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Queue;

/// <summary>
/// Executors that announce an address in the run queue (in their heartbeats), most slots first: a host
/// added to the queue can be called directly (its language list, an interactive run) even when no
/// configured executor names it.
/// </summary>
public sealed class AnnouncedExecutors(RedisRunQueue queue)
{
    public async Task<IReadOnlyList<Uri>> GetAsync()
    {
        if (!queue.IsConnected)
        {
            return [];
        }
        try
        {
            return (await queue.LiveExecutorsAsync())
                .OrderByDescending(e => e.Capacity)
                .Select(e => Uri.TryCreate(e.Url, UriKind.Absolute, out var url) && url.Host is not ("0.0.0.0" or "[::]") ? url : null)
                .OfType<Uri>().ToList();
        }
        catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
        {
            return [];
        }
    }
}
