using System.Globalization;
using QuickTry.Api.Clients;

namespace QuickTry.Api.RateLimiting;

/// <summary>
/// RateLimit-Limit / -Remaining / -Reset (the IETF draft's header trio) and RateLimit-Policy,
/// so a client can pace itself instead of discovering the limit by hitting it.
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(HttpContext context, ClientIdentity client, ClientRateLimiters limiters)
    {
        var plan = client.Plan;
        var (tokens, period) = ClientRateLimiters.Refill(plan);
        var remaining = limiters.Available(client.Id) ?? plan.Burst;
        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = plan.Burst.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = Math.Max(0, remaining).ToString(CultureInfo.InvariantCulture);
        // Seconds until the bucket has a token again (at least 1 when empty; 0 when it has some).
        var reset = remaining > 0 ? 0 : Math.Max(1, (int)Math.Ceiling(period.TotalSeconds));
        headers["RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = string.Create(CultureInfo.InvariantCulture,
            $"{plan.Burst};w={Math.Max(1, (int)Math.Ceiling(period.TotalSeconds * plan.Burst / tokens))};burst={plan.Burst};policy=\"token-bucket\"");
    }
}
