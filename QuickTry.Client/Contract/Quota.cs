namespace QuickTry.Client;

/// <summary>What the caller may still do: the body of <c>GET /quota</c>.</summary>
/// <param name="Client">Who the caller is: its API key's name, or a hash of its address.</param>
/// <param name="Plan">The caller's plan.</param>
/// <param name="WindowSeconds">Length of the quota window.</param>
/// <param name="ResetsInSeconds">Seconds until the counters reset.</param>
/// <param name="Runs">Runs in the current window.</param>
/// <param name="RunSeconds">Seconds of run wall time in the current window.</param>
/// <param name="RateLimit">The short-term rate limit.</param>
/// <param name="Approximate">The shared counters could not be read: the figures are this replica's own.</param>
public sealed record QuotaReport(
    string Client,
    string Plan,
    int WindowSeconds,
    double ResetsInSeconds,
    QuotaCounter Runs,
    QuotaCounter RunSeconds,
    RateLimitReport RateLimit,
    bool Approximate);

/// <summary>One quota counter of the current window.</summary>
/// <param name="Limit">What the plan allows per window.</param>
/// <param name="Used">What has been used.</param>
/// <param name="Remaining">What is left.</param>
public sealed record QuotaCounter(double Limit, double Used, double Remaining);

/// <summary>The plan's token bucket for runs.</summary>
/// <param name="RequestsPerMinute">Sustained requests per minute.</param>
/// <param name="Burst">Requests allowed at once after a quiet spell.</param>
/// <param name="Remaining">Requests the bucket allows right now.</param>
public sealed record RateLimitReport(int RequestsPerMinute, int Burst, long Remaining);
