using Docker.DotNet;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using QuickTry.Sandbox.Containers;
using QuickTry.Sandbox.Engine;
using QuickTry.Sandbox.Languages;
using QuickTry.Sandbox.Pool;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Sessions;
using QuickTry.Sandbox.Telemetry;

namespace QuickTry.Sandbox;

/// <summary>The sandbox in any .NET app: one call, a Docker engine, and <see cref="RunService"/> to run code.</summary>
public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sandbox: its options from <paramref name="configuration"/> (sections <c>Executor</c>,
    /// <c>Executor:Limits</c>, <c>Executor:Sandbox</c>, <c>Executor:Pool</c>, <c>Executor:Isolation</c>; each
    /// validated at start-up), the Docker client, the language catalog (the <c>docker-images</c> folder),
    /// the warm pool with its janitor and the engine monitor (hosted services), and <see cref="RunService"/>.
    /// The sandbox images must be built (scripts/setup.sh). Needs a host (e.g. <c>Host.CreateApplicationBuilder</c>)
    /// to run the hosted services.
    /// </summary>
    public static IServiceCollection AddQuickTrySandbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ExecutorOptions>().Bind(configuration.GetSection(ExecutorOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section)).ValidateOnStart();
        services.AddOptions<SandboxOptions>().Bind(configuration.GetSection(SandboxOptions.Section)).ValidateOnStart();
        services.AddOptions<PoolOptions>().Bind(configuration.GetSection(PoolOptions.Section)).ValidateOnStart();
        services.AddOptions<IsolationOptions>().Bind(configuration.GetSection(IsolationOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IsolationOptions>, IsolationOptionsValidator>();
        services.AddSingleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>();
        services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        services.AddSingleton<IValidateOptions<PoolOptions>, PoolOptionsValidator>();
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection(SessionOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SessionOptions>, SessionOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IDockerClient>(sp =>
            new DockerClientConfiguration(new Uri(sp.GetRequiredService<IOptions<ExecutorOptions>>().Value.DockerEndpoint)).CreateClient());
        services.AddLanguageCatalog();
        services.AddSingleton<ImageVersionCache>();
        services.AddSingleton<SandboxContainerFactory>();
        services.AddSingleton<MemoryPeakReset>();
        services.AddSingleton<SandboxRunner>();
        services.AddSingleton<ContainerPool>();
        services.AddSingleton<IToolchainVersions>(sp => sp.GetRequiredService<ContainerPool>());
        services.AddSingleton<RunAdmission>();
        services.AddSingleton<RunValidator>();
        services.AddSingleton<RunService>();
        services.AddSingleton<ExecutorTelemetry>();
        services.AddSingleton<EngineState>();
        services.AddSingleton<OomReports>();
        services.AddHostedService<PoolJanitor>();
        services.AddHostedService<EngineMonitor>();
        // Sessions: sandboxes that keep their files between runs, each its caller's alone.
        services.AddSingleton<SessionService>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionService>());
        return services;
    }
}
