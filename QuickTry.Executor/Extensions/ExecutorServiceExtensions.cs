using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QuickTry.Executor.Engine;
using QuickTry.Executor.Health;
using QuickTry.Executor.Languages;
using QuickTry.Executor.Pool;
using QuickTry.Executor.Queue;
using QuickTry.Executor.Runs;
using QuickTry.Executor.Sandbox;
using QuickTry.Executor.Telemetry;
using QuickTry.RunQueue;

namespace QuickTry.Executor.Extensions;

internal static class ExecutorServiceExtensions
{
    /// <summary>Options (validated at start-up), the Docker client, the pool and the run pipeline.</summary>
    public static IHostApplicationBuilder AddExecutor(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ExecutorOptions>().Bind(builder.Configuration.GetSection(ExecutorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(builder.Configuration.GetSection(LimitsOptions.Section)).ValidateOnStart();
        services.AddOptions<SandboxOptions>().Bind(builder.Configuration.GetSection(SandboxOptions.Section)).ValidateOnStart();
        services.AddOptions<PoolOptions>().Bind(builder.Configuration.GetSection(PoolOptions.Section)).ValidateOnStart();
        services.AddOptions<IsolationOptions>().Bind(builder.Configuration.GetSection(IsolationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IsolationOptions>, IsolationOptionsValidator>();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        services.AddSingleton<IValidateOptions<PoolOptions>, PoolOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDockerClient>(sp =>
            new DockerClientConfiguration(new Uri(sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.DockerEndpoint)).CreateClient());
        services.AddLanguageCatalog();
        services.AddSingleton<SandboxContainerFactory>();
        services.AddSingleton<MemoryPeakReset>();
        services.AddSingleton<SandboxRunner>();
        services.AddSingleton<ContainerPool>();
        services.AddSingleton<RunAdmission>();
        services.AddSingleton<RunValidator>();
        services.AddSingleton<RunService>();
        services.AddSingleton<ExecutorTelemetry>();
        services.AddSingleton<EngineState>();
        services.AddHostedService<PoolJanitor>();
        services.AddHostedService<EngineMonitor>();
        services.AddSingleton<ExecutorIdentity>();
        builder.AddRunQueueWorker();

        services.AddHealthChecks()
            .AddCheck<EngineHealthCheck>("docker-engine", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<SandboxReadinessCheck>("sandboxes", tags: [ServiceDefaultsExtensions.ReadyTag]);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.AllowTrailingCommas = true);
        return builder;
    }

    /// <summary>
    /// With a Redis connection string (<c>ConnectionStrings:redis</c>) and <c>Executor:Queue:Enabled</c>, the
    /// executor also pulls runs from the shared queue; without, it serves only the gateway's direct calls.
    /// </summary>
    private static void AddRunQueueWorker(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<QueueOptions>().Bind(builder.Configuration.GetSection(QueueOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueOptions>, QueueOptionsValidator>();
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString("redis"))
            || !builder.Configuration.GetValue($"{QueueOptions.Section}:Enabled", true))
        {
            return;
        }
        builder.AddRunQueueRedis(operationTimeout: TimeSpan.FromSeconds(2));
        services.AddHostedService<QueueWorker>();
    }
}
