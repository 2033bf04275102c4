using QuickTry.Client;

namespace QuickTry.Protocol;

/// <summary>
/// The caller's plan as the gateway hands it to an executor, in the call's headers (<see cref="RunHeaders"/>)
/// or in a queued run's fields (QuickTry.RunQueue's <c>QueuedRun</c>): written and read here alone, so the direct call
/// and the queue take the same values the same way.
/// </summary>
public static class PlanWire
{
    public static (string? Isolation, string? Runtime) Write(PlanSandbox plan) => (plan.Isolation?.ToWireName(), plan.Runtime);

    /// <summary>
    /// The plan the gateway wrote (empty or null: not set). An isolation this executor does not know asks
    /// for the stricter one, one-run containers; a runtime that is not a runtime name is refused with
    /// <paramref name="error"/>, never replaced by the executor's default (the plan may have asked for gVisor).
    /// </summary>
    public static bool TryRead(string? isolation, string? runtime, out PlanSandbox plan, out string? error)
    {
        Isolation? asked = string.IsNullOrEmpty(isolation) ? null
            : IsolationNames.TryParse(isolation, out var parsed) ? parsed : Isolation.Container;
        var runtimeAsked = string.IsNullOrEmpty(runtime) ? null : runtime;
        plan = new PlanSandbox(asked, runtimeAsked);
        error = runtimeAsked is null || SandboxRuntimes.IsValidName(runtimeAsked) ? null
            : $"The gateway asked for the runtime '{runtimeAsked[..Math.Min(runtimeAsked.Length, 64)]}', which is not a runtime name: it must name an OCI runtime the engine declares (e.g. runc, runsc).";
        return error is null;
    }
}
