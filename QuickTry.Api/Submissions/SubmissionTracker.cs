using System.Text.Json;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Queue;
using QuickTry.Api.Quotas;
using QuickTry.Api.Runs;
using QuickTry.Protocol;
using QuickTry.RunQueue;
using StackExchange.Redis;

namespace QuickTry.Api.Submissions;

/// <summary>
/// Settles submissions when they end, wherever they were accepted: each end is put in a Redis set by the
/// step that ends it, and one replica pops it (so exactly one settles it, even if the replica that accepted
/// it is gone): the quota reservation is settled by the same rule as <c>/run</c> and the callback, if any,
/// goes to <see cref="CallbackSender"/>. A result message on this replica's channel wakes it at once;
/// otherwise it looks every second.
/// </summary>
public sealed class SubmissionTracker(
    RedisRunQueue queue,
    RunReplies replies,
    RunGate gate,
    CallbackSender callbacks,
    IOptions<ClientOptions> clients,
    ILogger<SubmissionTracker> logger) : BackgroundService
{
    private readonly WakeSignal _wake = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        replies.Unclaimed = _ =>
        {
            _wake.Set();
            return Task.CompletedTask;
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (!queue.IsConnected)
            {
                continue;
            }
            try
            {
                string[] ended;
                while ((ended = await queue.PopEndedSubmissionsAsync(50)).Length > 0)
                {
                    foreach (var id in ended)
                    {
                        await EndAsync(id);
                    }
                }
            }
            catch (Exception e) when (RunQueueRedis.IsUnavailable(e))
            {
                logger.LogDebug("Could not settle ended submissions ({Error})", e.Message);
            }
        }
    }

    private async Task EndAsync(string id)
    {
        if (await queue.GetAsync(id) is not { } record)
        {
            return;
        }
        var view = SubmissionViews.From(record);
        await gate.SettleAsync(record.Settlement, view.Result);
        if (!string.IsNullOrEmpty(record.Callback)
            && clients.Value.ApiKeys.FirstOrDefault(k => k.Name == record.Client)?.CallbackSecret is { Length: > 0 } secret)
        {
            callbacks.Enqueue(new Callback(id, record.Callback, JsonSerializer.Serialize(view, ContractJson.Options), secret));
        }
    }
}
