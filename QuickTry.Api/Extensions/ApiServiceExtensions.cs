using QuickTry.Api.Sessions;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Languages;
using QuickTry.Api.Live;
using QuickTry.Api.Piston;
using QuickTry.Api.Queue;
using QuickTry.Api.Quotas;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;
using QuickTry.Api.Submissions;
using QuickTry.Api.Telemetry;
using QuickTry.RunQueue;

namespace QuickTry.Api.Extensions;

internal static class ApiServiceExtensions
{
    /// <summary>Options (validated at start-up), clients, limits, quotas and the executor client.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ClientOptions>().Bind(builder.Configuration.GetSection(ClientOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientOptions>, ClientOptionsValidator>();
        services.AddOptions<GatewayOptions>().BindWithRenames(builder.Configuration.GetSection(GatewayOptions.Section), GatewayOptions.Renamed).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<QuotaOptions>().Bind(builder.Configuration.GetSection(QuotaOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ApiTelemetry>();

        // Only configured proxies may say who the client is; by default nobody may (not even loopback).
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ClientOptions>>((forwarded, clients) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var proxy in clients.Value.TrustedProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        services.AddSingleton<ClientResolver>();
        services.AddGatewayRateLimiting();

        // Quotas and the run queue: Redis shared by every replica; in-process quotas and direct runs while it is down.
        builder.AddRunQueueRedis(operationTimeout: TimeSpan.FromSeconds(1));
        services.AddSingleton<RedisQuotaStore>();
        services.AddSingleton<InMemoryQuotaStore>();
        services.AddSingleton<ResilientQuotaStore>();
        services.AddSingleton<IQuotaStore>(sp => sp.GetRequiredService<ResilientQuotaStore>());
        services.AddHealthChecks().AddCheck<QuotaStoreHealthCheck>("quota-store", tags: [ServiceDefaultsExtensions.ReadyTag]);

        services.AddOptions<ExecutorEndpointOptions>().Bind(builder.Configuration.GetSection(ExecutorEndpointOptions.Section));
        services.AddHttpClient<ExecutorClient>((sp, http) =>
        {
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.ExecutorTimeoutSeconds + 10);
        });
        services.AddSingleton<LanguageDirectory>();

        // The shared run queue on the same Redis: admission, this replica's reply channel, the reaper.
        services.AddOptions<GatewayQueueOptions>().Bind(builder.Configuration.GetSection(GatewayQueueOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RunReplies>();
        services.AddHostedService(sp => sp.GetRequiredService<RunReplies>());
        services.AddHostedService<LostRunSweeper>();
        services.AddSingleton<AnnouncedExecutors>();
        services.AddSingleton<InteractiveInputs>();
        services.AddSingleton<RunDispatcher>();
        services.AddHealthChecks().AddCheck<RunQueueHealthCheck>("run-queue", tags: [ServiceDefaultsExtensions.ReadyTag]);

        // Asynchronous submissions and their signed callbacks, which connect only to allowed addresses.
        services.AddOptions<SubmissionOptions>().Bind(builder.Configuration.GetSection(SubmissionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SubmissionDesk>();
        services.AddSingleton<SubmissionTracker>();
        services.AddHostedService(sp => sp.GetRequiredService<SubmissionTracker>());
        services.AddSingleton<AcceptedSubmissionCheck>();
        services.AddHostedService(sp => sp.GetRequiredService<AcceptedSubmissionCheck>());
        services.AddSingleton<CallbackSender>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackSender>());
        services.AddHttpClient(CallbackSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => CallbackSender.CreateHandler(sp.GetRequiredService<IOptions<SubmissionOptions>>().Value.CallbackAllowedHosts));
        services.AddSingleton<RunRequestReader>();
        services.AddSingleton<RunGate>();

        // Sessions: where each lives (Redis), and the calls to the executor that holds it.
        services.AddOptions<GatewaySessionOptions>().Bind(builder.Configuration.GetSection(GatewaySessionOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SessionDirectory>();
        services.AddHttpClient<SessionGateway>((sp, http) =>
        {
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.ExecutorTimeoutSeconds + 10);
        });
        services.AddSingleton<SyncRunner>();

        // Piston's routes write their errors as Piston does; the first writer that can write a problem wins,
        // so this one is registered before AddProblemDetails adds the default.
        services.AddSingleton<IProblemDetailsWriter, PistonProblemWriter>();
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddOpenApi();
        return builder;
    }
}
