using Microsoft.Extensions.Diagnostics.HealthChecks;
using QuickTry.Sandbox.Pool;

namespace QuickTry.Executor.Health;

/// <summary>
/// Degraded until every language has its image, its toolchain's version read (a run without a version
/// gets its language's newest, so versions must be known) and at least one warm container (or wants none):
/// the executor answers runs meanwhile, but slower and not for missing languages.
/// </summary>
internal sealed class SandboxReadinessCheck(ContainerPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = pool.Status();
        var missing = status.Where(s => !s.ImagePresent).Select(s => s.Language).ToList();
        var cold = status.Where(s => s.ImagePresent && s.Target > 0 && s.Warm == 0).Select(s => s.Language).ToList();
        var unversioned = status.Where(s => s.ImagePresent && s.Version is null).Select(s => s.Language).ToList();
        var data = status.ToDictionary(s => s.Language, s => (object)$"{s.Warm}/{s.Target} warm{(s.ImagePresent ? "" : ", image missing")}");
        if (missing.Count == 0 && cold.Count == 0 && unversioned.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("All pools warm.", data));
        }
        var description = string.Join("; ", new[]
        {
            missing.Count > 0 ? $"images missing: {string.Join(", ", missing)}" : null,
            cold.Count > 0 ? $"warming: {string.Join(", ", cold)}" : null,
            unversioned.Count > 0 ? $"reading versions: {string.Join(", ", unversioned)}" : null,
        }.Where(s => s is not null));
        return Task.FromResult(HealthCheckResult.Degraded(description, data: data));
    }
}
