using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Engine;
using QuickTry.Executor.Health;
using QuickTry.Executor.Languages;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Pool;
using QuickTry.Executor.Queue;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Telemetry;
using QuickTry.RunQueue;

namespace QuickTry.Executor.Extensions;

internal static class ExecutorServiceExtensions
{
    /// <summary>Options (validated at start-up), the Docker client, the pool and the run pipeline.</summary>
    public static IHostApplicationBuilder AddExecutor(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // The sandbox itself (options, Docker client, pool, runner): the same library any .NET app can use.
        services.AddQuickTrySandbox(builder.Configuration);
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
        services.AddOptions<QueueWorkerOptions>().BindWithRenames(builder.Configuration.GetSection(QueueWorkerOptions.Section), QueueWorkerOptions.Renamed).ValidateOnStart();
        services.AddSingleton<IValidateOptions<QueueWorkerOptions>, QueueWorkerOptionsValidator>();
        if (string.IsNullOrEmpty(builder.Configuration.GetConnectionString("redis"))
            || !builder.Configuration.GetValue($"{QueueWorkerOptions.Section}:Enabled", true))
        {
            return;
        }
        builder.AddRunQueueRedis(operationTimeout: TimeSpan.FromSeconds(2));
        services.AddHostedService<QueueWorker>();
    }
}
