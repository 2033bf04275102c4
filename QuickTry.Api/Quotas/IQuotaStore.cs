using QuickTry.Api.Clients;

namespace QuickTry.Api.Quotas;

/// <summary>
/// Per-client quota counters for fixed windows: runs, and milliseconds of run time. A run reserves
/// its worst case (its time limit) before it starts and settles to what it really used afterwards,
/// so clients running in parallel cannot together spend more than the quota.
/// </summary>
public interface IQuotaStore
{
    Task<QuotaDecision> ReserveAsync(ClientIdentity client, long reserveMs, CancellationToken cancellationToken);

    /// <summary>Replaces a reservation by the real use; <paramref name="usedMs"/> 0 and <paramref name="countRun"/> false refund it.</summary>
    Task SettleAsync(QuotaReservation reservation, long usedMs, bool countRun, CancellationToken cancellationToken);

    Task<QuotaUsage> UsageAsync(ClientIdentity client, CancellationToken cancellationToken);
}

/// <summary>Where the counters for a reservation were kept, so settling goes to the same place.</summary>
public sealed record QuotaReservation(ClientIdentity Client, string Key, long ReservedMs, IQuotaStore Store);

public sealed record QuotaUsage(long Runs, long RunMs, TimeSpan ResetsIn);

public abstract record QuotaDecision(QuotaUsage Usage)
{
    public sealed record Granted(QuotaReservation Reservation, QuotaUsage Usage) : QuotaDecision(Usage);

    public sealed record Exhausted(string What, QuotaUsage Usage) : QuotaDecision(Usage);
}

/// <summary>The fixed window a moment falls in, shared by every store so they agree on resets.</summary>
internal static class QuotaWindow
{
    public static (long Index, TimeSpan ResetsIn) At(DateTimeOffset now, int windowSeconds)
    {
        var seconds = now.ToUnixTimeMilliseconds() / 1000.0;
        var index = (long)Math.Floor(seconds / windowSeconds);
        var resetsIn = TimeSpan.FromSeconds((index + 1) * windowSeconds - seconds);
        return (index, resetsIn);
    }

    public static string Key(ClientIdentity client, long index) => $"quicktry:quota:{client.Id}:{client.Plan.WindowSeconds}:{index}";
}
