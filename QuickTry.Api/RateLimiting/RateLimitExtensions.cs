using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using System.Diagnostics;
using QuickTry.Api.Clients;
using QuickTry.Api.Extensions;
using QuickTry.Api.Telemetry;

namespace QuickTry.Api.RateLimiting;

/// <summary>
/// Short-term limits with Microsoft.AspNetCore.RateLimiting: a token bucket per client on the run
/// endpoints, and one concurrency limiter in front of the executor. Both reject with 429 (not the
/// framework's default 503) and problem details carrying Retry-After.
/// </summary>
public static class RateLimitExtensions
{
    private const string PerClientPolicy = "per-client";
    private const string PerClientReadsPolicy = "per-client-reads";
    private const string ExecutorConcurrencyPartition = "executor";

    public static IServiceCollection AddGatewayRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<ClientRateLimiters>();
        services.AddSingleton<ClientRateLimitPolicy>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<GatewayOptions>, ClientRateLimitPolicy>((options, gateway, policy) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PerClientPolicy, policy);
            // Cheap reads (GET /quota) get a bucket of their own, so polling them spends no run tokens.
            options.AddPolicy<string>(PerClientReadsPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                "reads:" + context.Client().Id, _ => ClientRateLimiters.Options(context.Client().Plan)));
            var g = gateway.Value;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.GetEndpoint()?.Metadata.GetMetadata<ExecutorBoundMetadata>() is null
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetConcurrencyLimiter(ExecutorConcurrencyPartition, _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = g.MaxForwardedRuns,
                        QueueLimit = g.MaxWaitingRuns,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    }));
            // Policies without a handler of their own land here: the executor concurrency limit, and reads.
            options.OnRejected = (context, cancellationToken) =>
                context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ExecutorBoundMetadata>() is not null
                    ? policy.RejectAsync(context, "concurrency", "The gateway has too many runs in flight.", cancellationToken)
                    : policy.RejectAsync(context, "rate_limit", "Too many requests: this client's rate limit is used up.", cancellationToken);
        });
        return services;
    }

    /// <summary>Puts the group behind the per-client token bucket and the executor concurrency limit.</summary>
    public static TBuilder RequirePerClientRateLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PerClientPolicy).WithMetadata(new ExecutorBoundMetadata());

    /// <summary>Puts the group behind a per-client token bucket of its own (the plan's rate), apart from runs.</summary>
    public static TBuilder RequirePerClientReadLimit<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireRateLimiting(PerClientReadsPolicy);

    private sealed class ExecutorBoundMetadata;
}

/// <summary>Partitions by client; each client gets the token bucket of its plan.</summary>
internal sealed class ClientRateLimitPolicy(ClientRateLimiters limiters, ApiTelemetry telemetry) : IRateLimiterPolicy<string>
{
    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var client = httpContext.Client();
        return RateLimitPartition.Get(client.Id, id => limiters.GetOrCreate(id, client.Plan));
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected =>
        (context, cancellationToken) => RejectAsync(context, "rate_limit", "Too many requests: this client's rate limit is used up.", cancellationToken);

    public async ValueTask RejectAsync(OnRejectedContext context, string reason, string title, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        telemetry.Rejected(reason);
        using (var activity = ApiTelemetry.Source.StartActivity("ratelimit"))
        {
            activity?.SetTag("quicktry.client", http.Features.Get<ClientIdentity>()?.DisplayName);
            activity?.SetTag("quicktry.rejection.reason", reason);
            activity?.SetStatus(ActivityStatusCode.Error, reason);
        }
        Activity.Current?.SetStatus(ActivityStatusCode.Error, reason);
        if (http.Features.Get<ClientIdentity>() is { } client)
        {
            RateLimitHeaders.Write(http, client, limiters);
        }
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        await Refusal.RateLimited(retryAfter, title).ToResult(http.Response).ExecuteAsync(http);
    }
}
