using Docker.DotNet;
using Microsoft.Extensions.Options;

namespace QuickTry.Sandbox.Pool;

/// <summary>
/// The pool's one owner: starts it with the host, stops it (removing every container) when the host stops,
/// and in between removes containers of this instance that nothing tracks (leaks from a failed removal or
/// a crash) and replaces idle slots past their age.
/// </summary>
internal sealed class PoolJanitor(
    ContainerPool pool,
    IOptions<PoolOptions> options,
    TimeProvider time,
    ILogger<PoolJanitor> logger) : BackgroundService
{
    // A container is created before the pool learns its id; younger ones are left alone.
    private static readonly TimeSpan MinimumAge = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await StartPoolAsync(stoppingToken);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.JanitorIntervalSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                pool.RecycleExpired();
                var cutoff = time.GetUtcNow() - MinimumAge;
                var removed = await pool.ReapAsync((c, tracked) => !tracked && c.Created < cutoff.UtcDateTime, stoppingToken);
                if (removed > 0)
                {
                    logger.LogWarning("Janitor removed {Count} untracked sandbox containers", removed);
                }
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException)
            {
                logger.LogWarning(e, "Janitor pass failed");
            }
        }
    }

    private async Task StartPoolAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await pool.StartAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException or TimeoutException)
            {
                // The engine may come up after us (set-up still starting dockerd): keep trying, stay Degraded.
                logger.LogError(e, "Docker engine not reachable; retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(30).Ticks, delay.Ticks * 2));
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await pool.StopAsync();
    }
}
