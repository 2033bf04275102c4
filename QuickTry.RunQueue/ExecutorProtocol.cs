using QuickTry.Client;

namespace QuickTry.RunQueue;

/// <summary>Headers of the gateway → executor call.</summary>
public static class RunHeaders
{
    /// <summary>Which client a run is for, as the gateway names it (the key's name or a hashed IP, never a key); for traces.</summary>
    public const string Client = "X-QuickTry-Client";

    /// <summary>
    /// The isolation the caller's plan asks for (<c>slot</c> or <c>container</c>); set by the gateway from
    /// its configuration, never from the request. The executor applies the stricter of this and its own.
    /// </summary>
    public const string Isolation = "X-QuickTry-Isolation";

    /// <summary>
    /// The OCI runtime the caller's plan asks for (e.g. <c>runsc</c>); set by the gateway from its
    /// configuration, never from the request. When set it decides over the executor's own choice.
    /// </summary>
    public const string Runtime = "X-QuickTry-Runtime";

    /// <summary>
    /// Adds who the run is for and what the plan asks of the sandbox: the call's headers, set through
    /// <paramref name="add"/> (an HTTP request's or a WebSocket's), exactly as a queued run carries them.
    /// </summary>
    public static void Write(Action<string, string> add, string client, PlanSandbox plan)
    {
        add(Client, client);
        var (isolation, runtime) = PlanWire.Write(plan);
        if (isolation is not null)
        {
            add(Isolation, isolation);
        }
        if (runtime is not null)
        {
            add(Runtime, runtime);
        }
    }
}

/// <summary>
/// The caller's plan as the gateway hands it to an executor, in the call's headers (<see cref="RunHeaders"/>)
/// or in a queued run's fields (<see cref="QueuedRun"/>): written and read here alone, so the direct call
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
