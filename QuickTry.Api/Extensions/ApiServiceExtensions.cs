using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QuickTry.Api.Clients;
using QuickTry.Api.Languages;
using QuickTry.Api.Quotas;
using QuickTry.Api.RateLimiting;
using QuickTry.Api.Runs;
using QuickTry.Api.Telemetry;

namespace QuickTry.Api.Extensions;

internal static class ApiServiceExtensions
{
    /// <summary>Options (validated at start-up), clients, limits, quotas and the executor client.</summary>
    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ClientOptions>().Bind(builder.Configuration.GetSection(ClientOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClientOptions>, ClientOptionsValidator>();
        services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
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

        // Quotas: Redis shared by every replica, the in-process store while Redis is down.
        builder.AddRedisClient("redis",
            settings => settings.DisableHealthChecks = true,
            options =>
            {
                options.AbortOnConnectFail = false;
                options.ConnectTimeout = 2_000;
                options.AsyncTimeout = 1_000;
                options.SyncTimeout = 1_000;
            });
        services.AddSingleton<RedisQuotaStore>();
        services.AddSingleton<InMemoryQuotaStore>();
        services.AddSingleton<ResilientQuotaStore>();
        services.AddSingleton<IQuotaStore>(sp => sp.GetRequiredService<ResilientQuotaStore>());
        services.AddHealthChecks().AddCheck<QuotaStoreHealthCheck>("quota-store", tags: [ServiceDefaultsExtensions.ReadyTag]);

        services.AddHttpClient<ExecutorClient>((sp, http) =>
        {
            http.BaseAddress = new Uri(builder.Configuration["Executor:BaseUrl"] ?? "http://executor");
            http.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.ExecutorTimeoutSeconds + 10);
        });
        services.AddSingleton<LanguageDirectory>();
        services.AddSingleton<RunRequestReader>();

        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.AddOpenApi();
        return builder;
    }
}
