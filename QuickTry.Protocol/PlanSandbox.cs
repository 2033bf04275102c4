using QuickTry.Client;

namespace QuickTry.Protocol;

/// <summary>What the caller's plan asks of the sandbox; unset parts leave it to the executor.</summary>
/// <param name="Isolation">The isolation the plan asks for; the stricter of it and the sandbox's own applies.</param>
/// <param name="Runtime">The OCI runtime the plan asks for; when set it decides.</param>
public sealed record PlanSandbox(Isolation? Isolation = null, string? Runtime = null)
{
    /// <summary>Nothing asked: the executor decides.</summary>
    public static readonly PlanSandbox None = new();
}
