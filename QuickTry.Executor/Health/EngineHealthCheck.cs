using Microsoft.Extensions.Diagnostics.HealthChecks;
using QuickTry.Executor.Engine;

namespace QuickTry.Executor.Health;

/// <summary>Unhealthy while the Docker engine does not answer: no run can start then.</summary>
internal sealed class EngineHealthCheck(EngineState engine) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(engine.IsUp
            ? HealthCheckResult.Healthy("The Docker engine answers.")
            : HealthCheckResult.Unhealthy(engine.DownSince is { } since
                ? $"The Docker engine has not answered since {since:O}: {engine.LastError}"
                : "The Docker engine has not answered yet."));
}
