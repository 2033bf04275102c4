using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using QuickTry.Protocol;
using QuickTry.Sandbox.Engine;
using QuickTry.Executor.Runs;
using QuickTry.Sandbox.Runs;
using QuickTry.Sandbox.Containers;

namespace QuickTry.Executor.Health;

/// <summary>
/// Unhealthy while the Docker engine does not answer, or does not declare a runtime the configuration
/// names (<c>Executor:Sandbox:Runtime</c> and the rest): runs needing it cannot start then.
/// </summary>
internal sealed class EngineHealthCheck(EngineState engine, IOptions<SandboxOptions> sandboxOptions) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!engine.IsUp)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(engine.DownSince is { } since
                ? $"The Docker engine has not answered since {since:O}: {engine.LastError}"
                : "The Docker engine has not answered yet."));
        }
        var missing = sandboxOptions.Value.ConfiguredRuntimes().Where(r => !engine.Declares(r)).ToList();
        if (missing.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(
                $"The Docker engine does not declare the runtime(s) {string.Join(", ", missing)} that Executor:Sandbox names"
                + (missing.Contains(SandboxRuntimes.Gvisor) ? "; scripts/setup.sh --gvisor installs and registers gVisor's runsc." : ".")));
        }
        return Task.FromResult(HealthCheckResult.Healthy("The Docker engine answers and declares every configured runtime."));
    }
}
