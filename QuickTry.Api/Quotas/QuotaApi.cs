using QuickTry.Api.Clients;
using QuickTry.Api.RateLimiting;

namespace QuickTry.Api.Quotas;

public static class QuotaApi
{
    public static RouteGroupBuilder MapQuotaApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/quota").WithTags("Quota").RequirePerClientReadLimit();
        group.MapGet("", GetQuotaAsync)
            .WithName("GetQuota")
            .WithSummary("The caller's plan, what it has used in the current window and what is left.");
        return group;
    }

    public static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<QuotaReport>> GetQuotaAsync(
        HttpContext context, IQuotaStore quotas, ResilientQuotaStore store, ClientRateLimiters limiters, CancellationToken cancellationToken)
    {
        var client = context.Client();
        var plan = client.Plan;
        var usage = await quotas.UsageAsync(client, cancellationToken);
        var runSecondsUsed = usage.RunMs / 1000.0;
        return TypedResults.Ok(new QuotaReport(
            client.DisplayName,
            client.PlanName,
            plan.WindowSeconds,
            Math.Round(usage.ResetsIn.TotalSeconds, 1),
            new QuotaCounter(plan.RunsPerWindow, usage.Runs, Math.Max(0, plan.RunsPerWindow - usage.Runs)),
            new QuotaCounter(plan.RunSecondsPerWindow, runSecondsUsed, Math.Max(0, plan.RunSecondsPerWindow - runSecondsUsed)),
            new RateLimitReport(plan.RequestsPerMinute, plan.Burst, limiters.Available(client.Id) ?? plan.Burst),
            store.UsingFallback));
    }
}
